"""The rule engine never judges a skeleton that cannot be a body: every rule is "not read
reliably" with the reason, there is no top cue, and side, phase, statuses and the hold timer
stand still until the pose is read again."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from aligncheck.core import PoseFrame, Status, Verdict
from aligncheck.landmarks import MIRROR, Landmark
from aligncheck.rules import EngineSettings, RuleEngine, evaluate_still
from aligncheck.rules.registry import find_pose
from aligncheck.synth import load_poses, render
from aligncheck.synth.spine import truth_pose

L = Landmark
FPS = 10.0
LEG = (L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE, L.LEFT_HEEL, L.LEFT_FOOT_INDEX)


@pytest.fixture(scope="module")
def rules():
    return find_pose("janu_sirsasana")


@pytest.fixture(scope="module")
def fold() -> PoseFrame:
    """Janu Sirsasana's fold, right leg straight, seen from the right: a true body."""
    shot = render(load_poses().pose("janu_right_folded"), view=-90.0, elevation=10.0)
    return truth_pose(shot)


def _legs_swapped(pose: PoseFrame) -> PoseFrame:
    """The model's classic slip: the two legs (hips included) labelled the wrong way round."""
    order = np.arange(len(L))
    for lm in LEG:
        order[lm], order[MIRROR[lm]] = MIRROR[lm], lm
    return replace(pose, image_xy=pose.image_xy[order], world_xyz=pose.world_xyz[order])


def _at(pose: PoseFrame, t: float) -> PoseFrame:
    return replace(pose, timestamp=t, index=round(t * FPS))


def _run(engine: RuleEngine, pose: PoseFrame, start: float, end: float) -> list[Verdict]:
    count = round((end - start) * FPS)
    return [engine.update(_at(pose, start + i / FPS)) for i in range(count)]


def test_a_still_that_is_not_a_body_is_not_judged(rules, fold):
    judged = evaluate_still(rules, fold)
    assert judged.reliable and any(r.status.judged for r in judged.results)
    verdict = evaluate_still(rules, _legs_swapped(fold))
    assert not verdict.reliable
    assert verdict.reliability_check == "twist" and verdict.suggestion
    assert verdict.top is None and verdict.phase == ""
    assert verdict.phase_label == Status.UNRELIABLE.value == "not read reliably"
    assert {r.status for r in verdict.results} == {Status.UNRELIABLE}
    assert all(r.reason == verdict.reliability for r in verdict.results)
    assert all(math.isnan(r.value) for r in verdict.results)
    assert all(math.isnan(v) for v in verdict.measures.values())
    assert not Status.UNRELIABLE.judged


def test_unreliable_frames_change_nothing_and_the_hold_stands_still(rules, fold):
    engine = RuleEngine(rules, EngineSettings(smoothing=None))
    before = _run(engine, fold, 0.0, 2.0)[-1]
    assert before.reliable and before.phase == rules.hold_phase and before.hold_time > 1.0
    assert before.side == "right leg straight"
    broken = _run(engine, _legs_swapped(fold), 2.0, 3.0)
    for verdict in broken:
        assert not verdict.reliable and verdict.top is None
        assert {r.status for r in verdict.results} == {Status.UNRELIABLE}
        assert verdict.hold_time == pytest.approx(before.hold_time)
        assert verdict.good_time == pytest.approx(before.good_time)
        assert verdict.side == before.side  # the swapped legs did not turn the side round
    after = engine.update(_at(fold, 3.0))
    assert after.reliable and after.phase == before.phase and after.side == before.side
    assert [r.status for r in after.results] == [r.status for r in before.results]
    assert after.hold_time == pytest.approx(before.hold_time + 1 / FPS)


def test_without_the_check_the_swapped_legs_would_be_judged_and_flip_the_side(rules, fold):
    engine = RuleEngine(rules, EngineSettings(smoothing=None, plausibility=None))
    _run(engine, fold, 0.0, 2.0)
    broken = _run(engine, _legs_swapped(fold), 2.0, 3.0)
    assert all(v.reliable for v in broken)
    assert broken[-1].side == "left leg straight"  # nonsense the check keeps out
