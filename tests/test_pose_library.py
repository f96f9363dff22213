"""The bundled pose library: every rule file loads and is complete; on the real photos of each
pose (skipped when ../shared is absent) no rule is off on more than a few photos and the pose
is recognised; hand-built bodies standing, sitting and lying are no known pose, and a few
hand-built poses are recognised and judged as their rules say.

The real photos' landmarks come from the cache of :mod:`aligncheck.landmark_cache` (the pose
model runs once per photo on the first run, then never again), so these tests are fast.
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
import pytest

from aligncheck import landmark_cache
from aligncheck.core import PoseFrame, Status
from aligncheck.landmark_cache import estimate_cached
from aligncheck.landmarks import NUM_LANDMARKS, Landmark
from aligncheck.recognise import recognise
from aligncheck.rules import RuleSet, evaluate_still
from aligncheck.rules.loader import load_rules

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
LIBRARY = sorted(RULES.glob("*.yaml"))
NEW_POSES = {
    "adho_mukha_svanasana": False,
    "ardha_chandrasana": True,
    "baddha_konasana": False,
    "natarajasana": True,
    "trikonasana": True,
    "utkata_konasana": False,
    "virabhadrasana": True,
    "vrksasana": True,
}
#: The goal of issue 11: no rule wrongly off on more than 5 % of its pose's photos.
MAX_OFF_SHARE = 0.05
#: Photos where a rule is off and looking at the photo showed that it is right (a genuine fault
#: or a variation the rule does not accept); see each rule's `why:`. All are in the tune half.
GENUINE = {
    ("ardha_chandrasana", "arms_in_line"): {
        "poses/ardha_chandrasana/ardha_chandrasana_022.jpg"
    },  # top arm forward
    ("baddha_konasana", "knees_low"): {
        "poses/baddha_konasana/baddha_konasana_011.png"
    },  # knees high
    ("trikonasana", "arms_vertical"): {
        "poses/trikonasana/trikonasana_006.jpg"
    },  # top arm over the ear
    ("trikonasana", "front_knee_straight"): {
        "poses/trikonasana/trikonasana_015.jpg"
    },  # front knee bent
    ("utkata_konasana", "knees_bent"): {
        "poses/utkata_konasana/utkata_konasana_001.jpg"
    },  # knees barely bent
    ("utkata_konasana", "knees_over_ankles"): {
        "poses/utkata_konasana/utkata_konasana_002.jpg"
    },  # knees inside feet
    ("virabhadrasana", "front_knee_over_ankle"): {
        "poses/virabhadrasana/virabhadrasana_022.jpg"
    },  # knee out
}

sys.path.insert(0, str(ROOT / "benchmarks"))
from poses_real import real_photos, video_frames  # noqa: E402

L = Landmark


@pytest.fixture(scope="module")
def library() -> list[RuleSet]:
    return [load_rules(path) for path in LIBRARY]


# ---------------------------------------------------------------------------------------------
# The files
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.stem)
def test_every_bundled_file_loads_and_is_named_after_its_pose(path):
    rules = load_rules(path)
    assert rules.pose.id == path.stem
    assert rules.rules and rules.phases


@pytest.mark.parametrize("pose_id", sorted(NEW_POSES))
def test_each_new_pose_is_complete(pose_id):
    rules = load_rules(RULES / f"{pose_id}.yaml")
    card = rules.pose
    assert card.english and card.sanskrit and card.family and card.description
    assert card.views and card.source != "-"
    assert (rules.sides is not None) is NEW_POSES[pose_id]
    assert rules.recognise is not None, "every pose is recognised with --pose auto"
    assert rules.hold_phases and set(rules.hold_phases) <= {p.id for p in rules.phases}
    assert rules.guidance, "what the camera cannot see is kept as guidance"
    for rule in rules.rules:
        assert rule.cue and rule.source and rule.why, rule.id
        assert "to be measured" not in rule.why.lower(), rule.id


# ---------------------------------------------------------------------------------------------
# The real photos
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_poses(real_data) -> dict[Path, PoseFrame]:
    """The landmarks of every real photo and of frames of the real clips (cached)."""
    paths = [p.path for p in real_photos(real_data)] + video_frames(real_data)
    return estimate_cached(paths)


@pytest.mark.parametrize("pose_id", sorted(NEW_POSES))
def test_real_photos_raise_few_false_alarms(pose_id, real_data, real_poses):
    rules = load_rules(RULES / f"{pose_id}.yaml")
    photos = [p for p in real_photos(real_data) if p.pose == pose_id]
    verdicts = {
        str(p.path.relative_to(real_data)): evaluate_still(rules, real_poses[p.path])
        for p in photos
    }
    reliable = [v for v in verdicts.values() if v.detected and v.reliable]
    assert len(reliable) >= 0.9 * len(photos)
    in_pose = [v for v in reliable if v.phase]
    assert len(in_pose) >= 0.85 * len(reliable), "most photos of the pose are in one of its phases"
    for rule in rules.rules:
        off = {
            name
            for name, v in verdicts.items()
            if v.detected and v.reliable and v.result(rule.id).status is Status.OFF
        }
        wrong = off - GENUINE.get((pose_id, rule.id), set())
        assert len(wrong) <= MAX_OFF_SHARE * len(reliable), (rule.id, sorted(wrong))
    judged = Counter(r.rule_id for v in reliable for r in v.results if r.status.judged)
    assert all(judged[r.id] for r in rules.rules), f"a rule never judged: {judged}"


def test_real_photos_are_recognised(real_data, real_poses, library):
    photos = [p for p in real_photos(real_data) if real_poses[p.path].detected]
    answers = [(p.pose, recognise(library, real_poses[p.path]).pose_id) for p in photos]
    right = sum(1 for truth, found in answers if truth == found)
    wrong = [(truth, found) for truth, found in answers if found and found != truth]
    assert right >= 0.95 * len(answers)
    # a drawing of goddess pose with the feet outside the picture is taken for warrior II
    assert len(wrong) <= 2, wrong


def test_sitting_in_the_real_clips_is_no_known_pose(real_data, real_poses, library):
    frames = [f for f in video_frames(real_data) if real_poses[f].detected]
    assert len(frames) >= 20
    found = Counter(recognise(library, real_poses[f]).pose_id for f in frames)
    assert found == Counter({"": len(frames)}), found


# ---------------------------------------------------------------------------------------------
# Hand-built bodies (metres; x to the person's left, y up, z towards the camera)
# ---------------------------------------------------------------------------------------------

SCALE, CENTRE = 250.0, np.array([400.0, 420.0])


def _body(joints: dict[str, tuple[float, float, float]]) -> PoseFrame:
    """A body seen from the front by a distant camera: image x = world x, image y = -world y.

    ``joints`` gives shoulders, elbows, wrists, hips, knees and ankles as ``L_``/``R_`` names;
    the face sits above the shoulders, hands at the wrists, heels and toes at the ankles."""
    points: dict[Landmark, np.ndarray] = {}
    for key, value in joints.items():
        side = "LEFT" if key[0] == "L" else "RIGHT"
        points[L[f"{side}_{key[2:]}"]] = np.array(value, dtype=float)
    neck = (points[L.LEFT_SHOULDER] + points[L.RIGHT_SHOULDER]) / 2
    up = neck - (points[L.LEFT_HIP] + points[L.RIGHT_HIP]) / 2
    up /= np.linalg.norm(up)
    across = points[L.LEFT_SHOULDER] - points[L.RIGHT_SHOULDER]
    across /= np.linalg.norm(across)
    forward = np.cross(across, up)  # the way the chest faces
    head = neck + 0.22 * up
    face = {
        L.NOSE: head + 0.09 * forward,
        L.LEFT_EYE_INNER: head + 0.07 * forward + 0.02 * across + 0.02 * up,
        L.LEFT_EYE: head + 0.07 * forward + 0.035 * across + 0.02 * up,
        L.LEFT_EYE_OUTER: head + 0.065 * forward + 0.05 * across + 0.02 * up,
        L.RIGHT_EYE_INNER: head + 0.07 * forward - 0.02 * across + 0.02 * up,
        L.RIGHT_EYE: head + 0.07 * forward - 0.035 * across + 0.02 * up,
        L.RIGHT_EYE_OUTER: head + 0.065 * forward - 0.05 * across + 0.02 * up,
        L.LEFT_EAR: head + 0.075 * across,
        L.RIGHT_EAR: head - 0.075 * across,
        L.MOUTH_LEFT: head + 0.08 * forward + 0.025 * across - 0.04 * up,
        L.MOUTH_RIGHT: head + 0.08 * forward - 0.025 * across - 0.04 * up,
    }
    points.update(face)
    for side in ("LEFT", "RIGHT"):
        wrist = points[L[f"{side}_WRIST"]]
        hand = wrist - points[L[f"{side}_ELBOW"]]
        hand = 0.08 * hand / np.linalg.norm(hand)
        for part in ("PINKY", "INDEX", "THUMB"):
            points[L[f"{side}_{part}"]] = wrist + hand
        ankle = points[L[f"{side}_ANKLE"]]
        points[L[f"{side}_HEEL"]] = ankle + np.array([0.0, -0.05, -0.05])
        points[L[f"{side}_FOOT_INDEX"]] = ankle + np.array([0.0, -0.07, 0.15])
    world = np.zeros((NUM_LANDMARKS, 3))
    for landmark, p in points.items():
        world[landmark] = p
    world -= (world[L.LEFT_HIP] + world[L.RIGHT_HIP]) / 2
    # MediaPipe's world axes: x as the image, y down, z away from the camera
    mp_world = world * np.array([1.0, -1.0, -1.0])
    image = CENTRE + SCALE * mp_world[:, :2]
    return PoseFrame(image, mp_world, np.ones(NUM_LANDMARKS), 0.0, (800, 800))


def _standing(**changes: tuple[float, float, float]) -> PoseFrame:
    joints = {
        "L_SHOULDER": (0.19, 1.45, 0.0),
        "R_SHOULDER": (-0.19, 1.45, 0.0),
        "L_ELBOW": (0.24, 1.18, 0.0),
        "R_ELBOW": (-0.24, 1.18, 0.0),
        "L_WRIST": (0.26, 0.93, 0.02),
        "R_WRIST": (-0.26, 0.93, 0.02),
        "L_HIP": (0.1, 0.95, 0.0),
        "R_HIP": (-0.1, 0.95, 0.0),
        "L_KNEE": (0.11, 0.5, 0.01),
        "R_KNEE": (-0.11, 0.5, 0.01),
        "L_ANKLE": (0.11, 0.08, 0.0),
        "R_ANKLE": (-0.11, 0.08, 0.0),
    }
    joints.update(changes)
    return _body(joints)


def _rotated(pose_joints: dict[str, tuple[float, float, float]], degrees: float) -> PoseFrame:
    """The body turned about the vertical (the camera sees it from another side)."""
    a = math.radians(degrees)
    turn = np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])
    return _body({k: tuple(turn @ np.array(v)) for k, v in pose_joints.items()})


def _joints_of_standing() -> dict[str, tuple[float, float, float]]:
    pose = _standing()
    names = ("SHOULDER", "ELBOW", "WRIST", "HIP", "KNEE", "ANKLE")
    hips_y = 0.95
    return {
        f"{s[0]}_{n}": (
            pose.world_xyz[L[f"{s}_{n}"]][0],
            hips_y - pose.world_xyz[L[f"{s}_{n}"]][1],
            -pose.world_xyz[L[f"{s}_{n}"]][2],
        )
        for s in ("LEFT", "RIGHT")
        for n in names
    }


TREE = {
    # standing on the right leg, the left foot against the right inner thigh, knee out
    "L_KNEE": (0.42, 0.72, 0.05),
    "L_ANKLE": (0.03, 0.7, 0.0),
}
SITTING_ON_A_CHAIR = {
    "L_HIP": (0.1, 0.5, 0.0),
    "R_HIP": (-0.1, 0.5, 0.0),
    "L_SHOULDER": (0.19, 1.0, 0.0),
    "R_SHOULDER": (-0.19, 1.0, 0.0),
    "L_ELBOW": (0.24, 0.75, 0.05),
    "R_ELBOW": (-0.24, 0.75, 0.05),
    "L_WRIST": (0.2, 0.55, 0.25),
    "R_WRIST": (-0.2, 0.55, 0.25),
    "L_KNEE": (0.12, 0.5, 0.45),
    "R_KNEE": (-0.12, 0.5, 0.45),
    "L_ANKLE": (0.12, 0.08, 0.45),
    "R_ANKLE": (-0.12, 0.08, 0.45),
}
WARRIOR_II = {
    # right leg in front (bent to about 100 degrees), left leg straight behind, arms level
    "R_HIP": (-0.1, 0.8, 0.0),
    "L_HIP": (0.1, 0.8, 0.0),
    "R_KNEE": (-0.55, 0.55, 0.0),
    "R_ANKLE": (-0.58, 0.08, 0.0),
    "L_KNEE": (0.38, 0.45, 0.0),
    "L_ANKLE": (0.62, 0.08, 0.0),
    "L_SHOULDER": (0.19, 1.3, 0.0),
    "R_SHOULDER": (-0.19, 1.3, 0.0),
    "L_ELBOW": (0.47, 1.3, 0.0),
    "R_ELBOW": (-0.47, 1.3, 0.0),
    "L_WRIST": (0.73, 1.3, 0.0),
    "R_WRIST": (-0.73, 1.3, 0.0),
}


@pytest.mark.parametrize("turn", [0, 45, 90])
def test_standing_and_sitting_are_no_known_pose(library, turn):
    for joints in (_joints_of_standing(), {**_joints_of_standing(), **SITTING_ON_A_CHAIR}):
        found = recognise(library, _rotated(joints, turn))
        assert found.pose_id == "", (turn, found.scores[0])


def test_lying_on_the_back_is_no_known_pose(library):
    # the standing body tipped over onto its back, seen from its side
    joints = {k: (v[1], 0.1 + v[2], v[0]) for k, v in _joints_of_standing().items()}
    found = recognise(library, _body(joints))
    assert found.pose_id == ""


STANDING_FOLD = {
    # folded forward from the hips over straight legs, hands by the feet
    "L_SHOULDER": (0.19, 0.75, 0.45),
    "R_SHOULDER": (-0.19, 0.75, 0.45),
    "L_ELBOW": (0.22, 0.48, 0.42),
    "R_ELBOW": (-0.22, 0.48, 0.42),
    "L_WRIST": (0.22, 0.22, 0.35),
    "R_WRIST": (-0.22, 0.22, 0.35),
}
SITTING_ONE_LEG_FOLDED = {
    # sitting on the floor, right leg straight forward, left foot at the right inner thigh
    "L_HIP": (0.1, 0.1, 0.0),
    "R_HIP": (-0.1, 0.1, 0.0),
    "L_SHOULDER": (0.19, 0.6, -0.05),
    "R_SHOULDER": (-0.19, 0.6, -0.05),
    "L_ELBOW": (0.24, 0.35, 0.0),
    "R_ELBOW": (-0.24, 0.35, 0.0),
    "L_WRIST": (0.25, 0.12, 0.05),
    "R_WRIST": (-0.25, 0.12, 0.05),
    "R_KNEE": (-0.1, 0.1, 0.45),
    "R_ANKLE": (-0.1, 0.08, 0.88),
    "L_KNEE": (0.5, 0.08, 0.2),
    "L_ANKLE": (0.02, 0.06, 0.3),
}


@pytest.mark.parametrize("turn", [0, 60, 90])
def test_a_standing_forward_fold_is_not_downward_dog(library, turn):
    found = recognise(library, _rotated({**_joints_of_standing(), **STANDING_FOLD}, turn))
    assert found.pose_id == "", found.scores[0]


@pytest.mark.parametrize("turn", [0, 60, -60, 90, -90])
def test_sitting_with_one_leg_folded_is_none_of_the_eight(library, turn):
    found = recognise(library, _rotated({**_joints_of_standing(), **SITTING_ONE_LEG_FOLDED}, turn))
    assert found.pose_id not in NEW_POSES, found.scores[0]


@pytest.mark.parametrize("mirrored", [False, True])
def test_a_hand_built_tree_is_recognised_and_judged(library, mirrored):
    joints = {**_joints_of_standing(), **TREE}
    if mirrored:  # standing on the left leg
        joints = {
            ("R" if k[0] == "L" else "L") + k[1:]: (-v[0], v[1], v[2]) for k, v in joints.items()
        }
    pose = _body(joints)
    found = recognise(library, pose)
    assert found.pose_id == "vrksasana" and found.mirrored is mirrored
    rules = next(r for r in library if r.pose.id == "vrksasana")
    verdict = evaluate_still(rules, pose)
    assert verdict.phase == "tree"
    assert verdict.result("foot_not_on_knee").status is Status.OK
    # the same tree with the foot pressing on the inside of the standing knee
    standing, lifted = ("R", "L") if not mirrored else ("L", "R")
    knee = joints[f"{standing}_KNEE"]
    on_knee = {**joints, f"{lifted}_ANKLE": (knee[0] * 0.4, knee[1], knee[2])}
    verdict = evaluate_still(rules, _body(on_knee))
    assert verdict.result("foot_not_on_knee").status is Status.OFF


def test_a_hand_built_warrior_is_recognised_and_a_leaning_trunk_is_flagged(library):
    pose = _body({**_joints_of_standing(), **WARRIOR_II})
    assert recognise(library, pose).pose_id == "virabhadrasana"
    rules = next(r for r in library if r.pose.id == "virabhadrasana")
    verdict = evaluate_still(rules, pose)
    assert verdict.phase == "warrior" and verdict.side == "right leg in front"
    assert verdict.result("front_knee_bent").status is Status.OK
    assert verdict.result("trunk_upright").status is Status.OK
    upper = ("SHOULDER", "ELBOW", "WRIST")
    lean = {  # the whole upper body shifted over the front leg: the trunk leans about 28 degrees
        k: (v[0] - 0.25, v[1] - 0.03, v[2]) if k[2:] in upper else v for k, v in WARRIOR_II.items()
    }
    verdict = evaluate_still(rules, _body({**_joints_of_standing(), **lean}))
    assert verdict.result("trunk_upright").status is Status.OFF


# ---------------------------------------------------------------------------------------------
# The landmark cache
# ---------------------------------------------------------------------------------------------


def test_landmarks_are_cached_by_content_and_the_model_runs_only_for_new_photos(
    tmp_path, monkeypatch
):
    photo = tmp_path / "nobody.png"
    cv2.imwrite(str(photo), np.full((120, 160, 3), 200, np.uint8))
    first = estimate_cached([photo], tmp_path / "cache")[photo]
    assert not first.detected and first.image_size == (160, 120)
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 1

    def no_model(*args, **kwargs):
        raise AssertionError("the model should not run for a cached photo")

    monkeypatch.setattr(landmark_cache, "PoseEstimator", no_model)
    again = estimate_cached([photo], tmp_path / "cache")[photo]
    assert not again.detected and again.image_size == first.image_size
    renamed = tmp_path / "renamed.png"
    renamed.write_bytes(photo.read_bytes())  # same content, same entry
    assert not estimate_cached([renamed], tmp_path / "cache")[renamed].detected
    cv2.imwrite(str(photo), np.full((120, 160, 3), 90, np.uint8))  # new content: estimated
    with pytest.raises(AssertionError, match="should not run"):
        estimate_cached([photo], tmp_path / "cache")


def test_landmarks_with_the_backs_profile_are_cached_apart_and_read_back_whole(
    tmp_path, monkeypatch
):
    """A pose with the back's profile (for rules that read the outline) is its own cache
    entry, and the profile comes back from it as it was measured."""
    from aligncheck.bundled import sample_path
    from aligncheck.sources import VideoSource

    with sample_path() as clip:
        frames = iter(VideoSource(clip))
        for _ in range(700):  # the fold, seen from the side
            frame = next(frames)
    photo = tmp_path / "fold.png"
    cv2.imwrite(str(photo), frame.image)
    plain = estimate_cached([photo], tmp_path / "cache")[photo]
    outlined = estimate_cached([photo], tmp_path / "cache", silhouette=True)[photo]
    assert plain.back_profile is None and np.isfinite(outlined.back_profile).all()
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 2

    def no_model(*args, **kwargs):
        raise AssertionError("the model should not run for a cached photo")

    monkeypatch.setattr(landmark_cache, "PoseEstimator", no_model)
    again = estimate_cached([photo], tmp_path / "cache", silhouette=True)[photo]
    assert np.array_equal(again.back_profile, outlined.back_profile)
    assert np.array_equal(again.world_xyz, outlined.world_xyz)
