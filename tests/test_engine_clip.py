"""The rule engine over time, on the bundled sample clip (the synthetic practitioner moving from
sitting into Janu Sirsasana on the right side, with a rounded fold that then lengthens).

The clip's sidecar JSON says which key pose is being held at every frame, so phases, faults
and hold time can be checked against the truth. Every third frame is analysed (10 fps).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from aligncheck.core import Status, Verdict
from aligncheck.estimate import PoseEstimator
from aligncheck.rules import RuleEngine
from aligncheck.rules.registry import find_pose
from aligncheck.sources import VideoSource

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
FLAGGED = (Status.CLOSE, Status.OFF)


@dataclass(frozen=True)
class Step:
    truth: str
    holding: bool
    verdict: Verdict


@pytest.fixture(scope="module")
def steps() -> list[Step]:
    truth = json.loads((SAMPLES / "janu_sirsasana_right.json").read_text())["frames"]
    rules = find_pose("janu_sirsasana")
    engine = RuleEngine(rules)
    out = []
    with PoseEstimator(mode="video", silhouette=rules.needs_silhouette) as estimator:
        for frame in VideoSource(SAMPLES / "janu_sirsasana_right.mp4"):
            if frame.index % 3:
                continue
            pose = estimator.estimate(frame)
            verdict = engine.update(pose)
            if pose.detected and not verdict.reliable:
                estimator.look_again()  # as analyze and live do
            out.append(Step(truth[frame.index][1], truth[frame.index][2], verdict))
    return out


def _held(steps: list[Step], pose: str) -> list[Verdict]:
    return [s.verdict for s in steps if s.holding and s.truth == pose]


def test_phases_follow_the_sequence(steps):
    first = {}
    for step in steps:
        first.setdefault(step.verdict.phase, step.verdict.timestamp)
    assert first["seated"] < first["upright"] < first["twist"] < first["fold"]


@pytest.mark.parametrize(
    ("pose", "phase"),
    [
        ("janu_right_upright", "upright"),
        ("janu_right_twist", "twist"),
        ("janu_right_folded_rounded", "fold"),
        ("janu_right_folded", "fold"),
    ],
)
def test_held_poses_are_recognised(steps, pose, phase):
    held = _held(steps, pose)
    assert sum(v.phase == phase for v in held) / len(held) >= 0.7


def test_side_is_the_right_leg(steps):
    decided = [s.verdict.side for s in steps if s.verdict.timestamp > 4.0]
    assert sum(side == "right leg straight" for side in decided) / len(decided) >= 0.95


def test_rounded_fold_is_flagged_and_the_top_cue_is_the_spine(steps):
    held = _held(steps, "janu_right_folded_rounded")
    flagged = [v.result("spine_long_in_fold").status in FLAGGED for v in held]
    assert sum(flagged) / len(held) >= 0.8
    tops = [v.top.rule_id if v.top else "" for v in held]
    assert sum(t == "spine_long_in_fold" for t in tops) / len(held) >= 0.8


def test_extended_fold_is_not_called_rounded(steps):
    held = _held(steps, "janu_right_folded")
    statuses = [v.result("spine_long_in_fold").status for v in held]
    judged = [s for s in statuses if s.judged]
    # deep in the fold the hands and the folded knee hide the straight knee, which this
    # measure needs for its direction: those frames are "not visible", never a verdict
    assert len(judged) >= 0.25 * len(held)
    assert all(s is Status.OK for s in judged)
    hidden = [
        v.result("spine_long_in_fold")
        for v in held
        if not v.result("spine_long_in_fold").status.judged
    ]
    # (or, where the model garbled the skeleton for a moment, "not read reliably")
    assert all("not visible" in r.reason or r.status is Status.UNRELIABLE for r in hidden)


def test_twist_is_measured_against_the_upright_preparation(steps):
    held = _held(steps, "janu_right_twist")
    statuses = [v.result("turn_to_straight_leg").status for v in held if v.phase == "twist"]
    assert statuses and all(s is Status.OK for s in statuses)


def test_hold_time_runs_in_the_fold_and_good_time_only_without_faults(steps):
    fold = [s.verdict for s in steps if s.verdict.phase == "fold"]
    holds = [v.hold_time for v in fold]
    assert max(holds) > 6.0
    assert all(v.good_time <= v.hold_time + 1e-9 for v in fold)
    last = fold[-1]
    assert 0.0 < last.good_time < last.hold_time  # the rounded part did not count
    # (a moment not read reliably keeps the hold standing, paused, without a phase)
    outside = [s.verdict for s in steps if s.verdict.phase != "fold" and s.verdict.reliable]
    assert all(v.hold_time == 0.0 for v in outside)


def test_statuses_do_not_flicker_during_holds(steps):
    for pose in ("janu_right_upright", "janu_right_folded_rounded"):
        held = _held(steps, pose)
        for rule in held[0].results:
            sequence = [v.result(rule.rule_id).status for v in held]
            changes = sum(a is not b for a, b in itertools.pairwise(sequence))
            assert changes <= 2, (pose, rule.rule_id, [s.value for s in sequence])
