"""Skeleton plausibility: exact synthetic bodies pass from every view; skeletons broken in known
ways (swapped legs, a body swapped against its face, a collapsed thigh, mismatched limbs, an
image that is no projection of the 3D) fail with the right check, a reason and a suggestion;
hidden landmarks do not count; a video's proportions catch a limb that changes length; and
the pose model's skeletons of varied rendered bodies, where right, pass."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aligncheck.core import Frame, PoseFrame
from aligncheck.landmarks import MIRROR, Landmark
from aligncheck.plausibility import (
    CHECK_LABELS,
    DEFAULT_LIMITS,
    BodyHistory,
    assess,
    findings,
    judge,
    skeleton_stats,
)
from aligncheck.synth import BodyShape, load_poses, render
from aligncheck.synth.skeletons import RIGHT_LIMIT, skeleton_error
from aligncheck.synth.spine import truth_pose

L = Landmark
BODIES = (BodyShape(1.52, 0.85), BodyShape(1.93, 1.35))


@pytest.fixture(scope="module")
def library():
    return load_poses()


def _truth(library, pose: str, view: float = -60.0, body: BodyShape | None = None) -> PoseFrame:
    shot = render(library.pose(pose), view=view, elevation=10.0, body=body, width=480, height=360)
    return truth_pose(shot)


@pytest.fixture(scope="module")
def seated(library) -> PoseFrame:
    """Janu Sirsasana's upright phase seen diagonally from the front right: a true body."""
    return _truth(library, "janu_right_upright")


def _with(pose: PoseFrame, image=None, world=None, visibility=None) -> PoseFrame:
    return PoseFrame(
        pose.image_xy if image is None else image,
        pose.world_xyz if world is None else world,
        pose.visibility if visibility is None else visibility,
        pose.timestamp,
        pose.image_size,
    )


def _swap(pose: PoseFrame, landmarks: tuple[Landmark, ...]) -> PoseFrame:
    """``pose`` with each of ``landmarks`` exchanged with its other-side twin."""
    order = np.arange(len(L))
    for lm in landmarks:
        order[lm], order[MIRROR[lm]] = MIRROR[lm], lm
    return _with(pose, pose.image_xy[order], pose.world_xyz[order])


LEG = (L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE, L.LEFT_HEEL, L.LEFT_FOOT_INDEX)
ARM = (L.LEFT_SHOULDER, L.LEFT_ELBOW, L.LEFT_WRIST, L.LEFT_PINKY, L.LEFT_INDEX, L.LEFT_THUMB)


@pytest.mark.parametrize("pose", ["janu_right_upright", "janu_right_folded", "tree_right"])
@pytest.mark.parametrize("view", [0.0, -45.0, -90.0, 135.0, 180.0])
@pytest.mark.parametrize("body", BODIES, ids=["small", "tall"])
def test_an_exact_body_is_reliable_from_any_view(library, pose, view, body):
    found = assess(_truth(library, pose, view, body))
    assert found.reliable, found.reason


def _collapsed_thigh(pose: PoseFrame) -> PoseFrame:
    image, world = np.array(pose.image_xy), np.array(pose.world_xyz)
    for array in (image, world):  # the knee slides up the thigh to a tenth of its length
        array[L.LEFT_KNEE] = array[L.LEFT_HIP] + 0.1 * (array[L.LEFT_KNEE] - array[L.LEFT_HIP])
    return _with(pose, image, world)


def _long_shin(pose: PoseFrame) -> PoseFrame:
    world = np.array(pose.world_xyz)  # the 3D left shin 3.5 times too long, the image as it was
    shin = world[L.LEFT_ANKLE] - world[L.LEFT_KNEE]
    for lm in (L.LEFT_ANKLE, L.LEFT_HEEL, L.LEFT_FOOT_INDEX):
        world[lm] += 2.5 * shin
    return _with(pose, world=world)


def _wrist_off_in_image(pose: PoseFrame) -> PoseFrame:
    image = np.array(pose.image_xy)
    torso = np.linalg.norm(image[L.LEFT_SHOULDER] - image[L.LEFT_HIP])
    image[L.RIGHT_WRIST] += (1.5 * torso, -1.5 * torso)
    return _with(pose, image=image)


def _mirrored_image(pose: PoseFrame) -> PoseFrame:
    image = np.array(pose.image_xy)
    image[:, 0] = pose.image_size[0] - image[:, 0]
    return _with(pose, image=image)


@pytest.mark.parametrize(
    ("broken", "check"),
    [
        (lambda p: _swap(p, LEG), "twist"),  # one leg's labels, hips included, on the other
        (lambda p: _swap(p, LEG + ARM), "face_backwards"),  # the whole body against the face
        (_collapsed_thigh, "limb_collapsed"),
        (_long_shin, "left_right_lengths"),
        (_wrist_off_in_image, "image_vs_3d"),
        (_mirrored_image, "image_vs_3d"),
    ],
    ids=["swapped legs", "body swapped", "collapsed thigh", "long shin", "2D wrist", "mirror 2D"],
)
def test_a_broken_skeleton_is_unreliable_with_reason_and_suggestion(seated, broken, check):
    assert assess(seated).reliable
    found = assess(broken(seated))
    assert not found.reliable
    assert found.check == check and check in CHECK_LABELS
    assert found.reason.endswith(".") and len(found.reason.split()) >= 8
    assert found.suggestion.endswith(".") and found.suggestion.split()[0] in (
        "Turn",
        "Move",
        "Step",
        "Keep",
    )


def test_hidden_landmarks_do_not_count(seated):
    collapsed = _collapsed_thigh(seated)
    hidden = np.array(collapsed.visibility)
    hidden[L.LEFT_KNEE] = 0.2  # the model says it cannot see the knee: it is not judged either
    assert not assess(collapsed).reliable
    assert assess(_with(collapsed, visibility=hidden)).reliable
    stats = skeleton_stats(_with(collapsed, visibility=hidden))
    assert math.isnan(stats.lengths["left thigh"]) and math.isnan(stats.left_right["thigh"])


def test_nobody_in_view_is_not_unreliable():
    assert assess(PoseFrame.empty(0.0, (640, 480))).reliable


def test_the_statistics_of_a_true_body(seated):
    stats = skeleton_stats(seated)
    assert 0.4 < stats.lengths["left thigh"] < 1.2  # thigh about 0.8 torso
    assert all(1.0 <= r < 1.05 for r in stats.left_right.values())
    assert stats.twist < 20 and stats.face > 0.8
    assert stats.residual < 0.2 and max(stats.stretch.values()) < 1.1
    swapped = skeleton_stats(_swap(seated, LEG))
    assert swapped.twist > 150 and swapped.face > 0.5  # the hips turned round, not the chest


def _long_thighs(pose: PoseFrame, factor: float = 3.5) -> PoseFrame:
    """Both thighs ``factor`` times longer, in the image and in 3D alike."""
    image, world = np.array(pose.image_xy), np.array(pose.world_xyz)
    for array in (image, world):
        for side in ("LEFT", "RIGHT"):
            hip, knee = L[f"{side}_HIP"], L[f"{side}_KNEE"]
            shift = (factor - 1.0) * (array[knee] - array[hip])
            for lm in (knee, L[f"{side}_ANKLE"], L[f"{side}_HEEL"], L[f"{side}_FOOT_INDEX"]):
                array[lm] += shift
    return _with(pose, image, world)


def test_a_video_remembers_the_persons_proportions(seated):
    odd = skeleton_stats(_long_thighs(seated))  # both thighs alike, just far too long
    assert judge(odd).reliable  # a photo cannot tell
    history = BodyHistory()
    for _ in range(DEFAULT_LIMITS.history_frames - 1):
        history.add(skeleton_stats(seated))
    assert judge(odd, history).reliable  # too few frames seen yet
    history.add(skeleton_stats(seated))
    found = judge(odd, history)
    assert found.check == "proportions" and "thigh" in found.reason
    assert "as earlier in this session" in found.reason
    assert [f.check for f in findings(odd, history)] == ["proportions"]
    assert math.isclose(
        history.expected("left thigh"), skeleton_stats(seated).lengths["left thigh"]
    )


CASES = [
    (pose, view, body)
    for pose in ("janu_right_upright", "seated_straight_legs", "standing", "warrior2_right")
    for view in (0.0, -60.0, -90.0)
    for body in (BodyShape(1.62, 1.1), BodyShape(1.95, 1.4))
]


def test_the_models_right_skeletons_of_varied_bodies_pass(library, image_estimator):
    graded = []
    for pose, view, body in CASES:
        shot = render(library.pose(pose), view=view, elevation=12.0, body=body)
        found = image_estimator.estimate(Frame(shot.image, 0, 0.0))
        graded.append((pose, view, skeleton_error(found, shot), assess(found)))
    right = [g for g in graded if g[2] <= RIGHT_LIMIT]
    assert len(right) >= 0.75 * len(CASES)  # the test judges enough right skeletons
    flagged = [(p, v, f.reason) for p, v, _, f in right if not f.reliable]
    assert not flagged
