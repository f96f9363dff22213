"""Small text formatters shared by the report and the index (pure, no HTML)."""

from __future__ import annotations

import math
from urllib.parse import quote

#: How a measure's unit reads on a plot axis.
UNIT_LABELS = {"deg": "degrees", "body": "body lengths"}


def clock(seconds: float) -> str:
    """``mm:ss`` (or ``h:mm:ss`` past an hour) for a time in seconds."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def duration(seconds: float) -> str:
    """A duration as a teacher says it: ``9 s``, ``2 min 37 s``."""
    if not math.isfinite(seconds) or seconds < 0:
        return "–"
    if seconds < 10:
        return f"{seconds:.1f} s".replace(".0 s", " s")
    total = round(seconds)
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    return f"{minutes} min {secs} s" if secs else f"{minutes} min"


def unit_label(unit: str) -> str:
    """The axis wording of a measure unit (``deg`` -> ``degrees``)."""
    return UNIT_LABELS.get(unit, unit)


def humanise(identifier: str) -> str:
    """``folded_in`` -> ``Folded in`` (for ids without a label)."""
    text = identifier.replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else ""


def relative_href(link: str) -> str:
    """A user-given relative link made safe for an ``href``/``src``: percent-encoded, so a
    name with ``#``, ``?``, spaces or a ``scheme:`` prefix stays a path beside the page."""
    return quote(link, safe="/%")


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def score_level(score: float) -> str:
    """``good`` (80 and up), ``fair`` (60 and up) or ``low``: the colour of a score."""
    return "good" if score >= 80 else "fair" if score >= 60 else "low"
