"""The rule engine on hand-built poses (no MediaPipe): statuses, hysteresis, minimum duration,
phases, visibility, camera views, sides, calibration, hold time and the top cue.

Poses come from :func:`_body`, a standing figure whose knee angles, sideways lean, torso length
and turn towards the camera are set exactly; frames are 1/8 s apart so that durations add up
exactly in floating point.
"""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from aligncheck.core import PoseFrame, RuleResult, Status, Verdict
from aligncheck.landmarks import NUM_LANDMARKS, Landmark
from aligncheck.live.values import HoldTimer
from aligncheck.rules import EngineSettings, RuleEngine, RuleSet, evaluate_still, load_rules
from aligncheck.rules.engine import UNSURE_VIEW, WEAK_EVIDENCE, classify, top_result
from aligncheck.rules.issues import RuleFileError
from aligncheck.rules.registry import find_pose, list_poses
from aligncheck.rules.schema import Band

L = Landmark
DT = 0.125
MIN_DURATION = 0.5  # four frame gaps
SIZE = (1280, 720)

OK, CLOSE, OFF = Status.OK, Status.CLOSE, Status.OFF
NOT_VISIBLE, NOT_APPLICABLE = Status.NOT_VISIBLE, Status.NOT_APPLICABLE

# ---------------------------------------------------------------------------------------------
# A body with exactly known angles
# ---------------------------------------------------------------------------------------------


def _turn(vector: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate a 3D vector about the camera's axis (in the image plane)."""
    a = math.radians(degrees)
    x, y, z = vector
    return np.array([x * math.cos(a) - y * math.sin(a), x * math.sin(a) + y * math.cos(a), z])


def _body(
    right_knee: float = 180.0,
    left_knee: float = 180.0,
    lean: float = 0.0,
    torso: float = 0.5,
    yaw: float = 0.0,
    hidden: tuple[Landmark, ...] = (),
    t: float = 0.0,
) -> PoseFrame:
    """A standing person facing the camera (their left on the image's right), knees bent
    sideways in the image plane to the given joint angles, the upper body leaning sideways by
    ``lean`` degrees, shoulders ``torso`` metres above the hips; then turned ``yaw`` degrees
    about the vertical (90: the left side towards the camera). Orthographic image at 400 px/m.
    """
    p: dict[str, np.ndarray] = {}
    for side, sign, knee_angle in (("LEFT", 1.0, left_knee), ("RIGHT", -1.0, right_knee)):
        hip = np.array([0.1 * sign, 0.0, 0.0])
        knee = hip + np.array([0.0, 0.45, 0.0])
        ankle = knee + 0.45 * _turn(np.array([0.0, 1.0, 0.0]), (180.0 - knee_angle) * sign)
        p |= {f"{side}_HIP": hip, f"{side}_KNEE": knee, f"{side}_ANKLE": ankle}
        p[f"{side}_HEEL"] = ankle + np.array([0.0, 0.05, 0.03])
        p[f"{side}_FOOT_INDEX"] = ankle + np.array([0.0, 0.05, -0.12])
        upper = {
            "SHOULDER": (0.18, -torso, 0.0),
            "ELBOW": (0.22, 0.25 - torso, 0.0),
            "WRIST": (0.24, 0.5 - torso, 0.0),
            "PINKY": (0.25, 0.55 - torso, 0.0),
            "INDEX": (0.24, 0.57 - torso, 0.0),
            "THUMB": (0.22, 0.55 - torso, 0.0),
            "EAR": (0.07, -torso - 0.12, 0.02),
            "EYE": (0.035, -torso - 0.15, -0.06),
            "EYE_INNER": (0.02, -torso - 0.15, -0.06),
            "EYE_OUTER": (0.05, -torso - 0.15, -0.05),
        }
        for part, (x, y, z) in upper.items():
            p[f"{side}_{part}"] = _turn(np.array([x * sign, y, z]), lean)
        p[f"MOUTH_{side}"] = _turn(np.array([0.025 * sign, -torso - 0.07, -0.07]), lean)
    p["NOSE"] = _turn(np.array([0.0, -torso - 0.11, -0.09]), lean)
    body = np.array([p[lm.name] for lm in Landmark])
    a = math.radians(yaw)
    world = np.stack(
        [
            body[:, 0] * math.cos(a) + body[:, 2] * math.sin(a),
            body[:, 1],
            -body[:, 0] * math.sin(a) + body[:, 2] * math.cos(a),
        ],
        axis=1,
    )
    image = np.array([640.0, 300.0]) + 400.0 * world[:, :2]
    visibility = np.ones(NUM_LANDMARKS)
    visibility[list(hidden)] = 0.1
    return PoseFrame(image, world, visibility, t, SIZE)


# ---------------------------------------------------------------------------------------------
# Rule files and feeding frames
# ---------------------------------------------------------------------------------------------

CARD = """\
schema_version: 1
pose:
  id: knee_test
  english: Knee test
  sanskrit: Jānvāsana
  family: standing
  description: A pose for engine tests.
  views: [front]
"""

TRUNK = """\
  trunk:
    type: inclination
    points: [mid(LEFT_HIP, RIGHT_HIP), mid(LEFT_SHOULDER, RIGHT_SHOULDER)]
    space: image
    views: [side, diagonal, front, back]
    label: Trunk from vertical
"""

PHASES = """\
phases:
  - id: upright
    label: Upright
    when: [{measure: trunk, below: 20}]
  - id: leaning
    label: Leaning sideways
    when: [{measure: trunk, above: 20}]
hold_phase: upright
"""


def _rule(rule_id: str, measure: str, ok: str, close: str, priority: int = 1) -> str:
    return f"""\
  - id: {rule_id}
    title: {rule_id.replace("_", " ").capitalize()}
    measure: {measure}
    phases: [upright]
    ok: {ok}
    close: {close}
    priority: {priority}
    cue: Do it right.
    source: "engine tests"
    why: A test rule.
"""


KNEE_RULES = (
    CARD
    + "measures:\n"
    + """\
  knee:
    type: joint_angle
    points: [RIGHT_HIP, RIGHT_KNEE, RIGHT_ANKLE]
    space: image
    views: [side, diagonal, front, back]
    label: Right knee
"""
    + TRUNK
    + PHASES
    + "rules:\n"
    + _rule("knee_straight", "knee", "[170, 180]", "[160, 190]")
)

SIDED_RULES = (
    CARD
    + """\
sides:
  roles: {straight: RIGHT, folded: LEFT}
  written: right leg straight
  mirrored: left leg straight
  detect: {measure: straight_knee, prefer: larger, margin: 20}
measures:
  straight_knee:
    type: joint_angle
    points: [STRAIGHT_HIP, STRAIGHT_KNEE, STRAIGHT_ANKLE]
    space: world
    views: [side, diagonal, front, back]
    label: Straight knee (3D)
  folded_knee:
    type: joint_angle
    points: [FOLDED_HIP, FOLDED_KNEE, FOLDED_ANKLE]
    space: world
    views: [side/folded, front]
    label: Folded knee (3D)
"""
    + TRUNK
    + PHASES
    + "rules:\n"
    + _rule("straight", "straight_knee", "[170, 180]", "[150, 180]")
    + _rule("folded", "folded_knee", "[90, 130]", "[80, 140]", priority=2)
)


def _load(tmp_path: Path, text: str) -> RuleSet:
    path = tmp_path / "knee_test.yaml"
    path.write_text(text, encoding="utf-8")
    return load_rules(path)


def _engine(rules: RuleSet, **settings) -> RuleEngine:
    settings = {"smoothing": None, "min_duration": MIN_DURATION, **settings}
    return RuleEngine(rules, EngineSettings(**settings))


class _Session:
    """Feeds an engine frames 1/8 s apart, keeping the clock."""

    def __init__(self, engine: RuleEngine) -> None:
        self.engine = engine
        self.t = 0.0

    def feed(self, seconds: float = DT, **pose) -> list[Verdict]:
        verdicts = []
        for _ in range(round(seconds / DT)):
            verdicts.append(self.engine.update(_body(t=self.t, **pose)))
            self.t += DT
        return verdicts

    def nobody(self) -> Verdict:
        verdict = self.engine.update(PoseFrame.empty(self.t, SIZE))
        self.t += DT
        return verdict


def _statuses(verdicts: list[Verdict], rule_id: str = "knee_straight") -> str:
    letters = {OK: "o", CLOSE: "c", OFF: "x", NOT_VISIBLE: "-", NOT_APPLICABLE: "."}
    return "".join(letters[v.result(rule_id).status] for v in verdicts)


# ---------------------------------------------------------------------------------------------
# classify: bands and hysteresis
# ---------------------------------------------------------------------------------------------

# ok [170, 180] (width 10) inside close [160, 190]; a margin of 0.15 widens the held band by
# 1.5 on each side of the ok band (and keeps a held close close a little outside its band).
CLASSIFY = [
    (175, None, 0.15, OK),
    (170, None, 0.15, OK),
    (169, None, 0.15, CLOSE),
    (160, None, 0.15, CLOSE),
    (159.9, None, 0.15, OFF),
    (185, None, 0.15, CLOSE),
    (190.1, None, 0.15, OFF),
    (169, OK, 0.15, OK),  # held ok, 1 below the band: within the margin
    (168.5, OK, 0.15, OK),
    (168.4, OK, 0.15, CLOSE),  # beyond the margin: flips
    (181.5, OK, 0.15, OK),
    (181.6, OK, 0.15, CLOSE),
    (169, OK, 0.0, CLOSE),  # no margin, no hysteresis
    (169, OK, 0.3, OK),
    (167, OK, 0.3, OK),
    (166.9, OK, 0.3, CLOSE),
    (159, CLOSE, 0.15, CLOSE),
    (158.5, CLOSE, 0.15, CLOSE),
    (155, CLOSE, 0.15, OFF),
    (170, CLOSE, 0.15, OK),  # improving is reported at once
    (169, CLOSE, 0.15, CLOSE),
    (159, OFF, 0.15, OFF),  # off has no band to widen: close only inside the close band
    (160, OFF, 0.15, CLOSE),
    (169, OFF, 0.15, CLOSE),
]


@pytest.mark.parametrize(("value", "held", "margin", "expected"), CLASSIFY)
def test_classify(value, held, margin, expected):
    assert classify(value, Band(170, 180), Band(160, 190), held, margin) is expected


@pytest.mark.parametrize("held", [OK, CLOSE])
@pytest.mark.parametrize(
    ("ok", "close", "value"),
    [
        ((-1.0, 0.07), (-1.0, 0.085), 0.15),  # spine_long_in_fold: a rounded back measured 0.15
        ((0.86, 2.0), (0.82, 2.0), 0.75),  # a one-sided lower bound with a far upper bound
        ((0.0, 0.7), (0.0, 0.78), 0.8),  # heel_to_groin: foot at the knee 0.82-1.09
    ],
    ids=["spine_long_in_fold", "lower_bound", "heel_to_groin"],
)
def test_hysteresis_never_holds_a_value_far_outside_the_close_band(ok, close, value, held):
    assert classify(value, Band(*ok), Band(*close), None, 0.15) is OFF
    assert classify(value, Band(*ok), Band(*close), held, 0.15) is OFF


# ---------------------------------------------------------------------------------------------
# Over time: minimum duration and hysteresis through the engine
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("off_frames", "expected"),
    [
        (1, "o" + "oooooo"),
        (4, "oooo" + "oooooo"),  # 0.375 s off: too short to report
        (5, "oooox" + "xxxxoo"),  # 0.5 s: reported, and the way back takes 0.5 s too
        (7, "ooooxxx" + "xxxxoo"),
    ],
)
def test_a_status_change_is_reported_after_min_duration(tmp_path, off_frames, expected):
    session = _Session(_engine(_load(tmp_path, KNEE_RULES)))
    settle = session.feed(1.0, right_knee=178)
    assert settle[-1].phase == "upright" and _statuses(settle[-4:]) == "oooo"
    off = session.feed(off_frames * DT, right_knee=120)
    back = session.feed(6 * DT, right_knee=178)
    assert _statuses(off + back) == expected
    # The value is always the one measured in this frame, whatever status is reported.
    assert off[0].result("knee_straight").value == pytest.approx(120.0)


def test_a_value_within_band_margin_keeps_ok_and_beyond_it_flips(tmp_path):
    session = _Session(_engine(_load(tmp_path, KNEE_RULES)))
    session.feed(1.0, right_knee=175)
    hovering = session.feed(2.0, right_knee=169)  # 1 below the ok band; margin 1.5
    assert _statuses(hovering) == "o" * 16
    beyond = session.feed(1.0, right_knee=168)
    assert _statuses(beyond) == "oooocccc"


def test_without_hysteresis_the_same_value_is_close(tmp_path):
    session = _Session(_engine(_load(tmp_path, KNEE_RULES), band_margin=0.0))
    session.feed(1.0, right_knee=175)
    assert _statuses(session.feed(1.0, right_knee=169)) == "oooocccc"


def test_min_duration_zero_reports_a_change_in_the_same_frame(tmp_path):
    session = _Session(_engine(_load(tmp_path, KNEE_RULES), min_duration=0.0))
    first = session.feed(DT, right_knee=178)[0]
    assert first.phase == "upright"
    assert _statuses(session.feed(2 * DT, right_knee=120)) == "xx"


# ---------------------------------------------------------------------------------------------
# Phases and visibility
# ---------------------------------------------------------------------------------------------


def test_rules_are_not_applicable_outside_their_phases(tmp_path):
    rules = _load(tmp_path, KNEE_RULES)
    verdict = evaluate_still(rules, _body(right_knee=120, lean=40))
    assert verdict.phase == "leaning"
    result = verdict.result("knee_straight")
    assert result.status is NOT_APPLICABLE and result.reason == "applies in: Upright"
    assert math.isnan(result.value) and verdict.top is None
    session = _Session(_engine(rules))
    session.feed(1.0, right_knee=120)
    leaning = session.feed(1.0, right_knee=120, lean=40)
    assert _statuses(leaning) == "xxxx...."  # the new phase too must last min_duration


def test_phases_are_ordered_and_the_first_match_wins(tmp_path):
    anywhere = "  - id: anywhere\n    label: Anywhere\n    when: [{measure: trunk, below: 90}]\n"
    first = KNEE_RULES.replace("phases:\n", "phases:\n" + anywhere)
    last = KNEE_RULES.replace("hold_phase:", anywhere + "hold_phase:")
    assert evaluate_still(_load(tmp_path, first), _body()).phase == "anywhere"
    assert evaluate_still(_load(tmp_path, last), _body()).phase == "upright"


def test_unknown_values_never_satisfy_a_condition(tmp_path):
    rules = _load(tmp_path, KNEE_RULES)
    verdict = evaluate_still(rules, _body(hidden=(L.LEFT_SHOULDER,)))  # trunk unmeasurable
    assert math.isnan(verdict.measures["trunk"])
    assert verdict.phase == "" and verdict.phase_label == "not in the pose"
    assert verdict.result("knee_straight").status is NOT_APPLICABLE


def test_a_hidden_landmark_makes_the_rule_not_visible_and_names_it(tmp_path):
    verdict = evaluate_still(_load(tmp_path, KNEE_RULES), _body(hidden=(L.RIGHT_ANKLE,)))
    result = verdict.result("knee_straight")
    assert result.status is NOT_VISIBLE and math.isnan(result.value)
    assert "right ankle" in result.reason
    assert verdict.phase == "upright" and verdict.top is None


def test_a_landmark_just_below_the_threshold_is_hidden(tmp_path):
    rules = _load(tmp_path, KNEE_RULES)
    pose = _body(right_knee=120)
    visibility = np.array(pose.visibility)
    visibility[L.RIGHT_KNEE] = 0.6
    pose = PoseFrame(pose.image_xy, pose.world_xyz, visibility, 0.0, SIZE)
    assert evaluate_still(rules, pose).result("knee_straight").status is OFF
    strict = EngineSettings(visibility_threshold=0.7)
    result = evaluate_still(rules, pose, strict).result("knee_straight")
    assert result.status is NOT_VISIBLE and "right knee" in result.reason


@pytest.mark.parametrize(
    ("views", "yaw", "status", "reason"),
    [
        ("[side]", 0, NOT_VISIBLE, "not measurable from a front view (needs a side view)"),
        ("[side]", 90, OK, "measured from a side view"),
        # straight on is also within the diagonal range: judged, but the evidence is weak
        ("[front]", 0, OK, "not sure from this view (the camera may be at a diagonal view)"),
        ("[front]", 90, NOT_VISIBLE, "not measurable from a side view (needs a front view)"),
        ("[diagonal]", 0, OK, "not sure from this view (the camera may be at a front view)"),
        ("[back]", 0, NOT_VISIBLE, "not measurable from a front view (needs a back view)"),
        ("[back]", 180, OK, "not sure from this view (the camera may be at a diagonal view)"),
    ],
)
def test_a_measure_is_judged_only_from_the_views_it_lists(tmp_path, views, yaw, status, reason):
    text = KNEE_RULES.replace(
        "views: [side, diagonal, front, back]\n    label: Right knee",
        f"views: {views}\n    label: Right knee",
    )
    assert text != KNEE_RULES
    result = evaluate_still(_load(tmp_path, text), _body(yaw=yaw)).result("knee_straight")
    assert (result.status, result.reason) == (status, reason)


def test_an_unsure_view_never_gives_a_firm_correction(tmp_path, monkeypatch):
    """When the trunk points at the camera the view cannot be told (CameraView.unsure): a
    value past the close band is reported as close, with the reason, never as off."""
    import aligncheck.rules.engine as engine_module

    rules = _load(tmp_path, KNEE_RULES)
    pose = _body(right_knee=120)
    assert evaluate_still(rules, pose).result("knee_straight").status is OFF
    real = engine_module.camera_view

    def unsure(*args, **kwargs):
        return dataclasses.replace(real(*args, **kwargs), unsure=True)

    monkeypatch.setattr(engine_module, "camera_view", unsure)
    result = evaluate_still(rules, pose).result("knee_straight")
    assert result.status is CLOSE
    assert result.reason == f"{WEAK_EVIDENCE} ({UNSURE_VIEW})"


# ---------------------------------------------------------------------------------------------
# Sides: detection, mirroring, role-qualified views
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("right", "left", "side", "mirrored", "straight_side"),
    [
        (180, 110, "right leg straight", False, "RIGHT"),
        (110, 180, "left leg straight", True, "LEFT"),
        (175, 100, "right leg straight", False, "RIGHT"),
        (100, 175, "left leg straight", True, "LEFT"),
    ],
)
def test_side_detection_mirrors_every_landmark(
    tmp_path, right, left, side, mirrored, straight_side
):
    rules = _load(tmp_path, SIDED_RULES)
    verdict = evaluate_still(rules, _body(right_knee=right, left_knee=left))
    folded_side = "LEFT" if straight_side == "RIGHT" else "RIGHT"
    assert (verdict.side, verdict.mirrored) == (side, mirrored)
    straight, folded = verdict.result("straight"), verdict.result("folded")
    assert straight.landmarks == tuple(L[f"{straight_side}_{p}"] for p in ("HIP", "KNEE", "ANKLE"))
    assert straight.anchor is L[f"{straight_side}_KNEE"]
    assert folded.landmarks == tuple(L[f"{folded_side}_{p}"] for p in ("HIP", "KNEE", "ANKLE"))
    assert straight.value == pytest.approx(max(right, left))
    assert folded.value == pytest.approx(min(right, left))
    assert (straight.status, folded.status) == (OK, OK)
    assert verdict.measures["straight_knee"] == pytest.approx(max(right, left))


def test_the_side_switches_only_when_decisive_and_lasting(tmp_path):
    session = _Session(_engine(_load(tmp_path, SIDED_RULES)))
    assert {v.side for v in session.feed(1.0, right_knee=180, left_knee=110)} == {
        "right leg straight"
    }
    # The left knee a little straighter than the right: within the margin (20), no switch.
    alike = session.feed(2.0, right_knee=165, left_knee=175)
    assert {v.side for v in alike} == {"right leg straight"}
    switched = session.feed(1.0, right_knee=110, left_knee=180)
    assert [v.mirrored for v in switched] == [False] * 4 + [True] * 4
    assert switched[-1].side == "left leg straight"
    assert switched[-1].result("straight").value == pytest.approx(180.0)


@pytest.mark.parametrize(
    ("right", "left", "yaw", "status"),
    [
        (180, 110, 90, OK),  # left (folded) side towards the camera
        (180, 110, -90, NOT_VISIBLE),  # straight side towards the camera
        (110, 180, -90, OK),  # mirrored: the folded leg is the right one, and it is near
        (110, 180, 90, NOT_VISIBLE),
    ],
)
def test_views_with_a_role_need_that_role_towards_the_camera(tmp_path, right, left, yaw, status):
    verdict = evaluate_still(
        _load(tmp_path, SIDED_RULES), _body(right_knee=right, left_knee=left, yaw=yaw)
    )
    assert verdict.view == "side"
    result = verdict.result("folded")
    assert result.status is status
    if status is NOT_VISIBLE:
        assert result.reason == (
            "not measurable from a side view from the straight side"
            " (needs a front view or a side view from the folded side)"
        )
    assert verdict.result("straight").status is OK  # listed for every view


# ---------------------------------------------------------------------------------------------
# The top cue
# ---------------------------------------------------------------------------------------------


def _result(rule_id: str, status: Status, priority: int, value: float, ok=(170, 180)):
    return RuleResult(rule_id, rule_id, status, value, "deg", ok, (0, 180), priority, "cue")


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        ([_result("a", OK, 1, 175), _result("b", CLOSE, 1, 165)], None),
        ([_result("a", NOT_VISIBLE, 1, math.nan), _result("b", NOT_APPLICABLE, 1, math.nan)], None),
        ([_result("a", OFF, 3, 100), _result("b", OFF, 2, 160), _result("c", OK, 1, 175)], "b"),
        ([_result("a", CLOSE, 1, 165), _result("b", OFF, 5, 160)], "b"),
        ([_result("a", OFF, 2, 160), _result("b", OFF, 2, 100)], "b"),  # further out
        ([_result("a", OFF, 2, 100), _result("b", OFF, 2, 160)], "a"),
        # Severity is relative to the band's width: 10/10 against 0.3/0.1.
        ([_result("a", OFF, 2, 160), _result("b", OFF, 2, 0.5, ok=(0.8, 0.9))], "b"),
        ([_result("a", OFF, 2, 185), _result("b", OFF, 2, 165)], "a"),  # above the band too
    ],
)
def test_top_result_is_the_most_important_off_rule(results, expected):
    top = top_result(tuple(results))
    assert (top.rule_id if top else None) == expected


def test_the_verdicts_top_is_the_off_rule(tmp_path):
    text = KNEE_RULES + _rule("trunk_still", "trunk", "[0, 5]", "[0, 10]", priority=2)
    verdict = evaluate_still(_load(tmp_path, text), _body(right_knee=140, lean=15))
    assert verdict.result("trunk_still").status is OFF
    assert verdict.top is not None and verdict.top.rule_id == "knee_straight"
    straight = evaluate_still(_load(tmp_path, text), _body(right_knee=180, lean=15))
    assert straight.top is not None and straight.top.rule_id == "trunk_still"


# ---------------------------------------------------------------------------------------------
# Calibration
# ---------------------------------------------------------------------------------------------


def _calibrated_rules(tmp_path: Path, calibrate: str) -> RuleSet:
    torso = f"""\
  torso:
    type: relative_distance
    points: [mid(LEFT_HIP, RIGHT_HIP), mid(LEFT_SHOULDER, RIGHT_SHOULDER)]
    reference: [RIGHT_HIP, RIGHT_KNEE]
    space: image
    views: [side, diagonal, front, back]
    label: Torso length, relative to upright
    calibrate: {calibrate}
"""
    text = KNEE_RULES.replace("phases:\n", torso + "phases:\n", 1) + _rule(
        "torso_long", "torso", "[-5, 5]", "[-5, 5]", priority=2
    )
    return _load(tmp_path, text)


@pytest.mark.parametrize(
    ("calibrate", "before", "after"),
    [
        # torso / thigh is 1.0 upright (0.45 / 0.45) and 0.8 at the end (0.36 / 0.45).
        ("{phase: upright, seconds: 1.0, fallback: 1.6}", 1.0 / 1.6, 0.8),
        ("{phase: upright, seconds: 1.0, fallback: 1.6, mode: ratio}", 1.0 / 1.6, 0.8),
        ("{phase: upright, seconds: 1.0, fallback: 1.6, mode: difference}", 1.0 - 1.6, -0.2),
        ("{phase: upright, seconds: 1.0}", math.nan, 0.8),
        ("{phase: upright, seconds: 1.0, mode: difference}", math.nan, -0.2),
    ],
)
def test_calibration_compares_with_the_median_of_the_calibration_phase(
    tmp_path, calibrate, before, after
):
    engine = _engine(_calibrated_rules(tmp_path, calibrate))
    session = _Session(engine)
    session.feed(1.0, torso=0.3, lean=40)  # another phase: never sampled
    upright = session.feed(1.0, torso=0.45)  # upright is reported from 1.5 s
    session.feed(DT, torso=0.6)  # one outlier at 2.0 s: the median ignores it
    session.feed(4 * DT, torso=0.45)  # calibrated on the frame at 2.5 s
    end = session.feed(0.5, torso=0.36)
    uncalibrated = upright[-1].result("torso_long")
    assert upright[-1].phase == "upright"
    if math.isnan(before):
        assert uncalibrated.status is NOT_VISIBLE
        assert uncalibrated.reason == "needs a few seconds of upright first"
        assert math.isnan(upright[-1].measures["torso"])
    else:
        assert uncalibrated.status.judged
        assert uncalibrated.value == pytest.approx(before)
    assert engine.calibrated == {"torso": pytest.approx(1.0)}
    assert end[-1].measures["torso"] == pytest.approx(after)
    assert end[-1].result("torso_long").value == pytest.approx(after)
    assert end[-1].result("torso_long").unit == ("body" if "difference" in calibrate else "ratio")


def test_a_still_photo_uses_the_fallback(tmp_path):
    rules = _calibrated_rules(tmp_path, "{phase: upright, seconds: 1.0, fallback: 1.25}")
    verdict = evaluate_still(rules, _body(torso=0.45))
    assert verdict.measures["torso"] == pytest.approx(0.8)
    bare = _calibrated_rules(tmp_path, "{phase: upright, seconds: 1.0}")
    assert evaluate_still(bare, _body(torso=0.45)).result("torso_long").status is NOT_VISIBLE


# ---------------------------------------------------------------------------------------------
# Hold time, nobody in view, stills
# ---------------------------------------------------------------------------------------------

# Segments of (seconds, pose); upright is reported from 0.5 s, so hold time starts there.
HOLDS = [
    ("all-ok", [(2.0, {"right_knee": 178})], 1.375, 1.375),
    ("all-off", [(2.0, {"right_knee": 120})], 1.375, 0.0),
    # off from 1.0 s, reported from 1.5 s: good time 0.625..1.375 s
    ("off-later", [(1.0, {"right_knee": 178}), (1.0, {"right_knee": 120})], 1.375, 0.875),
    # leaning from 1.5 s, reported from 2.0 s: out of the hold phase, nothing counts
    ("left-phase", [(1.5, {"right_knee": 178}), (1.0, {"lean": 40})], 0.0, 0.0),
    # back upright from 2.5 s, reported from 3.0 s: counting starts again from zero
    ("returned", [(1.5, {}), (1.0, {"lean": 40}), (1.5, {})], 0.875, 0.875),
]


@pytest.mark.parametrize(
    ("segments", "hold", "good"), [h[1:] for h in HOLDS], ids=[h[0] for h in HOLDS]
)
def test_hold_time_counts_in_the_hold_phase_and_good_time_while_nothing_is_off(
    tmp_path, segments, hold, good
):
    session = _Session(_engine(_load(tmp_path, KNEE_RULES)))
    for seconds, pose in segments:
        last = session.feed(seconds, **pose)[-1]
    assert (last.hold_time, last.good_time) == (pytest.approx(hold), pytest.approx(good))


def test_hold_time_is_zero_without_a_hold_phase(tmp_path):
    rules = _load(tmp_path, KNEE_RULES.replace("hold_phase: upright\n", ""))
    session = _Session(_engine(rules))
    assert {v.hold_time for v in session.feed(2.0)} == {0.0}


def test_hold_time_runs_on_through_every_phase_listed_as_hold_phase(tmp_path):
    # upright and leaning both count as holding: moving from one to the other keeps the
    # time running (a pose done with several arm positions, say)
    rules = _load(
        tmp_path, KNEE_RULES.replace("hold_phase: upright", "hold_phase: [upright, leaning]")
    )
    assert rules.hold_phase == "upright" and rules.hold_phases == ("upright", "leaning")
    assert rules.holds("leaning") and not rules.holds("")
    session = _Session(_engine(rules))
    session.feed(1.5)
    last = session.feed(1.0, lean=40)[-1]
    # upright is reported from 0.5 s; leaning from 2.0 s does not restart the count
    assert last.phase == "leaning" and last.hold_time == pytest.approx(1.875)
    timer = HoldTimer(rules.hold_phases)
    assert timer.update(last) is not None


@pytest.mark.parametrize(
    ("hold", "words"),
    [
        ("[upright, fold]", "unknown phase 'fold'"),
        ("[]", "expected a phase id or a list of phase ids"),
        ("{upright: 1}", "expected a phase id or a list of phase ids"),
    ],
)
def test_a_bad_hold_phase_list_is_refused(tmp_path, hold, words):
    with pytest.raises(RuleFileError) as caught:
        _load(tmp_path, KNEE_RULES.replace("hold_phase: upright", f"hold_phase: {hold}"))
    assert words in str(caught.value)


def test_nobody_in_view(tmp_path):
    session = _Session(_engine(_load(tmp_path, KNEE_RULES)))
    held = session.feed(1.5, right_knee=178)[-1]
    assert held.hold_time == pytest.approx(0.875)
    verdict = session.nobody()
    assert not verdict.detected and verdict.people == 0
    assert (verdict.phase, verdict.phase_label, verdict.side) == ("", "nobody in view", "")
    assert verdict.top is None and verdict.hold_time == 0.0
    result = verdict.result("knee_straight")
    assert (result.status, result.reason) == (NOT_VISIBLE, "nobody in view")
    assert all(math.isnan(v) for v in verdict.measures.values())
    again = session.feed(0.5, right_knee=178)
    assert again[-1].hold_time == pytest.approx(0.375)  # the hold restarted


def test_evaluate_still_has_no_memory(tmp_path):
    rules = _load(tmp_path, KNEE_RULES)
    assert evaluate_still(rules, _body(right_knee=175)).result("knee_straight").status is OK
    # Held ok, 169 would stay ok (hysteresis); a still is judged on its own: close.
    still = evaluate_still(rules, _body(right_knee=169))
    assert still.phase == "upright"  # no minimum duration either
    assert still.result("knee_straight").status is CLOSE
    assert still.result("knee_straight").value == pytest.approx(169.0)  # no smoothing
    assert still.hold_time == 0.0
    engine = _engine(rules)
    session = _Session(engine)
    session.feed(1.0, right_knee=175)
    assert session.feed(DT, right_knee=169)[0].result("knee_straight").status is OK


def test_the_default_smoothing_leaves_a_still_pose_exact(tmp_path):
    engine = RuleEngine(_load(tmp_path, KNEE_RULES))  # default settings: One Euro on
    verdicts = [engine.update(_body(right_knee=165, t=i * DT)) for i in range(8)]
    assert verdicts[-1].result("knee_straight").value == pytest.approx(165.0)
    assert verdicts[-1].result("knee_straight").status is CLOSE


# ---------------------------------------------------------------------------------------------
# The worked example of docs/rules.md
# ---------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "tests" / "data" / "dandasana_example.yaml"
RULES_DOC = ROOT / "docs" / "rules.md"


def _yaml_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```yaml\n(.*?)^```", markdown, flags=re.S | re.M)


def test_the_docs_example_is_the_tested_file():
    blocks = [b for b in _yaml_blocks(RULES_DOC.read_text("utf-8")) if "id: dandasana\n" in b]
    assert len(blocks) == 1
    assert blocks[0] == EXAMPLE.read_text("utf-8")


def test_every_yaml_snippet_in_the_docs_parses():
    blocks = _yaml_blocks(RULES_DOC.read_text("utf-8"))
    assert len(blocks) >= 8
    for block in blocks:
        assert isinstance(yaml.safe_load(block), dict), block


def _seated(knee: float = 180.0, lean_back: float = 0.0, legs_apart: float = 0.0) -> PoseFrame:
    """Sitting in staff pose seen from the left (so the person faces the image's left), the
    trunk leaning back by ``lean_back`` degrees, both knees at ``knee`` degrees (bent upwards)
    and the legs opened by ``legs_apart`` degrees in total."""
    p: dict[str, np.ndarray] = {}
    a = math.radians(lean_back)
    for side, sign in (("LEFT", -1.0), ("RIGHT", 1.0)):  # z < 0: towards the camera
        spread = math.radians(legs_apart / 2) * sign
        forward = np.array([math.cos(spread), 0.0, math.sin(spread)])
        hip = np.array([0.0, 0.0, 0.1 * sign])
        knee_point = hip + 0.45 * forward
        b = math.radians(180.0 - knee)
        shin = np.array([math.cos(b) * forward[0], math.sin(b), math.cos(b) * forward[2]])
        ankle = knee_point + 0.45 * shin
        p |= {f"{side}_HIP": hip, f"{side}_KNEE": knee_point, f"{side}_ANKLE": ankle}
        p[f"{side}_HEEL"] = ankle + np.array([-0.03, 0.03, 0.0])
        p[f"{side}_FOOT_INDEX"] = ankle + np.array([0.05, -0.12, 0.0])
        for part, (up, ahead, out) in {
            "SHOULDER": (0.5, 0.0, 0.18),
            "ELBOW": (0.25, 0.0, 0.2),
            "WRIST": (0.02, 0.0, 0.22),
            "PINKY": (0.0, 0.02, 0.22),
            "INDEX": (0.0, 0.04, 0.22),
            "THUMB": (0.0, 0.03, 0.2),
            "EAR": (0.62, 0.0, 0.07),
            "EYE": (0.65, 0.08, 0.035),
            "EYE_INNER": (0.65, 0.09, 0.02),
            "EYE_OUTER": (0.65, 0.07, 0.05),
        }.items():
            p[f"{side}_{part}"] = np.array(
                [ahead * math.cos(a) - up * math.sin(a), -up * math.cos(a), out * sign]
            )
        p[f"MOUTH_{side}"] = np.array([0.09 - 0.57 * math.sin(a), -0.57, 0.025 * sign])
    p["NOSE"] = np.array([0.1 - 0.6 * math.sin(a), -0.6 * math.cos(a), 0.0])
    world = np.array([p[lm.name] for lm in Landmark])
    world[:, 0] *= -1.0  # built facing +x; a body seen from its left faces -x
    image = np.array([400.0, 500.0]) + 400.0 * world[:, :2]
    return PoseFrame(image, world, np.ones(NUM_LANDMARKS), 0.0, SIZE)


@pytest.mark.parametrize(
    ("pose", "statuses", "top"),
    [
        ({}, (OK, OK, OK), None),
        ({"lean_back": 25}, (OFF, OK, OK), "spine_upright"),
        ({"knee": 150}, (OK, OFF, OK), "knees_straight"),
        ({"knee": 160, "legs_apart": 12}, (OK, CLOSE, CLOSE), None),
        ({"lean_back": 25, "knee": 140, "legs_apart": 30}, (OFF, OFF, OFF), "spine_upright"),
    ],
)
def test_the_docs_example_judges_a_staff_pose(pose, statuses, top):
    rules = load_rules(EXAMPLE)
    verdict = evaluate_still(rules, _seated(**pose))
    assert (verdict.view, verdict.phase) == ("side", "staff")
    got = tuple(
        verdict.result(r).status for r in ("spine_upright", "knees_straight", "legs_together")
    )
    assert got == statuses
    assert (verdict.top.rule_id if verdict.top else None) == top


def test_a_rules_dir_file_overrides_the_bundled_pose_of_the_same_name(tmp_path):
    (tmp_path / "janu_sirsasana.yaml").write_text(EXAMPLE.read_text("utf-8"), "utf-8")
    (tmp_path / "dandasana.yaml").write_text(EXAMPLE.read_text("utf-8"), "utf-8")
    assert find_pose("janu_sirsasana").pose.id == "janu_sirsasana"  # bundled
    overridden = find_pose("janu_sirsasana", tmp_path)
    assert overridden.pose.id == "dandasana" and overridden.path.parent == tmp_path
    listed = {e.pose_id: e for e in list_poses(tmp_path)}
    assert listed["dandasana"].rules is not None and listed["dandasana"].error is None
