"""Known-answer, NaN, degenerate-input and symmetry tests for aligncheck.geometry and angles."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aligncheck import geometry as g
from aligncheck.angles import KEY_ANGLES, key_angles
from aligncheck.landmarks import MIRROR_INDEX, NUM_LANDMARKS

SQ = math.sqrt(0.5)

# ---------------------------------------------------------------------------------------------
# Known answers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "c", "expected"),
    [
        pytest.param((1, 0), (0, 0), (0, 1), 90.0, id="2d-right-angle"),
        pytest.param((-1, 0), (0, 0), (1, 0), 180.0, id="2d-straight"),
        pytest.param((1, 0), (0, 0), (2, 0), 0.0, id="2d-folded"),
        pytest.param((1, 0), (0, 0), (1, 1), 45.0, id="2d-45"),
        pytest.param((5, 5), (3, 5), (3, 9), 90.0, id="2d-offset-vertex"),
        pytest.param((0, 0, 1), (0, 0, 0), (0, 1, 0), 90.0, id="3d-right-angle"),
        pytest.param((0, -1, 0), (0, 0, 0), (0, 1, 0), 180.0, id="3d-straight"),
        pytest.param((0, 0, 1), (0, 0, 0), (0, 0, 3), 0.0, id="3d-folded"),
        pytest.param((1, 0, 0), (0, 0, 0), (0, 1, 1), 90.0, id="3d-right-angle-diag"),
        pytest.param((1, 0, 0), (0, 0, 0), (1, 0, 1), 45.0, id="3d-45"),
        pytest.param((1, 0, 0), (0, 0, 0), (-1, math.sqrt(3), 0), 120.0, id="3d-120"),
    ],
)
def test_joint_angle_known_answers(a, b, c, expected):
    result = g.joint_angle(a, b, c)
    assert isinstance(result, float)
    assert result == pytest.approx(expected, abs=1e-9)
    assert g.flexion(a, b, c) == pytest.approx(180.0 - expected, abs=1e-9)


@pytest.mark.parametrize(
    ("a", "b", "c", "expected"),
    [
        pytest.param((0, -2), (0, 0), (0, 3), 0.0, id="straight-limb-no-flexion"),
        pytest.param((0, -1), (0, 0), (1, 0), 90.0, id="right-angle"),
        pytest.param((0, -1), (0, 0), (0, -2), 180.0, id="fully-folded"),
        pytest.param((0, -1, 0), (0, 0, 0), (0, 0, 1), 90.0, id="3d-right-angle"),
    ],
)
def test_flexion_known_answers(a, b, c, expected):
    assert g.flexion(a, b, c) == pytest.approx(expected, abs=1e-9)


def test_joint_angle_batch_broadcasts_over_frames():
    # Four frames of a limb rotating about a vertex shared by every frame (shape (2,)).
    a = np.array([[1, 0], [1, 0], [1, 0], [1, 0]], dtype=float)
    b = np.array([0.0, 0.0])
    c = np.array([[0, 1], [-1, 0], [1, 1], [2, 0]], dtype=float)
    result = g.joint_angle(a, b, c)
    assert isinstance(result, np.ndarray)
    assert result.shape == (4,)
    np.testing.assert_allclose(result, [90, 180, 45, 0], atol=1e-9)
    np.testing.assert_allclose(g.flexion(a, b, c), [90, 0, 135, 180], atol=1e-9)


def test_joint_angle_batch_3d_two_leading_axes():
    a = np.broadcast_to(np.array([1.0, 0, 0]), (2, 3, 3))
    b = np.zeros(3)
    angles = np.radians(np.array([[0, 30, 60], [90, 150, 180]], dtype=float))
    c = np.stack([np.cos(angles), np.zeros_like(angles), np.sin(angles)], axis=-1)
    np.testing.assert_allclose(g.joint_angle(a, b, c), [[0, 30, 60], [90, 150, 180]], atol=1e-9)


@pytest.mark.parametrize(
    ("a1", "a2", "b1", "b2", "expected"),
    [
        # Two thighs (hip -> knee) spread to 120 degrees: each 60 degrees from straight down.
        pytest.param(
            (-1, 0),
            (-1 - math.sin(math.radians(60)), math.cos(math.radians(60))),
            (1, 0),
            (1 + math.sin(math.radians(60)), math.cos(math.radians(60))),
            120.0,
            id="thighs-120-2d",
        ),
        pytest.param((-1, 0), (-1, 5), (1, 0), (1, 4), 0.0, id="parallel-thighs"),
        pytest.param((0, 0), (1, 0), (5, 5), (5, 7), 90.0, id="perpendicular"),
        pytest.param((0, 0), (1, 0), (3, 0), (2, 0), 180.0, id="opposite"),
        pytest.param(
            (-0.1, 0, 0), (-0.1, 0.4, 0), (0.1, 0, 0), (0.1, 0, 0.4), 90.0, id="3d-leg-forward"
        ),
        pytest.param(
            (-0.1, 0, 0),
            (-0.1, 0.4, 0),
            (0.1, 0, 0),
            (0.1, 0.2, 0.2 * math.sqrt(3)),
            60.0,
            id="3d-leg-60-forward",
        ),
    ],
)
def test_angle_between_known_answers(a1, a2, b1, b2, expected):
    assert g.angle_between(a1, a2, b1, b2) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("a", "b", "inclination"),
    [
        # 2D image coordinates: y grows downward, so "b above a" means a smaller y.
        pytest.param((10, 10), (10, 0), 0.0, id="2d-straight-up"),
        pytest.param((10, 10), (20, 10), 90.0, id="2d-level-right"),
        pytest.param((10, 10), (0, 10), 90.0, id="2d-level-left"),
        pytest.param((10, 10), (10, 30), 180.0, id="2d-straight-down"),
        pytest.param((0, 0), (1, -1), 45.0, id="2d-up-right"),
        pytest.param((0, 0), (-1, 1), 135.0, id="2d-down-left"),
        # 3D MediaPipe world: y also points down; x and z span the horizontal plane.
        pytest.param((0, 0, 0), (0, -0.5, 0), 0.0, id="3d-straight-up"),
        pytest.param((0, 0, 0), (0.3, 0, 0), 90.0, id="3d-level-x"),
        pytest.param((0, 0, 0), (0, 0, 0.3), 90.0, id="3d-level-towards-scene"),
        pytest.param((0, 0, 0), (0, 0.5, 0), 180.0, id="3d-straight-down"),
        pytest.param((0, 0, 0), (0, -1, 1), 45.0, id="3d-up-and-forward"),
        pytest.param((0, 0, 0), (0, 1, -1), 135.0, id="3d-down-and-back"),
    ],
)
def test_inclination_and_elevation_default_up(a, b, inclination):
    assert g.inclination_from_vertical(a, b) == pytest.approx(inclination, abs=1e-9)
    assert g.elevation(a, b) == pytest.approx(90.0 - inclination, abs=1e-9)


@pytest.mark.parametrize(
    ("a", "b", "up", "inclination"),
    [
        pytest.param((0, 0), (1, 0), (1, 0), 0.0, id="2d-up-is-image-right"),
        pytest.param((0, 0), (0, -1), (1, 0), 90.0, id="2d-image-up-is-level"),
        pytest.param((0, 0), (0, 1), (0, 1), 0.0, id="2d-y-up-convention"),
        pytest.param((0, 0), (0, -1), (0, -7), 0.0, id="2d-up-not-unit-length"),
        pytest.param((0, 0, 0), (0, 0, 1), (0, 0, 1), 0.0, id="3d-up-is-z"),
        pytest.param((0, 0, 0), (0, -1, 0), (0, 0, 1), 90.0, id="3d-world-up-is-level"),
    ],
)
def test_inclination_and_elevation_custom_up(a, b, up, inclination):
    assert g.inclination_from_vertical(a, b, up=up) == pytest.approx(inclination, abs=1e-9)
    assert g.elevation(a, b, up=up) == pytest.approx(90.0 - inclination, abs=1e-9)


def test_inclination_batch():
    a = np.zeros((3, 2))
    b = np.array([[0, -1], [1, 0], [0, 1]], dtype=float)
    np.testing.assert_allclose(g.inclination_from_vertical(a, b), [0, 90, 180], atol=1e-9)
    np.testing.assert_allclose(g.elevation(a, b), [90, 0, -90], atol=1e-9)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        pytest.param((0, 0), (3, 4), 5.0, id="2d-3-4-5"),
        pytest.param((1, 1), (1, 1), 0.0, id="2d-same-point"),
        pytest.param((0, 0, 0), (1, 2, 2), 3.0, id="3d-1-2-2"),
        pytest.param((-1, -1, -1), (1, 1, 1), 2 * math.sqrt(3), id="3d-diagonal"),
    ],
)
def test_distance_known_answers(a, b, expected):
    result = g.distance(a, b)
    assert isinstance(result, float)
    assert result == pytest.approx(expected, abs=1e-12)


def test_distance_batch():
    a = np.array([[0, 0], [1, 1]], dtype=float)
    b = np.array([[3, 4], [1, 2]], dtype=float)
    np.testing.assert_allclose(g.distance(a, b), [5, 1])


@pytest.mark.parametrize(
    ("p", "q", "ref_a", "ref_b", "expected"),
    [
        pytest.param((0, 0), (3, 4), (0, 0), (0, 10), 0.5, id="2d-half-a-thigh"),
        pytest.param((0, 0), (6, 8), (2, 2), (5, 6), 2.0, id="2d-two-thighs"),
        pytest.param((0, 0, 0), (0, 0, 0.2), (0, 0, 0), (0, 0.4, 0), 0.5, id="3d"),
    ],
)
def test_relative_distance_known_answers(p, q, ref_a, ref_b, expected):
    assert g.relative_distance(p, q, ref_a, ref_b) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("dim", [2, 3])
@pytest.mark.parametrize("k", [0.01, 0.5, 3.0, 1000.0])
def test_relative_distance_is_scale_invariant(dim, k):
    rng = np.random.default_rng(7)
    points = rng.normal(size=(4, dim))
    shift = rng.normal(size=dim)
    before = g.relative_distance(*points)
    after = g.relative_distance(*(k * points + shift))
    assert np.isfinite(before)
    assert after == pytest.approx(before, rel=1e-12)
    # Plain distance is not invariant: that is what the reference segment is for.
    assert g.distance(*(k * points[:2])) != pytest.approx(g.distance(*points[:2]))


@pytest.mark.parametrize(
    ("p", "q", "expected"),
    [
        # 2D: image y grows down, so the higher point has the smaller y.
        pytest.param((0, 0), (0, 10), 2.0, id="2d-p-above"),
        pytest.param((0, 10), (0, 0), -2.0, id="2d-p-below"),
        pytest.param((50, 5), (0, 5), 0.0, id="2d-level"),
        pytest.param((3, 0), (0, 5), 1.0, id="2d-only-vertical-counts"),
        # 3D: MediaPipe world y also points down.
        pytest.param((0, -0.5, 0), (0, 0, 0), 0.1, id="3d-p-above"),
        pytest.param((0, 0.5, 0), (0, 0, 0.3), -0.1, id="3d-p-below"),
    ],
)
def test_relative_height_sign_and_value(p, q, expected):
    dim = len(p)
    ref_a = np.zeros(dim)
    ref_b = np.zeros(dim)
    ref_b[0] = 5.0
    assert g.relative_height(p, q, ref_a, ref_b) == pytest.approx(expected, abs=1e-12)


def test_relative_height_custom_up_is_normalised():
    p, q = (4, 0), (0, 0)
    ref = ((0, 0), (0, 2))
    assert g.relative_height(p, q, *ref, up=(1, 0)) == pytest.approx(2.0)
    assert g.relative_height(p, q, *ref, up=(10, 0)) == pytest.approx(2.0)
    assert g.relative_height(p, q, *ref, up=(-1, 0)) == pytest.approx(-2.0)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        pytest.param((0, 0), (2, 4), (1, 2), id="2d"),
        pytest.param((-1, 1), (1, -1), (0, 0), id="2d-origin"),
        pytest.param((0, 0, 0), (2, -4, 6), (1, -2, 3), id="3d"),
    ],
)
def test_midpoint_known_answers(a, b, expected):
    np.testing.assert_allclose(g.midpoint(a, b), expected)


# ---------------------------------------------------------------------------------------------
# NaN in, NaN out; degenerate segments; dimension mixing
# ---------------------------------------------------------------------------------------------

#: name -> (function, a non-degenerate 2D argument set)
FUNCTIONS = {
    "joint_angle": (g.joint_angle, [(1, 0), (0, 0), (0, 1)]),
    "flexion": (g.flexion, [(1, 0), (0, 0), (0, 1)]),
    "angle_between": (g.angle_between, [(0, 0), (1, 0), (0, 1), (1, 3)]),
    "inclination_from_vertical": (g.inclination_from_vertical, [(0, 0), (1, -1)]),
    "elevation": (g.elevation, [(0, 0), (1, -1)]),
    "distance": (g.distance, [(0, 0), (3, 4)]),
    "relative_distance": (g.relative_distance, [(0, 0), (3, 4), (1, 1), (1, 6)]),
    "relative_height": (g.relative_height, [(0, 0), (3, 4), (1, 1), (1, 6)]),
    "midpoint": (g.midpoint, [(0, 0), (2, 4)]),
}


def _lift(points, dim):
    """The argument set in ``dim`` dimensions (3D appends a z that varies per point)."""
    if dim == 2:
        return [np.array(p, dtype=float) for p in points]
    return [np.array([*p, 0.5 * i], dtype=float) for i, p in enumerate(points)]


def _nan_cases():
    for name, (_, points) in FUNCTIONS.items():
        for dim in (2, 3):
            for arg in range(len(points)):
                for coord in range(dim):
                    yield pytest.param(name, dim, arg, coord, id=f"{name}-{dim}d-arg{arg}-c{coord}")


@pytest.mark.parametrize(("name", "dim", "arg", "coord"), list(_nan_cases()))
def test_nan_anywhere_gives_nan(name, dim, arg, coord):
    func, points = FUNCTIONS[name]
    args = _lift(points, dim)
    assert np.all(np.isfinite(func(*args))), "the clean argument set must give a finite value"
    args[arg][coord] = np.nan
    result = np.asarray(func(*args))
    if name == "midpoint":
        assert np.isnan(result[coord])
    else:
        assert np.isnan(result)


@pytest.mark.parametrize("name", list(FUNCTIONS))
@pytest.mark.parametrize("dim", [2, 3])
def test_nan_in_batch_only_affects_its_row(name, dim):
    func, points = FUNCTIONS[name]
    frames = 5
    args = [np.tile(p, (frames, 1)) for p in _lift(points, dim)]
    # Make the frames differ so a row mix-up would show.
    args = [a * (1.0 + 0.1 * np.arange(frames))[:, None] for a in args]
    bad_row = 2
    args[-1][bad_row, 0] = np.nan
    result = np.asarray(func(*args))
    assert result.shape[0] == frames
    row_is_nan = np.isnan(result).reshape(frames, -1).any(axis=1)
    assert row_is_nan.tolist() == [i == bad_row for i in range(frames)]


@pytest.mark.parametrize(
    ("name", "args"),
    [
        pytest.param("joint_angle", [(0, 0), (0, 0), (1, 1)], id="joint_angle-a-equals-b"),
        pytest.param("joint_angle", [(1, 1), (0, 0), (0, 0)], id="joint_angle-c-equals-b"),
        pytest.param("joint_angle", [(1, 1, 1)] * 3, id="joint_angle-3d-all-same"),
        pytest.param("flexion", [(0, 0), (0, 0), (1, 1)], id="flexion-a-equals-b"),
        pytest.param("angle_between", [(1, 1), (1, 1), (0, 0), (0, 1)], id="angle_between-a"),
        pytest.param("angle_between", [(0, 0), (0, 1), (2, 2), (2, 2)], id="angle_between-b"),
        pytest.param("inclination_from_vertical", [(3, 3), (3, 3)], id="inclination"),
        pytest.param("inclination_from_vertical", [(0, 1, 2), (0, 1, 2)], id="inclination-3d"),
        pytest.param("elevation", [(3, 3), (3, 3)], id="elevation"),
        pytest.param("relative_distance", [(0, 0), (3, 4), (1, 1), (1, 1)], id="rel-distance"),
        pytest.param(
            "relative_distance", [(0, 0, 0), (0, 0, 1), (1, 1, 1), (1, 1, 1)], id="rel-dist-3d"
        ),
        pytest.param("relative_height", [(0, 0), (3, 4), (1, 1), (1, 1)], id="rel-height"),
    ],
)
def test_zero_length_segment_gives_nan(name, args):
    func, _ = FUNCTIONS[name]
    assert math.isnan(func(*args))


def test_zero_length_segment_in_batch_only_affects_its_row():
    a = np.array([[1, 0], [0, 0], [1, 0]], dtype=float)
    b = np.zeros(2)
    c = np.array([[0, 1], [0, 1], [0, 0]], dtype=float)
    result = g.joint_angle(a, b, c)
    assert result[0] == pytest.approx(90.0)
    assert np.isnan(result[1:]).all()


def _mixing_cases():
    for name, (_, points) in FUNCTIONS.items():
        for arg in range(len(points)):
            yield pytest.param(name, arg, id=f"{name}-arg{arg}-3d")


@pytest.mark.parametrize(("name", "arg"), list(_mixing_cases()))
def test_mixing_2d_and_3d_raises(name, arg):
    func, points = FUNCTIONS[name]
    args = _lift(points, 2)
    args[arg] = _lift(points, 3)[arg]
    with pytest.raises(ValueError, match="2 or all have 3"):
        func(*args)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        pytest.param(
            "relative_distance",
            [(0, 0), (3, 4), (0, 0, 0), (0, 0, 5)],
            id="relative_distance-2d-points-3d-ref",
        ),
        pytest.param(
            "relative_height",
            [(0, 0), (0, 5), (0, 0, 0), (0, 0, 5)],
            id="relative_height-2d-points-3d-ref",
        ),
        pytest.param(
            "relative_height",
            [(0, 0, 0), (0, 5, 0), (0, 0), (0, 5)],
            id="relative_height-3d-points-2d-ref",
        ),
    ],
)
def test_mixing_2d_points_with_3d_reference_raises(name, args):
    func, _ = FUNCTIONS[name]
    with pytest.raises(ValueError):
        func(*args)


@pytest.mark.parametrize("bad", [(1.0,), (1.0, 2.0, 3.0, 4.0)])
def test_points_must_have_two_or_three_coordinates(bad):
    with pytest.raises(ValueError):
        g.distance(bad, bad)


# ---------------------------------------------------------------------------------------------
# Symmetry and invariance on a whole pose
# ---------------------------------------------------------------------------------------------


def _random_pose() -> np.ndarray:
    return np.random.default_rng(0).normal(scale=0.4, size=(NUM_LANDMARKS, 3))


def _swap_side(name: str) -> str:
    if name.startswith("left_"):
        return "right_" + name[len("left_") :]
    if name.startswith("right_"):
        return "left_" + name[len("right_") :]
    return name


def test_mirrored_pose_gives_same_key_angles_with_sides_swapped():
    pose = _random_pose()
    mirrored = (pose * np.array([-1.0, 1.0, 1.0]))[list(MIRROR_INDEX)]
    original = key_angles(pose)
    reflected = key_angles(mirrored)
    assert set(original) == {a.name for a in KEY_ANGLES}
    assert all(np.isfinite(v) for v in original.values())
    for name, value in original.items():
        assert reflected[_swap_side(name)] == pytest.approx(value, abs=1e-9), name
    # The test must be able to tell sides apart: on a random pose left and right differ.
    assert original["left_knee"] != pytest.approx(original["right_knee"], abs=1e-3)


def test_mirrored_pose_in_2d_gives_same_key_angles_with_sides_swapped():
    pose = _random_pose()[:, :2] * 100 + 300
    mirrored = (pose * np.array([-1.0, 1.0]) + np.array([640.0, 0.0]))[list(MIRROR_INDEX)]
    original = key_angles(pose)
    reflected = key_angles(mirrored)
    for name, value in original.items():
        assert reflected[_swap_side(name)] == pytest.approx(value, abs=1e-9), name


def _random_rotation(seed: int) -> np.ndarray:
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    if np.linalg.det(q) < 0:
        q[:, 0] = -q[:, 0]
    return q


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_3d_joint_angles_are_rotation_invariant(seed):
    rotation = _random_rotation(seed)
    assert np.allclose(rotation @ rotation.T, np.eye(3))
    assert np.linalg.det(rotation) == pytest.approx(1.0)
    pose = _random_pose()
    rotated = pose @ rotation.T + np.array([0.3, -0.2, 1.5])
    original = key_angles(pose)
    turned = key_angles(rotated)
    for angle in KEY_ANGLES:
        if angle.kind == "from_vertical":
            continue  # measured against world up, so it must change with the body's rotation
        assert turned[angle.name] == pytest.approx(original[angle.name], abs=1e-9), angle.name
    assert turned["trunk_from_vertical"] != pytest.approx(original["trunk_from_vertical"], abs=1)


def test_key_angles_nan_where_a_landmark_is_missing():
    pose = _random_pose()
    pose[25] = np.nan  # LEFT_KNEE
    angles = key_angles(pose)
    for name in ("left_knee", "left_hip", "left_ankle", "thighs"):
        assert math.isnan(angles[name]), name
    for name in ("right_knee", "right_hip", "left_elbow", "trunk_from_vertical"):
        assert math.isfinite(angles[name]), name


# ---------------------------------------------------------------------------------------------
# Twist (3D only): signed rotation about up between two horizontal directions
# ---------------------------------------------------------------------------------------------

O3 = (0.0, 0.0, 0.0)


@pytest.mark.parametrize(
    ("a2", "b2", "expected"),
    [
        pytest.param((1, 0, 0), (1, 0, 0), 0.0, id="same"),
        pytest.param((1, 0, 0), (0, 0, 1), 90.0, id="x-to-z"),
        pytest.param((0, 0, 1), (1, 0, 0), -90.0, id="z-to-x"),
        pytest.param((1, 0, 0), (1, 0, 1), 45.0, id="45"),
        pytest.param((1, 0, 0), (1, 0, -1), -45.0, id="minus-45"),
        pytest.param((1, 0, 0), (-1, 0, 0), 180.0, id="reversed"),
        pytest.param((1, -0.5, 0), (0, 0.7, 2), 90.0, id="vertical-parts-ignored"),
    ],
)
def test_twist_known_answers(a2, b2, expected):
    assert g.twist(O3, a2, O3, b2) == pytest.approx(expected, abs=1e-9)


def test_twist_custom_up_and_batch():
    # About +z (seen from the camera side), x turns to y by +90.
    assert g.twist(O3, (1, 0, 0), O3, (0, 1, 0), up=(0, 0, 1)) == pytest.approx(90.0)
    b2 = np.array([[1, 0, 0], [0, 0, 1], [-1, 0, 0]], dtype=float)
    np.testing.assert_allclose(g.twist(O3, (1, 0, 0), O3, b2), [0, 90, 180], atol=1e-9)


def test_twist_nan_degenerate_and_2d():
    assert math.isnan(g.twist(O3, (np.nan, 0, 0), O3, (0, 0, 1)))
    assert math.isnan(g.twist(O3, (1, 0, 0), O3, (0, -1, 0)))  # vertical: no horizontal part
    with pytest.raises(ValueError):
        g.twist((0, 0), (1, 0), (0, 0), (0, 1))


def test_twist_flips_sign_in_a_mirror_and_ignores_turning_about_up():
    rng = np.random.default_rng(5)
    a1, a2, b1, b2 = rng.normal(size=(4, 3))
    value = g.twist(a1, a2, b1, b2)
    assert abs(value) > 1
    flip = np.array([-1.0, 1.0, 1.0])
    assert g.twist(a1 * flip, a2 * flip, b1 * flip, b2 * flip) == pytest.approx(-value)
    turn = np.radians(37.0)
    about_up = np.array(
        [[math.cos(turn), 0, math.sin(turn)], [0, 1, 0], [-math.sin(turn), 0, math.cos(turn)]]
    )
    turned = [p @ about_up.T for p in (a1, a2, b1, b2)]
    assert g.twist(*turned) == pytest.approx(value, abs=1e-9)
