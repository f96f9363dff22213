"""Problems found in a rule file, and how values and names are shown in their messages.

Whatever a rule file holds, a message about it stays short: :func:`brief` shows at most
:data:`SHOWN` characters of a value (never expanding it whole first), :func:`field_name`
makes a YAML key safe to print, and :func:`suggest` proposes the nearest valid name.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aligncheck.errors import AligncheckError

#: The most characters of a value or name quoted in a message.
SHOWN = 60
#: The most valid names searched for the nearest one (landmarks and roles make about 100).
HINT_OPTIONS = 250


@dataclass(frozen=True)
class RuleIssue:
    """One problem in a rule file: where (file, 1-based line, field path) and what."""

    path: Path
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class RuleFileError(AligncheckError):
    """A rule file is not valid; ``issues`` lists every problem found."""

    def __init__(self, issues: list[RuleIssue]) -> None:
        self.issues = issues
        noun = "problem" if len(issues) == 1 else "problems"
        super().__init__(
            f"{issues[0].path}: {len(issues)} {noun}:\n" + "\n".join(f"  {i}" for i in issues)
        )


def _printable(text: str) -> str:
    """``text`` with control characters, lone surrogates and the like escaped."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sketch(value: Any, budget: int) -> str:
    """A repr of ``value`` that stops growing once it is longer than ``budget``."""
    if isinstance(value, str):
        return repr(value[: budget + 2])
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        # repr of a huge int is slow, and refused past 4300 digits: describe it instead
        bits = value.bit_length()
        return repr(value) if bits <= 3 * budget else f"a number of about {bits * 3 // 10} digits"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        items: Iterable[Any] = (
            f"{_sketch(k, budget)}: {_sketch(v, budget)}" for k, v in value.items()
        )
        opening, closing = "{", "}"
    elif isinstance(value, list | tuple):
        items = (_sketch(v, budget) for v in value)
        opening, closing = "[", "]"
    else:
        return f"<{type(value).__name__}>"
    parts: list[str] = []
    length = 0
    for part in items:
        parts.append(part)
        length += len(part) + 2
        if length > budget:
            parts.append("...")
            break
    return opening + ", ".join(parts) + closing


def brief(value: Any) -> str:
    """A printable repr of ``value`` of at most :data:`SHOWN` characters."""
    return _clip(_printable(_sketch(value, SHOWN)), SHOWN)


def field_name(key: Any) -> str:
    """A mapping key as it is shown in a field path: printable, at most :data:`SHOWN` chars."""
    return _clip(_printable(str(key) if isinstance(key, str) else _sketch(key, SHOWN)), SHOWN)


def suggest(value: Any, valid: Iterable[str], hint: bool = True) -> str:
    """'expected one of: ...', with the nearest valid name when ``value`` is close to one
    (looked for only with ``hint``, among at most :data:`HINT_OPTIONS` names)."""
    options = sorted(valid)
    close: list[str] = []
    if hint and isinstance(value, str) and len(value) <= 4 * SHOWN and len(options) <= HINT_OPTIONS:
        close = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
        if not close:
            lowered = difflib.get_close_matches(value.lower(), [o.lower() for o in options], n=1)
            close = [o for o in options if lowered and o.lower() == lowered[0]]
    shown = ", ".join(options) if len(options) <= 12 else ", ".join(options[:12]) + ", ..."
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"expected one of: {shown}{hint}"
