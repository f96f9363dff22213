"""The ``recognise:`` section: the conditions that tell that a person is in this pose at all,
used by ``--pose auto`` (:mod:`aligncheck.recognise`) to pick the pose from those installed.

```yaml
recognise:
  when:
    - {measure: hip_angle_3d, below: 120}
    - {measure: trunk, above: 40, if_visible: true, scale: 20}
```

The conditions have the form of a phase's ``when:`` (:func:`parse_phases.condition`), plus an
optional ``scale``: the distance from the bound that counts as a clear margin (default: the
natural scale of the measure's unit, :data:`~aligncheck.rules.schema.NATURAL_SCALES`).
"""

from __future__ import annotations

from typing import Any

from aligncheck.rules.fields import FieldChecker
from aligncheck.rules.issues import brief
from aligncheck.rules.parse_phases import condition
from aligncheck.rules.schema import NATURAL_SCALES, Condition, Measure, Recognition
from aligncheck.rules.yamlio import LineDict, LineList


def _scale(
    checker: FieldChecker, node: Any, field: str, cond: Condition, measures: dict[str, Measure]
) -> float:
    """The condition's ``scale:``, or the natural scale of its measure's unit."""
    if isinstance(node, LineDict) and "scale" in node:
        value = checker.number(node, "scale", field)
        if value == value and value <= 0:
            checker.error(
                node.line_of("scale"), f"{field}.scale", f"expected a number above 0, got {value:g}"
            )
        return value if value == value and value > 0 else 1.0
    measure = measures.get(cond.measure)
    return NATURAL_SCALES.get(measure.unit, 1.0) if measure is not None else 1.0


def _entry(
    checker: FieldChecker, node: Any, field: str, line: int, measures: dict[str, Measure]
) -> tuple[Condition, float] | None:
    cond = condition(checker, node, field, line, measures, extra=frozenset({"scale"}))
    if cond is None:
        return None
    return cond, _scale(checker, node, field, cond, measures)


def recognise(
    checker: FieldChecker, top: LineDict, measures: dict[str, Measure]
) -> Recognition | None:
    """The optional ``recognise:`` mapping; None when absent or unusable."""
    if "recognise" not in top:
        return None
    node = checker.mapping(top["recognise"], "recognise", top.line_of("recognise"), {"when"}, set())
    if node is None:
        return None
    when = node.get("when")
    if not isinstance(when, LineList) or not when:
        if "when" in node:
            checker.error(
                node.line_of("when"),
                "recognise.when",
                f"expected a non-empty list of conditions, got {brief(when)}",
            )
        return None
    found = [
        _entry(checker, item, f"recognise.when[{i}]", when.line_of(i), measures)
        for i, item in enumerate(when)
    ]
    entries = [e for e in found if e is not None]
    if not entries:
        return None
    if all(c.if_visible for c, _ in entries):
        checker.error(
            node.line_of("when"),
            "recognise.when",
            "every condition is if_visible: at least one must always be measured, or a body "
            "that shows nothing could be taken for this pose",
        )
    return Recognition(tuple(c for c, _ in entries), tuple(s for _, s in entries), node.line)
