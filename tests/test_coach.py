"""The spoken coach on hand-built verdicts: guide steps first and once, cues only after they
settle, no repeats within ``min_repeat``, a gap between utterances, silence while all is well,
a confirmation when the cued correction is made, and one remark when nobody is in view."""

from __future__ import annotations

from aligncheck.core import RuleResult, Status, Verdict
from aligncheck.live.coach import CONFIRMATIONS, NOBODY_AFTER, NOBODY_TEXT, Coach, Utterance
from aligncheck.rules.guide import GuideState
from aligncheck.rules.schema import GuideStep

DT = 0.125
CUES = {
    "straight_knee": "Straighten the straight leg.",
    "sit_upright": "Stack your shoulders over your hips.",
}


def _result(rule_id: str, status: Status = Status.OK) -> RuleResult:
    return RuleResult(
        rule_id, rule_id, status, 1.0, "deg", (0, 1), (0, 2), 2, CUES[rule_id], "", "", ""
    )


def _verdict(t: float, off: tuple[str, ...] = (), detected: bool = True, **statuses) -> Verdict:
    """A verdict at ``t``: rules in ``off`` are off (the first is the top cue), the others ok
    unless ``statuses`` says otherwise."""
    results = tuple(
        _result(r, Status.OFF if r in off else statuses.get(r, Status.OK)) for r in CUES
    )
    if not detected:
        results = tuple(_result(r, Status.NOT_VISIBLE) for r in CUES)
    top = next((r for r in results if r.rule_id == off[0]), None) if off and detected else None
    return Verdict(
        timestamp=t,
        index=round(t / DT),
        pose_id="test",
        detected=detected,
        people=int(detected),
        side="",
        mirrored=False,
        phase="upright" if detected else "",
        phase_label="",
        view="side",
        measures={},
        results=results,
        top=top,
    )


def _step(index: int) -> GuideState:
    step = GuideStep(f"step{index}", f"Do step {index}.", "", frozenset({"upright"}))
    return GuideState(index, 3, step, index > 0, 0.0)


def _run(
    coach: Coach, start: float, end: float, guide: GuideState | None = None, **kw
) -> list[tuple[float, Utterance]]:
    """Feed verdicts from ``start`` to ``end`` (exclusive) every DT; what was said, when."""
    said = []
    for i in range(round((end - start) / DT)):
        t = start + i * DT
        utterance = coach.update(_verdict(t, **kw), guide)
        if utterance is not None:
            said.append((t, utterance))
    return said


def test_silence_while_all_is_well():
    assert _run(Coach(), 0.0, 30.0) == []


def test_a_cue_is_said_only_after_it_has_been_the_top_for_settle_seconds():
    coach = Coach(settle=1.0)
    said = _run(coach, 0.0, 3.0, off=("straight_knee",))
    assert said == [(1.0, Utterance(CUES["straight_knee"], "cue", "straight_knee"))]


def test_settle_counts_from_when_the_rule_became_the_top():
    coach = Coach(settle=1.0, min_gap=0.5, confirm=False)
    assert _run(coach, 0.0, 5.0) == []
    said = _run(coach, 5.0, 7.0, off=("straight_knee",))
    assert [t for t, _ in said] == [6.0]
    said = _run(coach, 7.0, 9.0, off=("sit_upright",))  # another fault takes the top
    assert [(t, u.rule_id) for t, u in said] == [(8.0, "sit_upright")]


def test_a_fault_that_passes_before_settling_is_never_said():
    coach = Coach(settle=1.0)
    assert _run(coach, 0.0, 0.875, off=("straight_knee",)) == []
    assert _run(coach, 0.875, 5.0) == []


def test_the_same_cue_is_not_repeated_within_min_repeat():
    coach = Coach(min_repeat=8.0, min_gap=3.0, settle=1.0)
    said = _run(coach, 0.0, 20.0, off=("straight_knee",))
    assert [t for t, _ in said] == [1.0, 9.0, 17.0]
    assert {u.text for _, u in said} == {CUES["straight_knee"]}


def test_at_most_one_utterance_per_min_gap():
    coach = Coach(min_repeat=8.0, min_gap=3.0, settle=0.0, confirm=False)
    said = _run(coach, 0.0, 1.0, off=("straight_knee",))
    # the top changes to another rule half a second later: it must wait for the gap
    said += _run(coach, 1.0, 6.0, off=("sit_upright",))
    assert [(t, u.rule_id) for t, u in said] == [(0.0, "straight_knee"), (3.0, "sit_upright")]


def test_a_confirmation_when_the_cued_rule_becomes_ok():
    coach = Coach(settle=1.0, min_gap=3.0)
    said = _run(coach, 0.0, 2.0, off=("straight_knee",))
    assert [u.kind for _, u in said] == ["cue"]
    said = _run(coach, 2.0, 6.0)  # corrected at 2 s; the gap since the cue (1 s) ends at 4 s
    assert said == [(4.0, Utterance(CONFIRMATIONS[0], "confirm", "straight_knee"))]
    assert _run(coach, 6.0, 30.0) == []  # confirmed once only


def test_confirmations_vary_and_can_be_switched_off():
    coach = Coach(settle=0.0, min_gap=1.0, min_repeat=1.0)
    texts = []
    for k in range(3):
        start = k * 4.0
        _run(coach, start, start + 2.0, off=("straight_knee",))
        texts += [u.text for _, u in _run(coach, start + 2.0, start + 4.0) if u.kind == "confirm"]
    assert texts == list(CONFIRMATIONS[:3]) and len(set(texts)) == 3

    quiet = Coach(settle=0.0, min_gap=1.0, confirm=False)
    _run(quiet, 0.0, 2.0, off=("straight_knee",))
    assert _run(quiet, 2.0, 10.0) == []


def test_no_confirmation_when_the_rule_merely_stops_applying():
    coach = Coach(settle=0.0)
    _run(coach, 0.0, 1.0, off=("straight_knee",))
    _run(coach, 1.0, 2.0, straight_knee=Status.NOT_APPLICABLE)
    assert _run(coach, 2.0, 10.0) == []


def test_a_new_guide_step_is_said_once_when_it_becomes_current():
    coach = Coach()
    said = _run(coach, 0.0, 10.0, guide=_step(0))
    assert said == [(0.0, Utterance("Do step 0.", "step"))]
    said = _run(coach, 10.0, 20.0, guide=_step(1))
    assert said == [(10.0, Utterance("Do step 1.", "step"))]


def test_a_step_comes_before_a_cue_and_waits_for_the_gap():
    coach = Coach(settle=0.0, min_gap=3.0)
    said = _run(coach, 0.0, 1.0, guide=_step(0), off=("straight_knee",))
    assert [u.kind for _, u in said] == ["step"]  # the step, not the cue that is also due
    said = _run(coach, 1.0, 2.0, guide=_step(0), off=("straight_knee",))
    assert said == []  # the gap
    said = _run(coach, 2.0, 4.0, guide=_step(1), off=("straight_knee",))
    assert [(t, u.kind) for t, u in said] == [(3.0, "step")]  # the new step goes first
    said = _run(coach, 4.0, 7.0, guide=_step(1), off=("straight_knee",))
    assert [(t, u.kind) for t, u in said] == [(6.0, "cue")]


def test_a_restarted_guide_says_its_first_step_again():
    coach = Coach(min_gap=1.0)
    _run(coach, 0.0, 2.0, guide=_step(0))
    _run(coach, 2.0, 4.0, guide=_step(1))
    said = _run(coach, 4.0, 6.0, guide=_step(0))
    assert [u.text for _, u in said] == ["Do step 0."]


def test_nobody_in_view_is_said_once_after_a_few_seconds():
    coach = Coach(settle=0.0)
    _run(coach, 0.0, 1.0, off=("straight_knee",))  # a cue at 0 s
    said = _run(coach, 1.0, 30.0, detected=False)
    assert said == [(1.0 + NOBODY_AFTER, Utterance(NOBODY_TEXT, "info"))]
    # back in view, then gone again: said again once
    _run(coach, 30.0, 31.0)
    said = _run(coach, 31.0, 60.0, detected=False)
    assert [t for t, _ in said] == [31.0 + NOBODY_AFTER]


def test_nobody_for_a_moment_is_not_mentioned():
    coach = Coach()
    assert _run(coach, 0.0, NOBODY_AFTER - DT, detected=False) == []
    assert _run(coach, NOBODY_AFTER, 20.0) == []


def test_times_come_from_the_verdicts_and_runs_are_deterministic():
    def script(coach: Coach) -> list[tuple[float, Utterance]]:
        said = _run(coach, 100.0, 102.0, guide=_step(0), off=("straight_knee",))
        said += _run(coach, 102.0, 112.0, off=("straight_knee", "sit_upright"))
        return said + _run(coach, 112.0, 120.0)

    first = script(Coach())
    assert first == script(Coach())
    # verdict time, not the clock: the step, the cue 3 s later, the cue again after 8 s, and
    # the confirmation 3 s after that once both faults are fixed
    assert [(t, u.kind) for t, u in first] == [
        (100.0, "step"),
        (103.0, "cue"),
        (111.0, "cue"),
        (114.0, "confirm"),
    ]


def test_reset_forgets_what_was_said():
    coach = Coach()
    first = _run(coach, 0.0, 3.0, off=("straight_knee",))
    coach.reset()
    assert _run(coach, 0.0, 3.0, off=("straight_knee",)) == first


def test_cues_without_settling_are_said_at_once_with_settle_zero():
    said = _run(Coach(settle=0.0), 0.0, 1.0, off=("sit_upright",))
    assert said == [(0.0, Utterance(CUES["sit_upright"], "cue", "sit_upright"))]
