"""Measures on hand-built poses: known answers per type, mirroring, near/far landmarks, hidden
landmarks; the camera-view recogniser; geometry.line_offset's sign convention; the back's curve
read from the pose's back profile, and why it is missing."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from aligncheck import geometry as g
from aligncheck.core import PoseFrame
from aligncheck.landmarks import MIRROR_INDEX, NUM_LANDMARKS, Landmark
from aligncheck.rules.measures import camera_view, evaluate, trunk_foreshortening
from aligncheck.rules.schema import MEASURE_TYPES, VIEWS, Measure, Point

L = Landmark
SIZE = (640, 480)
THRESHOLD = 0.5
SIN30, COS30 = 0.5, math.sqrt(3) / 2

# ---------------------------------------------------------------------------------------------
# Building measures and poses by hand
# ---------------------------------------------------------------------------------------------


def _point(text: str) -> Point:
    """'RIGHT_KNEE', 'NEAR_EAR' or 'mid(LEFT_HIP, RIGHT_HIP)', as the loader would build it."""
    match = re.fullmatch(r"mid\((\w+), (\w+)\)", text)
    names = match.groups() if match else (text,)
    landmarks, relative = [], []
    for name in names:
        prefix, _, part = name.partition("_")
        if prefix in ("NEAR", "FAR"):  # stored as LEFT_, resolved with the camera's near side
            landmarks.append(L[f"LEFT_{part}"])
            relative.append(prefix.lower())
        else:
            landmarks.append(L[name])
            relative.append("")
    return Point(tuple(landmarks), text, tuple(relative))


def _measure(kind: str, points: list[str], reference=None, space: str = "image") -> Measure:
    return Measure(
        id=kind,
        type=kind,
        points=tuple(_point(p) for p in points),
        space=space,  # type: ignore[arg-type]
        views=frozenset(VIEWS),
        label=kind,
        reference=tuple(_point(p) for p in reference) if reference else None,  # type: ignore[arg-type]
    )


def _pose(
    image=None, world=None, hidden=(), size=SIZE, visibility=1.0, back_profile=None
) -> PoseFrame:
    """All landmarks at the image centre, except those given in ``image`` (pixels); world
    positions (metres) are the image's at 1 mm per pixel from the centre, z = 0, except those
    given in ``world``. ``hidden`` landmarks get visibility 0.2."""
    centre = np.array([SIZE[0] / 2, SIZE[1] / 2])
    xy = np.tile(centre, (NUM_LANDMARKS, 1))
    for lm, value in (image or {}).items():
        xy[lm] = value
    xyz = np.zeros((NUM_LANDMARKS, 3))
    xyz[:, :2] = (xy - centre) / 1000
    for lm, value in (world or {}).items():
        xyz[lm] = value
    vis = np.full(NUM_LANDMARKS, visibility)
    vis[list(hidden)] = 0.2
    return PoseFrame(xy, xyz, vis, 0.0, size, back_profile=back_profile)


def _mirror_image(pose: PoseFrame) -> PoseFrame:
    """The same body reflected left-right, its left and right landmarks swapped: the pose done
    on the other side."""
    xy = np.array(pose.image_xy)
    xy[:, 0] = pose.image_size[0] - xy[:, 0]
    xyz = np.array(pose.world_xyz)
    xyz[:, 0] = -xyz[:, 0]
    index = list(MIRROR_INDEX)
    return PoseFrame(
        xy[index],
        xyz[index],
        pose.visibility[index],
        0.0,
        pose.image_size,
        back_profile=pose.back_profile,  # measured along the chord: the same either way
    )


THIGH = {L.RIGHT_HIP: (300, 300), L.RIGHT_KNEE: (300, 400)}  # a 100 px reference

# (measure, pose, expected value). Image pixels unless the measure says world.
KNOWN = {
    "joint_angle": (
        _measure("joint_angle", ["RIGHT_HIP", "RIGHT_KNEE", "RIGHT_ANKLE"]),
        _pose({L.RIGHT_HIP: (300, 100), L.RIGHT_KNEE: (300, 200), L.RIGHT_ANKLE: (400, 300)}),
        135.0,
    ),
    "flexion": (
        _measure("flexion", ["RIGHT_HIP", "RIGHT_KNEE", "RIGHT_ANKLE"]),
        _pose({L.RIGHT_HIP: (300, 100), L.RIGHT_KNEE: (300, 200), L.RIGHT_ANKLE: (400, 300)}),
        45.0,
    ),
    "angle_between": (
        _measure("angle_between", ["RIGHT_HIP", "RIGHT_KNEE", "LEFT_HIP", "LEFT_KNEE"]),
        _pose(
            {
                L.RIGHT_HIP: (300, 100),
                L.RIGHT_KNEE: (300, 200),
                L.LEFT_HIP: (400, 100),
                L.LEFT_KNEE: (500, 200),
            }
        ),
        45.0,
    ),
    "inclination": (
        _measure("inclination", ["mid(LEFT_HIP, RIGHT_HIP)", "mid(LEFT_SHOULDER, RIGHT_SHOULDER)"]),
        _pose(
            {
                L.LEFT_HIP: (340, 300),
                L.RIGHT_HIP: (300, 300),
                L.LEFT_SHOULDER: (440, 200),
                L.RIGHT_SHOULDER: (400, 200),
            }
        ),
        45.0,
    ),
    "elevation": (
        _measure("elevation", ["RIGHT_HIP", "RIGHT_WRIST"]),
        _pose({L.RIGHT_HIP: (300, 300), L.RIGHT_WRIST: (300 + 100 * COS30, 300 - 100 * SIN30)}),
        30.0,
    ),
    "twist": (
        _measure(
            "twist",
            ["LEFT_SHOULDER", "RIGHT_SHOULDER", "LEFT_HIP", "RIGHT_HIP"],
            space="world",
        ),
        _pose(
            world={
                L.LEFT_SHOULDER: (-0.2, -0.5, 0.0),
                L.RIGHT_SHOULDER: (0.2, -0.5, 0.0),
                L.LEFT_HIP: (-0.1 * COS30, 0.0, -0.1 * SIN30),
                L.RIGHT_HIP: (0.1 * COS30, 0.0, 0.1 * SIN30),
            }
        ),
        30.0,
    ),
    "distance": (
        _measure("distance", ["RIGHT_WRIST", "RIGHT_HIP"]),
        _pose({L.RIGHT_WRIST: (330, 340), L.RIGHT_HIP: (300, 300)}),
        50.0,
    ),
    "relative_distance": (
        _measure("relative_distance", ["RIGHT_WRIST", "RIGHT_HIP"], ["RIGHT_HIP", "RIGHT_KNEE"]),
        _pose({**THIGH, L.RIGHT_WRIST: (330, 340)}),
        0.5,
    ),
    "relative_height": (
        _measure("relative_height", ["RIGHT_WRIST", "RIGHT_HIP"], ["RIGHT_HIP", "RIGHT_KNEE"]),
        _pose({**THIGH, L.RIGHT_WRIST: (250, 250)}),
        0.5,
    ),
    "line_offset": (
        _measure(
            "line_offset",
            ["RIGHT_HIP", "RIGHT_SHOULDER", "RIGHT_EAR", "RIGHT_KNEE"],
            ["RIGHT_HIP", "RIGHT_SHOULDER"],
        ),
        _pose(
            {
                L.RIGHT_HIP: (300, 300),
                L.RIGHT_SHOULDER: (300, 200),
                L.RIGHT_EAR: (330, 150),
                L.RIGHT_KNEE: (400, 300),
            }
        ),
        0.3,
    ),
    "back_curve": (
        _measure("back_curve", ["mid(LEFT_HIP, RIGHT_HIP)", "mid(LEFT_SHOULDER, RIGHT_SHOULDER)"]),
        _pose(
            {
                L.LEFT_HIP: (300, 300),
                L.RIGHT_HIP: (310, 300),
                L.LEFT_SHOULDER: (300, 200),
                L.RIGHT_SHOULDER: (310, 200),
            },
            back_profile=np.array([0.20, 0.26, 0.30, 0.28, 0.24]),
        ),
        0.06,  # the middle stations lie 0.05, 0.08, 0.05 beyond the ends' line
    ),
}


def test_every_measure_type_has_a_known_answer_here():
    assert set(KNOWN) == set(MEASURE_TYPES)


@pytest.mark.parametrize("kind", sorted(KNOWN))
def test_evaluate_known_answers(kind):
    measure, pose, expected = KNOWN[kind]
    result = evaluate(measure, pose, mirrored=False, threshold=THRESHOLD)
    assert result.visible and result.reason() == ""
    assert result.value == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("kind", sorted(KNOWN))
def test_the_other_side_measured_mirrored_gives_the_same_value(kind):
    measure, pose, expected = KNOWN[kind]
    other_side = _mirror_image(pose)
    value = evaluate(measure, other_side, mirrored=True, threshold=THRESHOLD).value
    assert value == pytest.approx(expected, abs=1e-9)


def test_mirrored_evaluation_reads_the_other_sides_landmarks():
    measure = _measure("joint_angle", ["RIGHT_HIP", "RIGHT_KNEE", "RIGHT_ANKLE"])
    pose = _pose(
        {
            L.RIGHT_HIP: (300, 100),
            L.RIGHT_KNEE: (300, 200),
            L.RIGHT_ANKLE: (300, 300),  # straight
            L.LEFT_HIP: (400, 100),
            L.LEFT_KNEE: (400, 200),
            L.LEFT_ANKLE: (500, 200),  # right angle
        }
    )
    assert evaluate(measure, pose, False, THRESHOLD).value == pytest.approx(180.0)
    assert evaluate(measure, pose, True, THRESHOLD).value == pytest.approx(90.0)


def test_twist_flips_sign_when_mirrored_on_the_same_pose():
    measure, pose, expected = KNOWN["twist"]
    # Same body, read for the other side: the landmarks swap (which alone keeps the angle) and
    # the sign flips, because turning to the right leg mirrors to turning to the left one.
    assert evaluate(measure, pose, True, THRESHOLD).value == pytest.approx(-expected)


def test_world_space_sees_a_bend_towards_the_camera_that_the_image_cannot():
    points = ["RIGHT_HIP", "RIGHT_KNEE", "RIGHT_ANKLE"]
    # The shin points straight at the camera (-z): in the image the ankle sits on the knee.
    pose = _pose(
        image={L.RIGHT_HIP: (300, 100), L.RIGHT_KNEE: (300, 200), L.RIGHT_ANKLE: (300, 200)},
        world={
            L.RIGHT_HIP: (0.0, -0.4, 0.0),
            L.RIGHT_KNEE: (0.0, 0.0, 0.0),
            L.RIGHT_ANKLE: (0.0, 0.0, -0.4),
        },
    )
    world = evaluate(_measure("joint_angle", points, space="world"), pose, False, THRESHOLD)
    image = evaluate(_measure("joint_angle", points), pose, False, THRESHOLD)
    assert world.value == pytest.approx(90.0)
    assert math.isnan(image.value)  # zero-length shin in the image: no direction, no angle


# Right knee bent to 90, left knee straight; NEAR_/FAR_ follow the camera, not the side.
NEAR_FAR = [
    ("NEAR", "LEFT", False, 180.0),
    ("NEAR", "RIGHT", False, 90.0),
    ("FAR", "LEFT", False, 90.0),
    ("FAR", "RIGHT", False, 180.0),
    ("NEAR", "LEFT", True, 180.0),
    ("FAR", "RIGHT", True, 180.0),
]


@pytest.mark.parametrize(("prefix", "near", "mirrored", "expected"), NEAR_FAR)
def test_near_and_far_landmarks_follow_the_camera(prefix, near, mirrored, expected):
    measure = _measure("joint_angle", [f"{prefix}_HIP", f"{prefix}_KNEE", f"{prefix}_ANKLE"])
    pose = _pose(
        {
            L.RIGHT_HIP: (300, 100),
            L.RIGHT_KNEE: (300, 200),
            L.RIGHT_ANKLE: (400, 200),
            L.LEFT_HIP: (400, 100),
            L.LEFT_KNEE: (400, 200),
            L.LEFT_ANKLE: (400, 300),
        }
    )
    value = evaluate(measure, pose, mirrored, THRESHOLD, near=near).value
    assert value == pytest.approx(expected)
    side = near if prefix == "NEAR" else {"LEFT": "RIGHT", "RIGHT": "LEFT"}[near]
    assert measure.landmarks(mirrored, near) == (
        L[f"{side}_HIP"],
        L[f"{side}_KNEE"],
        L[f"{side}_ANKLE"],
    )


KNEE = ["RIGHT_HIP", "RIGHT_KNEE", "RIGHT_ANKLE"]
STRAIGHT_RIGHT_LEG = {L.RIGHT_HIP: (300, 100), L.RIGHT_KNEE: (300, 200), L.RIGHT_ANKLE: (300, 300)}


@pytest.mark.parametrize("space", ["image", "world"])
def test_hidden_landmarks_give_nan_and_a_reason_naming_them(space):
    measure = _measure("joint_angle", KNEE, space=space)
    pose = _pose(STRAIGHT_RIGHT_LEG, hidden=[L.RIGHT_KNEE, L.RIGHT_ANKLE, L.LEFT_KNEE])
    result = evaluate(measure, pose, False, THRESHOLD)
    assert math.isnan(result.value) and not result.visible
    assert result.hidden == (L.RIGHT_KNEE, L.RIGHT_ANKLE)  # only those this measure needs
    assert result.reason() == "not visible: right knee, right ankle"
    # The other side's measure does not need them.
    left_leg = {L.LEFT_HIP: (400, 100), L.LEFT_KNEE: (400, 200), L.LEFT_ANKLE: (400, 300)}
    assert evaluate(measure, _pose(left_leg, hidden=[L.RIGHT_KNEE]), True, THRESHOLD).visible


def test_a_degenerate_shape_is_unmeasurable_not_hidden():
    measure = _measure("joint_angle", KNEE)  # every landmark on one spot: no angle exists
    result = evaluate(measure, _pose(), False, THRESHOLD)
    assert math.isnan(result.value) and result.hidden == ()
    assert result.reason() == "not measurable in this position"


def test_visibility_exactly_at_the_threshold_counts_as_visible():
    measure = _measure("joint_angle", KNEE)
    assert evaluate(measure, _pose(STRAIGHT_RIGHT_LEG, visibility=0.5), False, 0.5).visible
    assert not evaluate(measure, _pose(STRAIGHT_RIGHT_LEG, visibility=0.5), False, 0.51).visible


def test_nobody_in_view_hides_everything():
    result = evaluate(_measure("joint_angle", KNEE), PoseFrame.empty(0.0, SIZE), False, THRESHOLD)
    assert math.isnan(result.value)
    assert set(result.hidden) == {L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE}


def test_a_hidden_landmark_inside_mid_hides_the_point():
    measure, pose, _ = KNOWN["inclination"]
    hidden = _pose(
        {lm: tuple(pose.image_xy[lm]) for lm in (L.LEFT_HIP, L.RIGHT_HIP)},
        hidden=[L.LEFT_SHOULDER],
    )
    result = evaluate(measure, hidden, False, THRESHOLD)
    assert math.isnan(result.value) and result.hidden == (L.LEFT_SHOULDER,)


@pytest.mark.parametrize(
    "ankle",
    [(700, 300), (-1, 300), (300, 480), (300, -0.5)],
    ids=["right-of-frame", "left-of-frame", "below-frame", "above-frame"],
)
def test_out_of_frame_landmarks_are_hidden_for_image_measures_only(ankle):
    pose = _pose(
        {**STRAIGHT_RIGHT_LEG, L.RIGHT_ANKLE: ankle},
        world={L.RIGHT_HIP: (0, -0.4, 0), L.RIGHT_KNEE: (0, 0, 0), L.RIGHT_ANKLE: (0, 0.4, 0)},
    )
    image = evaluate(_measure("joint_angle", KNEE), pose, False, THRESHOLD)
    assert math.isnan(image.value)
    assert image.reason() == "not visible: right ankle"
    world = evaluate(_measure("joint_angle", KNEE, space="world"), pose, False, THRESHOLD)
    assert world.value == pytest.approx(180.0)


# ---------------------------------------------------------------------------------------------
# Camera view
# ---------------------------------------------------------------------------------------------


def _body(yaw: float = 0.0, hidden=()) -> PoseFrame:
    """A standing body turned ``yaw`` degrees about the vertical (0: facing the camera, 90: its
    left side towards the camera), imaged orthographically at 400 px per metre."""
    half = {"SHOULDER": (0.18, -0.5), "HIP": (0.1, 0.0), "KNEE": (0.1, 0.45), "EAR": (0.07, -0.6)}
    xyz = np.zeros((NUM_LANDMARKS, 3))
    xyz[:, 1] = -0.3
    for part, (x, y) in half.items():
        xyz[L[f"LEFT_{part}"]] = (x, y, 0.0)  # the person's left is the camera's right
        xyz[L[f"RIGHT_{part}"]] = (-x, y, 0.0)
    a = math.radians(yaw)
    rotated = np.stack(
        [xyz[:, 0] * math.cos(a), xyz[:, 1], -xyz[:, 0] * math.sin(a)], axis=1
    )  # z grows away from the camera
    xy = np.array([320.0, 300.0]) + 400.0 * rotated[:, :2]
    vis = np.ones(NUM_LANDMARKS)
    vis[list(hidden)] = 0.1
    return PoseFrame(xy, rotated, vis, 0.0, SIZE)


@pytest.mark.parametrize(
    ("yaw", "name", "near", "includes", "excludes"),
    [
        (0, "front", "LEFT", {"front"}, {"back", "side"}),
        (30, "front", "LEFT", {"front", "diagonal"}, {"back", "side"}),
        (45, "diagonal", "LEFT", {"diagonal"}, {"front", "back", "side"}),
        (70, "side", "LEFT", {"side"}, {"front", "back"}),
        (90, "side", "LEFT", {"side"}, {"front", "back", "diagonal"}),
        (-90, "side", "RIGHT", {"side"}, {"front", "back", "diagonal"}),
        (180, "back", "LEFT", {"back"}, {"front", "side"}),
    ],
)
def test_camera_view_from_how_wide_the_body_looks(yaw, name, near, includes, excludes):
    view = camera_view(_body(yaw))
    assert view.name == name
    assert view.near == near
    assert includes <= view.matches and not (excludes & view.matches)
    assert view.turned == pytest.approx(abs(math.cos(math.radians(yaw))), abs=1e-9)


def test_which_hip_is_on_the_images_right_decides_front_or_back():
    front = _body(0)
    xy = np.array(front.image_xy)
    xy[[L.LEFT_HIP, L.RIGHT_HIP]] = xy[[L.RIGHT_HIP, L.LEFT_HIP]]
    back = PoseFrame(xy, front.world_xyz, front.visibility, 0.0, SIZE)
    assert camera_view(front).name == "front" and "front" in camera_view(front).matches
    assert camera_view(back).name == "back" and "back" in camera_view(back).matches
    assert "front" not in camera_view(back).matches


@pytest.mark.parametrize(
    ("hidden", "near"),
    [((L.RIGHT_SHOULDER, L.RIGHT_KNEE), "LEFT"), ((L.LEFT_SHOULDER, L.LEFT_HIP), "RIGHT")],
)
def test_a_hidden_shoulder_means_a_side_view_from_the_visible_side(hidden, near):
    view = camera_view(_body(0, hidden=hidden))
    assert (view.name, view.near, view.matches) == ("side", near, frozenset({"side"}))


def _leaning(pitch: float) -> PoseFrame:
    """The front-facing standing body with its trunk tipped ``pitch`` degrees towards the
    camera about the hips (legs still upright), imaged like :func:`_body`."""
    body = _body(0)
    xyz = np.array(body.world_xyz)
    a = math.radians(pitch)
    for lm in (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_EAR, L.RIGHT_EAR):
        x, y, z = xyz[lm]
        # y is negative above the hips (at y = 0); tipping brings the trunk nearer (z < 0)
        xyz[lm] = (x, y * math.cos(a), z + y * math.sin(a))
    xy = np.array([320.0, 300.0]) + 400.0 * xyz[:, :2]
    return PoseFrame(xy, xyz, body.visibility, 0.0, SIZE)


@pytest.mark.parametrize(("pitch", "unsure"), [(0, False), (40, False), (70, True), (80, True)])
def test_a_trunk_pointing_at_the_camera_leaves_the_view_unsure(pitch, unsure):
    """A trunk tipped towards the lens looks short, so the width ratio reads a wide body
    whatever the view: the view is then unsure and no rule speaks a firm correction."""
    view = camera_view(_leaning(pitch))
    assert trunk_foreshortening(_leaning(pitch)) == pytest.approx(
        math.cos(math.radians(pitch)), abs=0.02
    )
    assert view.unsure is unsure


def test_nobody_in_view_has_no_camera_view():
    assert camera_view(PoseFrame.empty(0.0, SIZE)).name == ""


# ---------------------------------------------------------------------------------------------
# geometry.line_offset
# ---------------------------------------------------------------------------------------------

A, B = (0.0, 0.0), (0.0, -10.0)  # an upward line along x = 0
REF = ((0.0, 0.0), (0.0, 10.0))  # a 10-unit ruler


@pytest.mark.parametrize(
    ("a", "b", "p", "toward", "ref", "expected"),
    [
        pytest.param(A, B, (3, -5), (5, 0), REF, 0.3, id="same-side-positive"),
        pytest.param(A, B, (3, -5), (-5, 0), REF, -0.3, id="other-side-negative"),
        pytest.param(B, A, (3, -5), (5, 0), REF, 0.3, id="line-direction-irrelevant"),
        pytest.param(A, B, (3, 40), (5, 0), REF, 0.3, id="beyond-the-segment-ends"),
        pytest.param(A, B, (0, -7), (5, 0), REF, 0.0, id="on-the-line"),
        pytest.param(A, B, (-6, 0), (5, 0), ((0, 0), (0, 20)), -0.3, id="ruler-scales"),
        pytest.param(A, B, (3, -5), (0, 3), REF, math.nan, id="toward-on-the-line"),
        pytest.param(A, A, (3, -5), (5, 0), REF, math.nan, id="degenerate-line"),
        pytest.param(A, B, (3, -5), (5, 0), (A, A), math.nan, id="zero-ruler"),
        pytest.param(A, B, (math.nan, -5), (5, 0), REF, math.nan, id="nan-in-nan-out"),
    ],
)
def test_line_offset_known_answers_and_sign(a, b, p, toward, ref, expected):
    value = g.line_offset(a, b, p, toward, *ref)
    if math.isnan(expected):
        assert math.isnan(value)
    else:
        assert value == pytest.approx(expected, abs=1e-12)


def test_line_offset_broadcasts_over_frames_and_is_scale_free():
    p = np.array([[3.0, -5.0], [-2.0, 1.0]])
    values = g.line_offset(A, B, p, (5, 0), *REF)
    np.testing.assert_allclose(values, [0.3, -0.2])
    scaled = g.line_offset(
        np.multiply(A, 7), np.multiply(B, 7), p * 7, (35, 0), *np.multiply(REF, 7)
    )
    np.testing.assert_allclose(scaled, values)


def test_line_offset_is_2d_only():
    with pytest.raises(ValueError, match="2D"):
        g.line_offset((0, 0, 0), (0, 1, 0), (1, 0, 0), (1, 0, 0), (0, 0, 0), (0, 1, 0))


# ---------------------------------------------------------------------------------------------
# back_curve: why it is missing
# ---------------------------------------------------------------------------------------------

BACK = KNOWN["back_curve"][0]
TRUNK = {
    L.LEFT_HIP: (300, 300),
    L.RIGHT_HIP: (310, 300),
    L.LEFT_SHOULDER: (300, 200),
    L.RIGHT_SHOULDER: (310, 200),
}


@pytest.mark.parametrize(
    ("pose", "words"),
    [
        (_pose(TRUNK), "no silhouette"),
        (_pose(TRUNK, back_profile=np.array([0.2, np.nan, 0.2])), "outline of the back"),
        (_pose(TRUNK, hidden=[L.LEFT_HIP], back_profile=np.full(3, 0.2)), "left hip"),
    ],
    ids=["no-mask", "edge-not-found", "hip-hidden"],
)
def test_back_curve_says_why_it_is_missing(pose, words):
    result = evaluate(BACK, pose, mirrored=False, threshold=THRESHOLD)
    assert not result.visible
    assert words in result.reason()
