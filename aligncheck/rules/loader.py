"""Load and validate rule files: YAML in, :class:`~aligncheck.rules.schema.RuleSet` out.

Every problem is reported with the file, the line, the field path (``rules[3].measure``), what
was expected and, for names, the nearest valid one. All problems of a file are collected and
raised together as one :class:`RuleFileError`, so a teacher can fix them in one pass.

The work is split by role: :mod:`~aligncheck.rules.yamlio` reads the YAML (bounded, with line
numbers), :mod:`~aligncheck.rules.fields` checks single values, the ``parse_*`` modules read
one section each and :mod:`~aligncheck.rules.crossref` checks names across sections.
"""

from __future__ import annotations

from pathlib import Path

from aligncheck.rules import (
    crossref,
    parse_guide,
    parse_measures,
    parse_phases,
    parse_pose,
    parse_recognise,
)
from aligncheck.rules.fields import FieldChecker
from aligncheck.rules.issues import RuleFileError, RuleIssue, brief
from aligncheck.rules.schema import SCHEMA_VERSION, RuleSet
from aligncheck.rules.yamlio import LineDict, load_with_lines

__all__ = ["RuleFileError", "RuleIssue", "load_rules"]

_REQUIRED = {"schema_version", "pose", "measures", "phases", "rules"}
_OPTIONAL = {"sides", "hold_phase", "guidance", "guide", "recognise"}


def _check_version(checker: FieldChecker, top: LineDict) -> None:
    version = top.get("schema_version")
    if "schema_version" in top and (
        isinstance(version, bool) or not isinstance(version, int) or version != SCHEMA_VERSION
    ):
        checker.error(
            top.line_of("schema_version"),
            "schema_version",
            f"this aligncheck reads schema_version {SCHEMA_VERSION}, got {brief(version)}",
        )


def _read(checker: FieldChecker, top: LineDict) -> RuleSet | None:
    """Every section of ``top``; None if a required part is unusable."""
    _check_version(checker, top)
    pose = parse_pose.pose_card(checker, top.get("pose"), top.line_of("pose"))
    sides = (
        parse_pose.sides(checker, top["sides"], top.line_of("sides"))
        if "sides" in top
        else (None, None)
    )
    measures = parse_measures.measures(checker, top)
    phases = parse_phases.phases(checker, top, measures)
    rules = parse_phases.rules(checker, top, measures, phases)
    recognise = parse_recognise.recognise(checker, top, measures)
    guidance = parse_guide.guidance(checker, top)
    guide = parse_guide.guide(checker, top, {p.id for p in phases}, {r.id for r in rules})
    crossref.check_references(checker, top, rules, measures, phases, sides)
    if pose is None:
        return None
    hold = crossref.hold_phases(top.get("hold_phase"))
    return RuleSet(
        path=checker.path,
        schema_version=SCHEMA_VERSION,
        pose=pose,
        measures=measures,
        phases=tuple(phases),
        rules=tuple(rules),
        guidance=guidance,
        guide=guide,
        sides=sides[0],
        hold_phase=hold[0] if hold else None,
        hold_phases=hold,
        recognise=recognise,
    )


def load_rules(path: Path | str) -> RuleSet:
    """Parse and validate a rule file; raise :class:`RuleFileError` listing every problem.

    Reading is bounded in time and memory whatever the file holds (see
    :mod:`~aligncheck.rules.yamlio` for the limits).
    """
    path = Path(path)
    if not path.is_file():
        raise RuleFileError([RuleIssue(path, 0, "file", "no such rule file")])
    doc = load_with_lines(path)
    checker = FieldChecker(path)
    top = checker.mapping(doc, "(top level)", 1, _REQUIRED, _OPTIONAL)
    if top is None:
        raise RuleFileError(checker.issues)
    rules = _read(checker, top)
    if checker.issues or rules is None:
        raise RuleFileError(checker.issues)
    return rules
