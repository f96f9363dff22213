"""Tests of the synthetic practitioner: kinematics, camera, poses, rendering, and MediaPipe."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from aligncheck.geometry import joint_angle
from aligncheck.landmarks import MIRROR_INDEX
from aligncheck.landmarks import Landmark as L
from aligncheck.synth import (
    BodyShape,
    Camera,
    PoseFileError,
    PoseParams,
    Step,
    interpolate,
    load_poses,
    mirror_params,
    pose_at,
    pose_body,
    render,
    sequence_duration,
    view_camera,
    view_direction,
)
from aligncheck.synth.render import framing_points

SEATED = PoseParams(
    left_hip_flexion=90, right_hip_flexion=90, left_elbow_flexion=90, right_elbow_flexion=90
)
BONES = (
    (L.LEFT_HIP, L.LEFT_KNEE, "thigh"),
    (L.RIGHT_KNEE, L.RIGHT_ANKLE, "shank"),
    (L.LEFT_SHOULDER, L.LEFT_ELBOW, "upper_arm"),
    (L.RIGHT_ELBOW, L.RIGHT_WRIST, "forearm"),
)


@pytest.fixture(scope="module")
def library():
    return load_poses()


# --- forward kinematics -----------------------------------------------------------------------


def test_zero_pose_is_standing_upright_facing_x():
    sk = pose_body(PoseParams())
    p = sk.landmarks
    assert (
        p[L.NOSE, 2]
        > p[L.LEFT_SHOULDER, 2]
        > p[L.LEFT_HIP, 2]
        > p[L.LEFT_KNEE, 2]
        > p[L.LEFT_ANKLE, 2]
    )
    assert 1.6 < sk.joints["head"][2] + 0.11 < 1.8  # about 1.70 m tall
    assert p[L.LEFT_HIP, 1] > 0 > p[L.RIGHT_HIP, 1]  # left side towards +y
    assert p[L.NOSE, 0] > sk.joints["head"][0]  # faces +x
    assert p[L.LEFT_FOOT_INDEX, 0] > p[L.LEFT_HEEL, 0]
    # straight legs: hip, knee and ankle on one vertical line
    np.testing.assert_allclose(p[L.LEFT_KNEE, :2], p[L.LEFT_HIP, :2], atol=1e-9)
    np.testing.assert_allclose(p[L.LEFT_ANKLE, :2], p[L.LEFT_HIP, :2], atol=1e-9)
    assert min(p[L.LEFT_HEEL, 2], p[L.RIGHT_HEEL, 2]) == pytest.approx(BodyShape().radius("foot"))


@pytest.mark.parametrize(
    "params",
    [
        PoseParams(),
        SEATED.with_(
            left_knee_flexion=120,
            right_shoulder_flexion=70,
            left_hip_abduction=40,
            lumbar_twist=20,
            pelvis_tilt=30,
            right_elbow_flexion=50,
        ),
    ],
)
@pytest.mark.parametrize("height", [1.55, 1.70, 1.90])
def test_bone_lengths_are_preserved(params, height):
    body = BodyShape(height=height)
    sk = pose_body(params, body)
    for a, b, name in BONES:
        assert np.linalg.norm(sk.landmarks[a] - sk.landmarks[b]) == pytest.approx(body.length(name))


@pytest.mark.parametrize("flexion", [0.0, 45.0, 90.0, 130.0])
def test_knee_flexion_gives_the_inner_knee_angle(flexion):
    sk = pose_body(SEATED.with_(right_knee_flexion=flexion, right_hip_abduction=20))
    p = sk.landmarks
    angle = joint_angle(p[L.RIGHT_HIP], p[L.RIGHT_KNEE], p[L.RIGHT_ANKLE])
    assert angle == pytest.approx(180.0 - flexion)
    assert sk.landmarks is not None and pose_body(SEATED).landmarks[L.RIGHT_KNEE, 2] > 0


def test_seated_pose_rests_on_the_floor_with_horizontal_thighs():
    p = pose_body(SEATED).landmarks
    assert p[L.LEFT_KNEE, 2] == pytest.approx(p[L.LEFT_HIP, 2])
    assert p[L.LEFT_KNEE, 0] - p[L.LEFT_HIP, 0] == pytest.approx(BodyShape().length("thigh"))
    assert 0.05 < p[L.LEFT_HIP, 2] < 0.2


def test_positive_flexions_bend_forward():
    straight = pose_body(SEATED)
    rounded = pose_body(SEATED.with_(lumbar_flexion=20, thoracic_flexion=20, upper_flexion=20))
    tilted = pose_body(SEATED.with_(pelvis_tilt=40, left_hip_flexion=130, right_hip_flexion=130))
    for folded in (rounded, tilted):
        assert folded.landmarks[L.NOSE, 0] > straight.landmarks[L.NOSE, 0] + 0.2
    # folding from the hips keeps the spine straight: its points stay on one line
    spine = np.array([tilted.joints[f"spine{i}"] for i in range(4)])
    bent = np.cross(spine[1] - spine[0], spine[3] - spine[0])
    assert np.linalg.norm(bent) == pytest.approx(0.0, abs=1e-9)
    assert tilted.landmarks[L.LEFT_KNEE, 2] == pytest.approx(tilted.landmarks[L.LEFT_HIP, 2])


def test_mirroring_a_pose_mirrors_the_points(library):
    params = library.pose("janu_right_twist")
    original = pose_body(params).landmarks
    mirrored = pose_body(mirror_params(params)).landmarks
    expected = original[list(MIRROR_INDEX)] * np.array([1.0, -1.0, 1.0])
    np.testing.assert_allclose(mirrored, expected, atol=1e-9)
    assert not np.allclose(mirrored, original, atol=1e-3)  # the pose is not symmetric itself


def test_pose_params_reject_bad_values():
    with pytest.raises(ValueError, match="finite"):
        PoseParams(left_knee_flexion=math.nan)
    with pytest.raises(TypeError):
        PoseParams().with_(left_knee=3.0)  # type: ignore[call-arg]
    with pytest.raises(dataclasses.FrozenInstanceError):
        PoseParams().root_x = 1.0  # type: ignore[misc]


# --- camera -----------------------------------------------------------------------------------


def test_point_on_the_optical_axis_projects_to_the_image_centre():
    cam = Camera(position=(0.0, -4.0, 1.0), target=(1.0, 0.0, 0.5), width=960, height=720)
    on_axis = np.array(cam.position) + 2.5 * (np.array(cam.target) - np.array(cam.position))
    np.testing.assert_allclose(cam.project(on_axis), [480.0, 360.0], atol=1e-9)
    assert cam.depth(on_axis) == pytest.approx(
        2.5 * np.linalg.norm(np.subtract(cam.target, cam.position))
    )


def test_projection_known_answers_and_perspective():
    cam = Camera(
        position=(0.0, 0.0, 0.0), target=(1.0, 0.0, 0.0), fov_y=90.0, width=200, height=100
    )
    assert cam.focal_px == pytest.approx(50.0)
    # world +z (up) is image up; world +y is to the camera's left when looking along +x
    np.testing.assert_allclose(cam.project(np.array([2.0, 0.0, 1.0])), [100.0, 25.0])
    np.testing.assert_allclose(cam.project(np.array([2.0, 1.0, 0.0])), [75.0, 50.0])
    near = cam.project(np.array([[2.0, 0.0, 0.5], [2.0, 0.0, -0.5]]))
    far = cam.project(np.array([[4.0, 0.0, 0.5], [4.0, 0.0, -0.5]]))
    assert abs(far[0, 1] - far[1, 1]) == pytest.approx(abs(near[0, 1] - near[1, 1]) / 2.0)
    assert np.isnan(cam.project(np.array([-1.0, 0.0, 0.0]))).all()


def test_jacobian_matches_finite_differences():
    cam = Camera(position=(0.3, -3.0, 1.2), target=(0.4, 0.0, 0.4))
    point, eps = np.array([0.5, 0.2, 0.6]), 1e-6
    numeric = np.stack(
        [
            (cam.project(point + eps * e) - cam.project(point - eps * e)) / (2 * eps)
            for e in np.eye(3)
        ],
        axis=1,
    )
    np.testing.assert_allclose(cam.jacobian(point), numeric, rtol=1e-5)


@pytest.mark.parametrize("view", ["right", "left", "front", "diagonal_left"])
def test_view_camera_frames_the_body(view):
    points = framing_points(pose_body(SEATED))
    cam = view_camera(points, view, fill=0.7)
    px = cam.project(points)
    assert cam.in_frame(px).all()
    span = (px.max(axis=0) - px.min(axis=0)) / [cam.width, cam.height]
    assert max(span) == pytest.approx(0.7, abs=0.02)
    towards = np.subtract(cam.position, cam.target)
    assert towards @ view_direction(view) > 0.99 * np.linalg.norm(towards)


def test_camera_rejects_degenerate_setups():
    with pytest.raises(ValueError, match="differ"):
        Camera(position=(1.0, 1.0, 1.0), target=(1.0, 1.0, 1.0))
    with pytest.raises(ValueError, match="parallel"):
        Camera(position=(0.0, 0.0, 5.0), target=(0.0, 0.0, 0.0))
    with pytest.raises(ValueError, match="view"):
        view_direction("sideways")


# --- poses and sequences ------------------------------------------------------------------------

REQUIRED_POSES = (
    "seated_straight_legs",
    "janu_right_upright",
    "janu_left_upright",
    "janu_right_twist",
    "janu_right_folded",
    "janu_right_folded_rounded",
    "janu_right_upright_leaning_back",
    "janu_right_knee_floating",
    "janu_right_heel_on_knee",
    "janu_right_straight_knee_bent",
    "janu_right_thighs_narrow",
)


def _angles(library, name):
    from aligncheck.synth import true_angles

    return true_angles(pose_body(library.pose(name)).landmarks)


def test_bundled_poses_load_and_have_the_named_alignment(library):
    assert set(REQUIRED_POSES) <= set(library.poses)
    upright = _angles(library, "janu_right_upright")
    assert upright["right_knee"] > 175 and upright["left_knee"] < 30
    assert upright["thighs"] > 90 and upright["trunk_from_vertical"] < 15
    assert _angles(library, "janu_right_thighs_narrow")["thighs"] < 90
    assert _angles(library, "janu_right_straight_knee_bent")["right_knee"] < 160
    assert _angles(library, "janu_right_folded")["trunk_from_vertical"] > 45
    assert _angles(library, "janu_right_upright_leaning_back")["trunk_from_vertical"] > 15
    knee_height = {
        n: pose_body(library.pose(n)).landmarks[L.LEFT_KNEE, 2]
        for n in ("janu_right_upright", "janu_right_knee_floating")
    }
    assert knee_height["janu_right_knee_floating"] > knee_height["janu_right_upright"] + 0.1


def test_rounded_fold_spreads_flexion_over_the_spine(library):
    good, bad = library.pose("janu_right_folded"), library.pose("janu_right_folded_rounded")
    spine = ("lumbar_flexion", "thoracic_flexion", "upper_flexion")
    assert all(getattr(bad, s) >= 15 for s in spine)
    assert bad.pelvis_tilt < 0 < good.pelvis_tilt


def test_left_poses_mirror_right_poses(library):
    assert library.pose("janu_left_folded") == mirror_params(library.pose("janu_right_folded"))


def test_pose_file_errors_name_the_problem(tmp_path: Path):
    bad = tmp_path / "poses.yaml"
    bad.write_text("version: 1\nposes:\n  p: {angles: {left_knee_flexon: 3}}\n")
    with pytest.raises(PoseFileError, match="left_knee_flexion"):
        load_poses(bad)
    bad.write_text("version: 1\nposes:\n  p: {base: q}\n  q: {base: p}\n")
    with pytest.raises(PoseFileError, match="loop"):
        load_poses(bad)


def test_interpolation_and_sequences():
    a, b = PoseParams(), PoseParams(left_knee_flexion=90.0, root_yaw=-40.0)
    assert interpolate(a, b, 0.0) == a and interpolate(a, b, 1.0) == b
    assert interpolate(a, b, 0.5).left_knee_flexion == pytest.approx(45.0)
    assert interpolate(a, b, 0.25).left_knee_flexion < 0.25 * 90.0  # eased start
    poses = {"a": a, "b": b}
    steps = (Step("a", hold=1.0), Step("b", hold=2.0, transition=1.0))
    assert sequence_duration(steps) == 4.0
    assert pose_at(steps, poses, 0.5) == a
    assert pose_at(steps, poses, 1.5).left_knee_flexion == pytest.approx(45.0)
    assert pose_at(steps, poses, 3.0) == b and pose_at(steps, poses, 99.0) == b


# --- rendering --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def upright(library):
    return render(library.pose("janu_right_upright"), view="left", width=640, height=480)


def test_render_is_deterministic_and_carries_the_truth(library, upright):
    again = render(library.pose("janu_right_upright"), view="left", width=640, height=480)
    assert np.array_equal(upright.image, again.image)
    assert upright.image.shape == (480, 640, 3) and upright.image.dtype == np.uint8
    np.testing.assert_allclose(upright.image_xy, upright.camera.project(upright.world_xyz))
    assert upright.in_frame.all()
    assert upright.angles["right_knee"] == pytest.approx(180.0, abs=0.5)


def test_render_draws_the_body_where_the_landmarks_are(upright):
    background = upright.image[2, 2].astype(int)
    for lm in (L.LEFT_KNEE, L.LEFT_HIP, L.LEFT_SHOULDER, L.NOSE):
        x, y = np.round(upright.image_xy[lm]).astype(int)
        assert np.abs(upright.image[y, x].astype(int) - background).sum() > 30


def test_occlusion_flags_the_far_side_in_a_side_view(upright):
    # camera on the person's left: the left (bent) knee is near, the right ear is hidden
    assert not upright.occluded[L.LEFT_KNEE]
    assert not upright.occluded[L.LEFT_EAR] and upright.occluded[L.RIGHT_EAR]
    assert upright.occluded[L.RIGHT_SHOULDER]


def test_default_body_and_palette_still_render_the_bundled_stills_exactly(library):
    # the population's extensions (proportions, patterns, hair styles, rooms, light) default
    # to the original practitioner: the committed sample stills are reproduced bit for bit
    import cv2

    from aligncheck.synth.samples import STILLS

    samples = Path(__file__).resolve().parent.parent / "samples"
    for still in STILLS:
        shot = render(library.pose(still.pose), view=still.view, elevation=still.elevation)
        committed = cv2.imread(str(samples / f"{still.name}.png"))
        assert np.array_equal(shot.image, committed), still.name


# --- end to end through MediaPipe -------------------------------------------------------------


def _measured(estimator, result):
    from aligncheck.angles import key_angles
    from aligncheck.core import Frame

    pose = estimator.estimate(Frame(np.ascontiguousarray(result.image), 0, 0.0))
    assert pose.detected
    # MediaPipe may swap left and right in profile; compare with whichever labelling fits
    options = [pose.image_xy, pose.image_xy[list(MIRROR_INDEX)]]

    def error(xy: np.ndarray) -> float:
        return float(np.median(np.linalg.norm(xy - result.image_xy, axis=1)[result.visible]))

    xy = min(options, key=error)
    return key_angles(xy), key_angles(result.image_xy)


@pytest.mark.parametrize(
    ("pose", "view", "angles"),
    [
        (
            "seated_straight_legs",
            "diagonal_left",
            ("left_knee", "right_knee", "left_hip", "right_hip"),
        ),
        ("janu_right_upright", "left", ("left_knee", "right_knee", "left_hip", "left_elbow")),
        (
            "janu_right_upright",
            "diagonal_left",
            ("left_knee", "right_knee", "left_hip", "right_hip"),
        ),
    ],
)
def test_mediapipe_finds_the_figure_and_its_angles(image_estimator, library, pose, view, angles):
    result = render(library.pose(pose), view=view)
    measured, truth = _measured(image_estimator, result)
    for name in angles:
        assert abs(measured[name] - truth[name]) < 15.0, (name, measured[name], truth[name])
