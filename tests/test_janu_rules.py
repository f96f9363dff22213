"""Every Janu Sirsasana rule on renders of the synthetic population: a fault at its clear
strength and the correct poses, on both sides, from a side view on the straight leg's side and
a diagonal from the folded leg's side, each image a different person, room and camera.

The seeds are those of a ``test`` split, used neither for tuning the limits (``tune``) nor for
the reported figures (``eval``, docs/accuracy.md). The assertions are guards against a broken
measure, a mirrored side gone wrong or a limit moved the wrong way, at levels below what the
evaluation measured; the accuracy itself is measured by ``benchmarks/accuracy.py``.
"""

from __future__ import annotations

import pytest

from aligncheck.core import Frame, Status
from aligncheck.rules.registry import find_pose
from aligncheck.synth import evalscore as sc
from aligncheck.synth.evalrun import Seen, render_item, truth_pose
from aligncheck.synth.evalset import items

FLAGGED = (Status.CLOSE, Status.OFF)
VIEWS = ("side/straight", "diagonal/folded")


@pytest.fixture(scope="module")
def judged(silhouette_estimator) -> list[sc.Judged]:
    rules = find_pose("janu_sirsasana")
    assert rules.needs_silhouette  # the spine rule reads the back's outline
    chosen = [
        i
        for i in items("test", 1, views=VIEWS)
        if i.strength in ("correct", "clear") and (i.case.correct or i.case.faults)
    ]
    seen = []
    for item in chosen:
        render = render_item(item)
        pose = silhouette_estimator.estimate(Frame(render.image, 0, 0.0))
        seen.append(Seen(item, pose, truth_pose(render)))
    return sc.judge(rules, seen)


def test_every_rule_has_a_fault_in_the_evaluation():
    rules = find_pose("janu_sirsasana")
    faults = {r for i in items("test", 1) for r in i.case.faults}
    # the twist is compared with the person's own upright preparation: tested on the clip
    # (tests/test_engine_clip.py)
    assert {r.id for r in rules.rules} - faults == {"turn_to_straight_leg"}


def test_rules_flag_their_faults_and_spare_correct_poses(judged):
    rules = find_pose("janu_sirsasana")
    rows = sc.rule_rows(rules, judged)
    faults = sum(r.detection.n for r in rows)
    clean = sum(r.false_alarms.n for r in rows)
    assert faults >= 20 and clean >= 60, (faults, clean)
    detection = sum(r.detection.k for r in rows) / faults
    false_alarms = sum(r.false_alarms.k for r in rows) / clean
    assert detection >= 0.6, [(r.rule, r.view, r.detection.text()) for r in rows]
    assert false_alarms <= 0.12, [(r.rule, r.view, r.false_alarms.text()) for r in rows]


def test_correct_poses_rarely_get_a_cue(judged):
    correct = [j for j in judged if j.seen.item.case.correct]
    quiet = sum(j.verdict.top is None for j in correct) / len(correct)
    assert quiet >= 0.8


def test_side_is_right_when_decided(judged):
    decided = [j for j in judged if j.verdict.side and j.seen.item.case.phase != "seated"]
    assert len(decided) >= 0.6 * len(judged) * 0.8
    right = sum(j.verdict.mirrored == j.seen.item.mirrored for j in decided)
    assert right / len(decided) >= 0.85


def test_both_sides_are_judged(judged):
    for mirrored in (False, True):
        mine = [j for j in judged if j.seen.item.mirrored == mirrored]
        assert sum(any(r.status.judged for r in j.verdict.results) for j in mine) >= 0.5 * len(mine)
