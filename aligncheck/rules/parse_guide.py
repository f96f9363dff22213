"""The optional ``guidance:`` (cues no camera can check, kept as text) and ``guide:`` (the steps
of a guided entry into the pose) sections."""

from __future__ import annotations

from collections.abc import Collection

from aligncheck.rules.fields import FieldChecker
from aligncheck.rules.issues import brief
from aligncheck.rules.schema import Guidance, GuideStep
from aligncheck.rules.yamlio import LineDict, LineList


def guidance(checker: FieldChecker, top: LineDict) -> tuple[Guidance, ...]:
    """The ``guidance:`` list of ``{title, text, source}`` (and an optional ``why``)."""
    node = top.get("guidance", LineList())
    if not isinstance(node, LineList):
        checker.error(
            top.line_of("guidance"),
            "guidance",
            f"expected a list of {{title, text, source}}, got {brief(node)}",
        )
        return ()
    found = []
    for i, item in enumerate(node):
        field = f"guidance[{i}]"
        entry = checker.mapping(item, field, node.line_of(i), {"title", "text", "source"}, {"why"})
        if entry is not None:
            found.append(
                Guidance(
                    checker.text(entry, "title", field),
                    checker.text(entry, "text", field),
                    checker.text(entry, "source", field),
                    checker.text(entry, "why", field) if "why" in entry else "",
                )
            )
    return tuple(found)


def guide(
    checker: FieldChecker, top: LineDict, phase_ids: Collection[str], rule_ids: Collection[str]
) -> tuple[GuideStep, ...]:
    """The ``guide:`` list of steps."""
    node = top.get("guide", LineList())
    if not isinstance(node, LineList):
        checker.error(top.line_of("guide"), "guide", f"expected a list of steps, got {brief(node)}")
        return ()
    steps = []
    for i, item in enumerate(node):
        field = f"guide[{i}]"
        step = checker.mapping(
            item, field, node.line_of(i), {"id", "say", "source", "phases"}, {"rules_ok", "hold"}
        )
        if step is None:
            continue
        rules_ok = (
            checker.name_list(step, "rules_ok", field, rule_ids) if "rules_ok" in step else ()
        )
        steps.append(
            GuideStep(
                id=checker.ident(step, "id", field),
                say=checker.text(step, "say", field),
                source=checker.text(step, "source", field),
                phases=frozenset(checker.name_list(step, "phases", field, phase_ids)),
                rules_ok=tuple(rules_ok),
                hold=checker.number(step, "hold", field, default=1.0, minimum=0.0),
                line=step.line,
            )
        )
    return tuple(steps)
