"""Every Janu Sirsasana rule on renders of the correct pose and of the fault it targets.

Each rule's fault and correct pose are rendered on both sides, from every camera view the
rule's measure declares reliable (see ``aligncheck.synth.rulecheck.VIEW_AZIMUTHS``), run through
the real pose model and judged as stills. The model is imperfect on these figures, so the
assertions are on rates, at the levels measured with ``benchmarks/rule_detection.py``; a broken
measure, a mirrored side gone wrong or a threshold moved the wrong way fails them.
"""

from __future__ import annotations

import pytest

from aligncheck.core import Status
from aligncheck.rules.registry import find_pose
from aligncheck.synth.rulecheck import JANU_CASES, Trial, rates, run_trials

FLAGGED = (Status.CLOSE, Status.OFF)


@pytest.fixture(scope="module")
def trials(silhouette_estimator) -> list[Trial]:
    rules = find_pose("janu_sirsasana")
    assert rules.needs_silhouette  # the spine rule reads the back's outline
    return list(run_trials(rules, silhouette_estimator, elevations=(12.0,)))


def test_every_rule_of_the_file_has_a_case():
    rules = find_pose("janu_sirsasana")
    untested = {r.id for r in rules.rules} - {c.rule for c in JANU_CASES}
    # the twist is compared with the person's own upright preparation: tested on the clip
    # (tests/test_engine_clip.py)
    assert untested == {"turn_to_straight_leg"}


@pytest.mark.parametrize("case", JANU_CASES, ids=[c.rule for c in JANU_CASES])
def test_rule_flags_its_fault_and_spares_the_correct_pose(trials, case):
    mine = [t for t in trials if t.rule == case.rule]
    faults = [t for t in mine if t.is_fault and t.status.judged]
    correct = [t for t in mine if not t.is_fault and t.status.judged]
    assert faults, "the fault was never judged from the declared views"
    detected = sum(t.status in FLAGGED for t in faults) / len(faults)
    assert detected >= 0.6, [(t.pose, t.azimuth, t.status.value, round(t.value, 2)) for t in faults]
    if correct:
        false_alarms = sum(t.status in FLAGGED for t in correct) / len(correct)
        assert false_alarms <= 0.4, [
            (t.pose, t.azimuth, t.status.value, round(t.value, 2)) for t in correct
        ]


def test_overall_detection_and_false_alarm_rates(trials):
    rows = rates(trials)
    faults = sum(r.faults_judged for r in rows)
    correct = sum(r.correct_judged for r in rows)
    assert faults >= 60 and correct >= 60
    assert sum(r.faults_flagged for r in rows) / faults >= 0.85
    assert sum(r.correct_flagged for r in rows) / correct <= 0.15


def test_both_sides_are_judged(trials):
    for side in ("right", "left"):
        judged = [t for t in trials if t.side == side and t.status.judged]
        assert len(judged) >= 40, side
