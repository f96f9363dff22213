"""Checks across sections: duplicate ids, and names that must refer to a defined phase or
measure (calibration phases, ``hold_phase``, the side detection's measure)."""

from __future__ import annotations

from collections import Counter

from aligncheck.rules.fields import FieldChecker
from aligncheck.rules.issues import brief
from aligncheck.rules.schema import Measure, Phase, Rule, Sides
from aligncheck.rules.yamlio import LineDict


def _duplicate_ids(
    checker: FieldChecker, top: LineDict, rules: list[Rule], phases: list[Phase]
) -> None:
    seen: dict[str, int] = {}
    for rule in rules:
        if rule.id in seen:
            checker.error(
                rule.line,
                f"rules ({rule.id}).id",
                f"duplicate rule id; first used on line {seen[rule.id]}",
            )
        seen.setdefault(rule.id, rule.line)
    counts = Counter(p.id for p in phases)
    for duplicate in sorted(p for p, n in counts.items() if n > 1):
        checker.error(top.line_of("phases"), "phases", f"duplicate phase id {brief(duplicate)}")


def hold_phases(hold: object) -> tuple[str, ...]:
    """The phase ids of ``hold_phase:``, written as one id or a list of ids (empty when it is
    neither)."""
    if isinstance(hold, str):
        return (hold,)
    if isinstance(hold, list) and hold and all(isinstance(h, str) for h in hold):
        return tuple(hold)
    return ()


def check_references(
    checker: FieldChecker,
    top: LineDict,
    rules: list[Rule],
    measures: dict[str, Measure],
    phases: list[Phase],
    sides: tuple[Sides | None, LineDict | None],
) -> None:
    """Report duplicate ids and names that refer to nothing."""
    _duplicate_ids(checker, top, rules, phases)
    phase_ids = {p.id for p in phases}
    for measure in measures.values():
        if measure.calibrate and measure.calibrate.phase not in phase_ids:
            checker.error(
                measure.line,
                f"measures.{measure.id}.calibrate.phase",
                f"unknown phase {brief(measure.calibrate.phase)}; "
                + checker.suggest(measure.calibrate.phase, phase_ids),
            )
    hold = top.get("hold_phase")
    if hold is not None and not hold_phases(hold):
        checker.error(
            top.line_of("hold_phase"),
            "hold_phase",
            f"expected a phase id or a list of phase ids, got {brief(hold)}",
        )
    for phase in hold_phases(hold):
        if phase not in phase_ids:
            checker.error(
                top.line_of("hold_phase"),
                "hold_phase",
                f"unknown phase {brief(phase)}; " + checker.suggest(phase, phase_ids),
            )
    found, detect = sides
    if found is not None and detect is not None and found.detect.measure:
        name = found.detect.measure
        if name not in measures and name not in checker.broken_measures:
            checker.error(
                detect.line_of("measure"),
                "sides.detect.measure",
                f"unknown measure {brief(name)}; " + checker.suggest(name, measures),
            )
    near = found.detect.near if found is not None else None
    known = set(measures) | set(checker.broken_measures)
    if near is not None and detect is not None and near.measure not in known:
        checker.error(
            detect.line_of("near"),
            "sides.detect.near.measure",
            f"unknown measure {brief(near.measure)}; " + checker.suggest(near.measure, measures),
        )
