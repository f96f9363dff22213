"""Points of a measure: a landmark name (``LEFT_KNEE``, ``STRAIGHT_KNEE``, ``NEAR_HIP``) or the
midpoint of two, ``mid(A, B)``. Role names come from the checker, read from ``sides:``."""

from __future__ import annotations

import re
from typing import Any

from aligncheck.landmarks import Landmark
from aligncheck.rules.fields import FieldChecker
from aligncheck.rules.issues import brief
from aligncheck.rules.schema import Point
from aligncheck.rules.yamlio import LineDict, LineList

_MID = re.compile(r"^mid\(\s*([A-Za-z_]+)\s*,\s*([A-Za-z_]+)\s*\)$")
_SIDED = {lm.name.split("_", 1)[1] for lm in Landmark if lm.name.startswith(("LEFT_", "RIGHT_"))}


def rejoin_mid(items: list[Any]) -> LineList:
    """Undo YAML's split of ``[mid(A, B), C]`` into ``"mid(A"``, ``"B)"``, ``"C"``.

    In a flow list the comma inside ``mid(A, B)`` separates items; teachers should not have to
    know that, so the two halves are joined again. Line numbers are kept.
    """
    joined = LineList()
    joined.line = getattr(items, "line", 0)
    joined.item_lines = []
    lines = getattr(items, "item_lines", [joined.line] * len(items))
    i = 0
    while i < len(items):
        item, line = items[i], lines[i]
        if (
            isinstance(item, str)
            and item.strip().startswith("mid(")
            and ")" not in item
            and i + 1 < len(items)
            and isinstance(items[i + 1], str)
            and items[i + 1].strip().endswith(")")
        ):
            item = f"{item}, {items[i + 1].strip()}"
            i += 1
        joined.append(item)
        joined.item_lines.append(line)
        i += 1
    return joined


def landmark(
    checker: FieldChecker, text: str, field: str, line: int
) -> tuple[Landmark, str] | None:
    """The landmark ``text`` names (as written) and "near" / "far" / "" for its kind."""
    name = text.strip().upper()
    role, _, part = name.partition("_")
    if role in ("NEAR", "FAR") and part in _SIDED:
        return Landmark[f"LEFT_{part}"], role.lower()
    if role.lower() in checker.roles and part in _SIDED:
        return Landmark[f"{checker.roles[role.lower()]}_{part}"], ""
    if name in Landmark.__members__:
        return Landmark[name], ""
    prefixes = [r.upper() for r in checker.roles] + ["NEAR", "FAR"]
    valid = list(Landmark.__members__) + [f"{r}_{p}" for r in prefixes for p in sorted(_SIDED)]
    checker.error(line, field, f"unknown landmark {brief(text)}; " + checker.suggest(name, valid))
    return None


def point(checker: FieldChecker, value: Any, field: str, line: int) -> Point | None:
    """A landmark name or ``mid(A, B)``."""
    if not isinstance(value, str):
        checker.error(line, field, f"expected a landmark name or mid(A, B), got {brief(value)}")
        return None
    match = _MID.match(value.strip())
    names = match.groups() if match else (value,)
    parsed = [landmark(checker, n, field, line) for n in names]
    landmarks, relative = [], []
    for found in parsed:
        if found is None:
            return None
        landmarks.append(found[0])
        relative.append(found[1])
    return Point(tuple(landmarks), value.strip(), tuple(relative))  # type: ignore[arg-type]


def points(
    checker: FieldChecker, node: LineDict, key: str, field: str, count: int
) -> tuple[Point, ...] | None:
    """A list of exactly ``count`` points."""
    value = node.get(key)
    if isinstance(value, list):
        value = rejoin_mid(value)
    if not isinstance(value, LineList) or len(value) != count:
        checker.error(
            node.line_of(key),
            f"{field}.{key}",
            f"expected a list of {count} points, got {brief(value)}",
        )
        return None
    found = [
        point(checker, v, f"{field}.{key}[{i}]", value.line_of(i)) for i, v in enumerate(value)
    ]
    result = tuple(p for p in found if p is not None)
    return result if len(result) == count else None
