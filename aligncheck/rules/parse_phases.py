"""The ``phases:`` (stages of the pose, each entered when its conditions hold) and ``rules:``
(alignment cues with ok and close bands) sections."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from aligncheck.rules.fields import FieldChecker, is_name
from aligncheck.rules.issues import brief, field_name
from aligncheck.rules.schema import Condition, Measure, Phase, Rule
from aligncheck.rules.yamlio import LineDict, LineList

_RULE_KEYS = {"id", "title", "measure", "phases", "ok", "close", "priority", "cue", "source", "why"}


def _measure_name(
    checker: FieldChecker, node: LineDict, field: str, measures: dict[str, Measure]
) -> str:
    """The ``measure:`` of a condition or rule; "" after an error."""
    name = node.get("measure")
    if is_name(name, measures):
        return name
    if is_name(name, checker.broken_measures):  # reported where it is defined
        return ""
    if "measure" in node:  # a missing one was reported by mapping()
        checker.error(
            node.line_of("measure"),
            f"{field}.measure",
            f"unknown measure {brief(name)}; " + checker.suggest(name, measures),
        )
    return ""


def condition(
    checker: FieldChecker,
    node: Any,
    field: str,
    line: int,
    measures: dict[str, Measure],
    extra: frozenset[str] = frozenset(),
) -> Condition | None:
    """``{measure: m, above: x, below: y, if_visible: true}`` with at least one bound; the
    caller reads the optional keys ``extra`` itself."""
    node = checker.mapping(node, field, line, {"measure"}, {"above", "below", "if_visible"} | extra)
    if node is None:
        return None
    name = _measure_name(checker, node, field, measures)
    if "above" not in node and "below" not in node:
        checker.error(node.line, field, "a condition needs 'above', 'below' or both")
    above = checker.number(node, "above", field) if "above" in node else None
    below = checker.number(node, "below", field) if "below" in node else None
    if above is not None and below is not None and above > below:
        checker.error(
            node.line,
            field,
            f"'above' ({above:g}) is greater than 'below' ({below:g}): no value can satisfy it",
        )
    return Condition(name, above, below, checker.flag(node, "if_visible", field))


def _phase(
    checker: FieldChecker, node: Any, field: str, line: int, measures: dict[str, Measure]
) -> Phase | None:
    node = checker.mapping(node, field, line, {"id", "label", "when"}, set())
    if node is None:
        return None
    when = node.get("when")
    if not isinstance(when, LineList) or not when:
        if "when" in node:
            checker.error(
                node.line_of("when"),
                f"{field}.when",
                f"expected a non-empty list of conditions, got {brief(when)}",
            )
        when = LineList()
    conditions = [
        condition(checker, c, f"{field}.when[{j}]", when.line_of(j), measures)
        for j, c in enumerate(when)
    ]
    return Phase(
        checker.ident(node, "id", field),
        checker.text(node, "label", field),
        tuple(c for c in conditions if c),
        node.line,
    )


def phases(checker: FieldChecker, top: LineDict, measures: dict[str, Measure]) -> list[Phase]:
    """The ``phases:`` list."""
    node = top.get("phases")
    if not isinstance(node, LineList) or not node:
        if "phases" in top:
            checker.error(
                top.line_of("phases"),
                "phases",
                f"expected a non-empty list of phases, got {brief(node)}",
            )
        return []
    found = [
        _phase(checker, item, f"phases[{i}]", node.line_of(i), measures)
        for i, item in enumerate(node)
    ]
    return [p for p in found if p is not None]


def _priority(checker: FieldChecker, node: LineDict, field: str) -> int:
    priority = node.get("priority")
    if isinstance(priority, bool) or not isinstance(priority, int) or priority < 1:
        if "priority" in node:
            checker.error(
                node.line_of("priority"),
                f"{field}.priority",
                f"expected a whole number >= 1 (1 = most important), got {brief(priority)}",
            )
        return 99
    return priority


def rule(
    checker: FieldChecker,
    index: int,
    node: Any,
    line: int,
    measures: dict[str, Measure],
    phase_ids: Collection[str],
) -> Rule | None:
    """One entry of ``rules:``; None if unusable."""
    field = f"rules[{index}]"
    if isinstance(node, LineDict) and isinstance(node.get("id"), str):
        field = f"rules[{index}] ({field_name(node['id'])})"
    node = checker.mapping(node, field, line, _RULE_KEYS, {"modification", "level_up"})
    if node is None:
        return None
    rid = checker.ident(node, "id", field)
    measure = _measure_name(checker, node, field, measures)
    ok = checker.band(node, "ok", field)
    close = checker.band(node, "close", field)
    if ok and close and not (close.low <= ok.low and ok.high <= close.high):
        checker.error(
            node.line_of("close"),
            f"{field}.close",
            f"the close band {close} must contain the ok band {ok}",
        )
    priority = _priority(checker, node, field)
    result = Rule(
        id=rid,
        title=checker.text(node, "title", field),
        measure=measure,
        phases=frozenset(checker.name_list(node, "phases", field, phase_ids)),
        ok=ok,  # type: ignore[arg-type]
        close=close,  # type: ignore[arg-type]
        priority=priority,
        cue=checker.text(node, "cue", field),
        source=checker.text(node, "source", field),
        why=checker.text(node, "why", field),
        modification=checker.text(node, "modification", field, default=""),
        level_up=checker.text(node, "level_up", field, default=""),
        line=line,
    )
    return result if ok is not None and close is not None else None


def rules(
    checker: FieldChecker, top: LineDict, measures: dict[str, Measure], phase_list: list[Phase]
) -> list[Rule]:
    """The ``rules:`` list."""
    node = top.get("rules")
    if not isinstance(node, LineList) or not node:
        if "rules" in top:
            checker.error(
                top.line_of("rules"),
                "rules",
                f"expected a non-empty list of rules, got {brief(node)}",
            )
        return []
    phase_ids = frozenset(p.id for p in phase_list)
    found = [
        rule(checker, i, item, node.line_of(i), measures, phase_ids) for i, item in enumerate(node)
    ]
    return [r for r in found if r is not None]
