"""The field checker: reads one value of a parsed rule file and reports what is wrong with it.

:class:`FieldChecker` knows the generic shapes (mapping, text, number, name list, id, band)
and collects :class:`~aligncheck.rules.issues.RuleIssue`\\ s as it goes, so that every problem
of a file is reported in one pass. It never trusts a value's type: a list where a name was
expected is a problem to report, not an exception. Values are quoted with
:func:`~aligncheck.rules.issues.brief`, so no message grows with the value.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Collection
from pathlib import Path
from typing import Any

from aligncheck.rules.issues import RuleFileError, RuleIssue, brief, field_name, suggest
from aligncheck.rules.schema import Band
from aligncheck.rules.yamlio import LineDict, LineList

ID = re.compile(r"^[a-z][a-z0-9_]*\Z")  # \Z: "$" would let a final newline through
#: A file with more problems than this is reported up to here: it is not a rule file.
MAX_ISSUES = 100
#: Problems that get a "did you mean"; finding the nearest name costs time, so a file full
#: of unknown names gets the list of valid ones only after these.
MAX_HINTS = 20
#: Unicode categories refused in text: control characters and lone surrogates (they break
#: the console, the speech engine and the UTF-8 reports).
_BAD_CHARACTERS = frozenset({"Cc", "Cs"})


def is_name(value: Any, valid: Collection[str]) -> bool:
    """True if ``value`` is one of the names in ``valid`` (False for lists, None, ...)."""
    return isinstance(value, str) and value in valid


def finite(value: Any) -> float | None:
    """``value`` as a finite float, or None if it is not a number (bools are not) or not
    finite (NaN, infinity, or too large for a float)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _not_a_name(item: Any, valid: Collection[str]) -> str:
    """The message for a list item that is not text: most often a list typed inside the list."""
    if isinstance(item, list) and len(item) == 1 and is_name(item[0], valid):
        return (
            f"expected a name, got the list {brief(item)}; "
            f"did you mean {item[0]!r} (without the inner brackets)?"
        )
    return f"expected a name, got {brief(item)}; " + suggest(item, valid)


class FieldChecker:
    """Walks parsed YAML, building schema values and collecting issues."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.issues: list[RuleIssue] = []
        #: Role name -> "LEFT" / "RIGHT", once ``sides:`` is read.
        self.roles: dict[str, str] = {}
        #: Measures defined but invalid: references to them are not reported again.
        self.broken_measures: set[str] = set()
        self.hints = 0

    def error(self, line: int, field: str, message: str) -> None:
        """Record a problem; stop reading the file once there are too many."""
        self.issues.append(RuleIssue(self.path, line, field, message))
        if len(self.issues) >= MAX_ISSUES:
            self.issues.append(
                RuleIssue(
                    self.path, line, "file", f"stopped after {MAX_ISSUES} problems; fix these first"
                )
            )
            raise RuleFileError(self.issues)

    def suggest(self, value: Any, valid: Collection[str]) -> str:
        """'expected one of: ...', with the nearest valid name for the first few problems."""
        self.hints += 1
        return suggest(value, valid, hint=self.hints <= MAX_HINTS)

    def mapping(
        self, node: Any, field: str, line: int, required: set[str], optional: set[str]
    ) -> LineDict | None:
        """``node`` if it is a mapping; report unknown and missing keys."""
        if not isinstance(node, LineDict):
            self.error(
                line,
                field,
                f"expected a mapping with keys {', '.join(sorted(required))}, got {brief(node)}",
            )
            return None
        for key in node:
            if key not in required | optional:
                self.error(
                    node.line_of(key),
                    f"{field}.{field_name(key)}",
                    "unknown field; " + self.suggest(key, required | optional),
                )
        for key in sorted(required - set(node)):
            self.error(node.line, f"{field}.{key}", "required field is missing")
        return node

    def text(self, node: LineDict, key: str, field: str, default: str | None = None) -> str:
        """Non-empty text with runs of white space made single spaces."""
        if key not in node:  # a missing required key was reported by mapping()
            return default or ""
        value = node[key]
        if not isinstance(value, str) or not value.strip():
            self.error(
                node.line_of(key), f"{field}.{key}", f"expected non-empty text, got {brief(value)}"
            )
            return default or ""
        text = " ".join(value.split())
        bad = next((c for c in text if unicodedata.category(c) in _BAD_CHARACTERS), None)
        if bad is not None:
            self.error(
                node.line_of(key),
                f"{field}.{key}",
                f"contains the control character U+{ord(bad):04X}; remove it",
            )
            return default or ""
        return text

    def number(
        self,
        node: LineDict,
        key: str,
        field: str,
        default: float | None = None,
        minimum: float | None = None,
    ) -> float:
        """A finite number (``minimum`` or more, when given); NaN after an error."""
        if key not in node and default is None:  # missing: reported by mapping()
            return math.nan
        value = node.get(key, default)
        number = finite(value)
        if number is None:
            self.error(
                node.line_of(key), f"{field}.{key}", f"expected a finite number, got {brief(value)}"
            )
            return math.nan
        if minimum is not None and number < minimum:
            self.error(
                node.line_of(key), f"{field}.{key}", f"expected {minimum:g} or more, got {number:g}"
            )
            return math.nan
        return number

    def flag(self, node: LineDict, key: str, field: str) -> bool:
        """An optional true/false value (false when absent)."""
        value = node.get(key, False)
        if not isinstance(value, bool):
            self.error(
                node.line_of(key), f"{field}.{key}", f"expected true or false, got {brief(value)}"
            )
            return False
        return value

    def name_list(
        self, node: LineDict, key: str, field: str, valid: Collection[str]
    ) -> tuple[str, ...]:
        """A non-empty list of names from ``valid`` (a single name is a list of one)."""
        if key not in node:  # a missing required key was reported by mapping()
            return ()
        value = node[key]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            self.error(
                node.line_of(key),
                f"{field}.{key}",
                f"expected a non-empty list, got {brief(value)}",
            )
            return ()
        names = []
        for i, item in enumerate(value):
            line = value.line_of(i) if isinstance(value, LineList) else node.line_of(key)
            if is_name(item, valid) and item in names:
                self.error(
                    line,
                    f"{field}.{key}[{i}]",
                    f"{brief(item)} is listed twice; list each name once",
                )
            elif is_name(item, valid):
                names.append(item)
            elif isinstance(item, str):
                self.error(
                    line,
                    f"{field}.{key}[{i}]",
                    f"unknown name {brief(item)}; " + self.suggest(item, valid),
                )
            else:
                self.error(line, f"{field}.{key}[{i}]", _not_a_name(item, valid))
        return tuple(names)

    def ident(self, node: LineDict, key: str, field: str) -> str:
        """A lower_case_id; after an error, a printable stand-in."""
        value = node.get(key)
        if not isinstance(value, str) or not ID.match(value):
            self.error(
                node.line_of(key), f"{field}.{key}", f"expected a lower_case_id, got {brief(value)}"
            )
            return field_name(value)
        return value

    def band(self, node: LineDict, key: str, field: str) -> Band | None:
        """``[low, high]``: two finite numbers in order."""
        value = node.get(key)
        line = node.line_of(key)
        bounds = [finite(v) for v in value] if isinstance(value, list) and len(value) == 2 else []
        low, high = bounds if len(bounds) == 2 else (None, None)
        if low is None or high is None:
            self.error(
                line, f"{field}.{key}", f"expected [low, high] finite numbers, got {brief(value)}"
            )
            return None
        if low > high:
            self.error(
                line, f"{field}.{key}", f"band out of order: low {low:g} is above high {high:g}"
            )
            return None
        return Band(low, high)
