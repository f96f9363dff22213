"""The ``measures:`` section: named quantities computed from landmarks."""

from __future__ import annotations

from typing import Any

from aligncheck.rules.fields import ID, FieldChecker, is_name
from aligncheck.rules.issues import brief, field_name
from aligncheck.rules.parse_points import points
from aligncheck.rules.schema import (
    IMAGE_ONLY,
    MEASURE_TYPES,
    VIEWS,
    WORLD_ONLY,
    Calibration,
    Measure,
    Point,
    fixed_points_problem,
)
from aligncheck.rules.yamlio import LineDict

_SPACES = ("image", "world")
_MODES = ("ratio", "difference")


def _view_names(checker: FieldChecker) -> frozenset[str]:
    """Camera views a measure may name: plain, or with the role nearer the camera."""
    return frozenset([*VIEWS, *(f"{view}/{role}" for view in VIEWS for role in checker.roles)])


def _reference(
    checker: FieldChecker, node: LineDict, field: str, kind: str, needed: bool
) -> tuple[Point, ...] | None:
    if needed and "reference" not in node:
        checker.error(
            node.line,
            f"{field}.reference",
            f"a {kind} measure needs a reference segment of 2 points",
        )
    elif not needed and "reference" in node:
        checker.error(
            node.line_of("reference"), f"{field}.reference", f"a {kind} measure takes no reference"
        )
    elif needed:
        return points(checker, node, "reference", field, 2)
    return None


def _calibration(checker: FieldChecker, node: LineDict, field: str) -> Calibration | None:
    if "calibrate" not in node:
        return None
    field = f"{field}.calibrate"
    cal = checker.mapping(
        node["calibrate"],
        field,
        node.line_of("calibrate"),
        {"phase"},
        {"seconds", "fallback", "mode"},
    )
    if cal is None:
        return None
    mode = cal.get("mode", "ratio")
    if not is_name(mode, _MODES):
        checker.error(
            cal.line_of("mode"),
            f"{field}.mode",
            f"unknown mode {brief(mode)}; " + checker.suggest(mode, _MODES),
        )
        mode = "ratio"
    phase = cal.get("phase")
    if "phase" in cal and not isinstance(phase, str):  # an unknown name: see crossref
        checker.error(
            cal.line_of("phase"), f"{field}.phase", f"expected a phase id, got {brief(phase)}"
        )
    fallback = checker.number(cal, "fallback", field) if "fallback" in cal else None
    seconds = checker.number(cal, "seconds", field, default=2.0, minimum=0.0)
    if not isinstance(phase, str):
        return None
    return Calibration(phase=phase, fallback=fallback, seconds=seconds, mode=mode)


def measure(checker: FieldChecker, mid: str, node: Any, line: int) -> Measure | None:
    """One measure, ``mid: {type, points, space, views, label, ...}``; None if unusable."""
    field = f"measures.{field_name(mid)}"
    if not ID.match(mid):
        checker.error(line, field, "expected a lower_case_id as the measure name")
    node = checker.mapping(
        node,
        field,
        line,
        {"type", "points", "space", "views", "label"},
        {"reference", "calibrate", "min_visibility"},
    )
    if node is None:
        return None
    kind = node.get("type")
    if not is_name(kind, MEASURE_TYPES):
        checker.error(
            node.line_of("type"),
            f"{field}.type",
            f"unknown measure type {brief(kind)}; " + checker.suggest(kind, MEASURE_TYPES),
        )
        return None
    count, needs_reference = MEASURE_TYPES[kind]
    found = points(checker, node, "points", field, count)
    if found is not None and (problem := fixed_points_problem(kind, found)):
        checker.error(node.line_of("points"), f"{field}.points", problem)
    reference = _reference(checker, node, field, kind, needs_reference)
    space = node.get("space")
    if not is_name(space, _SPACES):
        checker.error(
            node.line_of("space"),
            f"{field}.space",
            f"unknown space {brief(space)}; " + checker.suggest(space, _SPACES),
        )
    elif kind in WORLD_ONLY and space != "world":
        checker.error(node.line_of("space"), f"{field}.space", f"a {kind} needs space: world")
    elif kind in IMAGE_ONLY and space != "image":
        checker.error(node.line_of("space"), f"{field}.space", f"a {kind} needs space: image")
    calibration = _calibration(checker, node, field)
    views = frozenset(checker.name_list(node, "views", field, _view_names(checker)))
    label = checker.text(node, "label", field)
    min_visibility = _min_visibility(checker, node, field)
    if found is None:
        return None
    return Measure(
        id=mid,
        type=kind,
        points=found,
        space=space,  # type: ignore[arg-type]
        views=views,
        label=label,
        reference=reference,  # type: ignore[arg-type]
        calibrate=calibration,
        line=line,
        min_visibility=min_visibility,
    )


def _min_visibility(checker: FieldChecker, node: LineDict, field: str) -> float | None:
    """The optional ``min_visibility``: a visibility score between 0 and 1."""
    if "min_visibility" not in node:
        return None
    value = checker.number(node, "min_visibility", field, minimum=0.0)
    if value > 1.0:
        checker.error(
            node.line_of("min_visibility"),
            f"{field}.min_visibility",
            f"expected a visibility score between 0 and 1, got {value:g}",
        )
        return None
    return None if value != value else value


def measures(checker: FieldChecker, top: LineDict) -> dict[str, Measure]:
    """The ``measures:`` mapping; invalid measures go to ``checker.broken_measures``."""
    found: dict[str, Measure] = {}
    node = top.get("measures")
    if isinstance(node, LineDict) and node:
        for mid, definition in node.items():
            result = measure(checker, mid, definition, node.line_of(mid))
            if result is not None:
                found[mid] = result
            else:
                checker.broken_measures.add(mid)
    elif "measures" in top:
        checker.error(
            top.line_of("measures"),
            "measures",
            f"expected a mapping of measure name: definition, got {brief(node)}",
        )
    return found
