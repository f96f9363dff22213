"""The evaluation harness and the rule-language pieces it motivated: Wilson intervals, disjoint
tune/eval splits, per-measure visibility, ``if_visible`` conditions and the near-limb side cue."""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_rules_loader import VALID, _write

from aligncheck.core import PoseFrame
from aligncheck.landmarks import NUM_LANDMARKS
from aligncheck.rules import RuleFileError, load_rules
from aligncheck.rules.engine import evaluate_still
from aligncheck.rules.registry import find_pose
from aligncheck.rules.schema import Condition, NearCue
from aligncheck.synth.evalscore import Rate, wilson
from aligncheck.synth.evalset import HEIGHT_BUCKETS, VIEW_BUCKETS, items


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (5, 10, 0.2366, 0.7634),
        (95, 100, 0.8882, 0.9785),
    ],
)
def test_wilson_interval_known_answers(k, n, low, high):
    got = wilson(k, n)
    assert got[0] == pytest.approx(low, abs=5e-4) and got[1] == pytest.approx(high, abs=5e-4)


def test_rate_without_data_is_unknown_not_zero():
    assert math.isnan(Rate(0, 0).value) and Rate(0, 0).text() == "-"
    assert Rate(3, 4).text().startswith("75% (")


def test_tune_and_eval_splits_never_share_a_seed():
    tune = list(items("tune", 2))
    fresh = list(items("eval", 2))
    assert not {i.seed for i in tune} & {i.seed for i in fresh}
    assert [i.key for i in tune] == [i.key for i in items("tune", 2)]  # deterministic
    faults = [i for i in tune if not i.case.correct]
    assert {i.strength for i in faults} == {"mild", "clear"}


def test_items_draw_cameras_inside_their_buckets_signed_by_side():
    for item in items("eval", 1):
        low, high = VIEW_BUCKETS[item.view]
        azimuth = -item.azimuth() if item.mirrored else item.azimuth()
        assert low <= azimuth <= high
        low, high = HEIGHT_BUCKETS[item.height]
        assert low <= item.camera_height() <= high


def test_near_cue_tells_the_role_of_the_near_limb():
    cue = NearCue("near_knee", 140, 110, "straight", "folded")
    assert cue.near_role(170) == "straight"
    assert cue.near_role(60) == "folded"
    assert cue.near_role(125) is None and cue.near_role(math.nan) is None


def test_if_visible_condition_is_unknown_when_nan():
    assert Condition("thighs", above=35, if_visible=True).holds(math.nan) is None


def _pose(visibility: float) -> PoseFrame:
    """A seated body seen from the side, every landmark at one visibility."""
    xy = np.zeros((NUM_LANDMARKS, 2))
    world = np.zeros((NUM_LANDMARKS, 3))
    return PoseFrame(xy, world, np.full(NUM_LANDMARKS, visibility), 0.0, (640, 480))


def test_min_visibility_lets_a_measure_use_half_hidden_landmarks(tmp_path):
    text = VALID.replace(
        "    label: Straight knee\n", "    label: Straight knee\n    min_visibility: 0.2\n", 1
    )
    rules = load_rules(_write(tmp_path, text))
    assert rules.measures["straight_knee"].min_visibility == 0.2
    assert rules.measures["straight_knee"].threshold(0.5) == 0.2
    assert rules.measures["trunk"].threshold(0.5) == 0.5


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (
            "    label: Straight knee\n",
            "    label: Straight knee\n    min_visibility: 2\n",
            "measures.straight_knee.min_visibility",
        ),
        (
            "{measure: trunk, below: 30}",
            "{measure: trunk, below: 30, if_visible: maybe}",
            "phases[0].when[0].if_visible",
        ),
        (
            "detect: {measure: straight_knee, prefer: larger, margin: 10}",
            "detect: {measure: straight_knee, prefer: larger, margin: 10, near: {measure: "
            "straight_knee, above: 140, below: 110, role_above: straigt, role_below: folded}}",
            "sides.detect.near.role_above",
        ),
    ],
)
def test_new_fields_are_validated(tmp_path, old, new, field):
    assert old in VALID
    with pytest.raises(RuleFileError) as caught:
        load_rules(_write(tmp_path, VALID.replace(old, new, 1)))
    assert any(i.field == field for i in caught.value.issues), str(caught.value)


def test_janu_rules_use_the_new_recognition():
    rules = find_pose("janu_sirsasana")
    assert rules.sides.detect.near is not None
    assert rules.measures["hand_height"].min_visibility == pytest.approx(0.1)
    fold = rules.phase("fold")
    assert "hip_angle_3d" in {c.measure for c in fold.when}
    # nobody visible enough: no phase is claimed from unknown measures alone
    verdict = evaluate_still(rules, _pose(0.0))
    assert verdict.phase == ""
