"""The teacher's review of many clips: a sortable HTML table and the same rows as CSV."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from aligncheck.errors import OutputError
from aligncheck.report.fmt import duration, relative_href, score_level
from aligncheck.report.palette import DEFAULT_PALETTE
from aligncheck.report.templating import render_to
from aligncheck.report.view import data_uri

#: The CSV columns, in order (every IndexRow field but the thumbnail).
CSV_COLUMNS = (
    "clip",
    "student",
    "pose",
    "sides",
    "hold_time",
    "score",
    "top_fault",
    "status",
    "reason",
    "report_href",
)
STATUSES = ("analysed", "cached", "skipped")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class IndexRow:
    """One clip of a review: what the index table shows about it.

    ``status`` is "analysed", "cached" or "skipped" (then ``reason`` says why);
    ``report_href`` links to the clip's report relative to the index page (or "");
    ``thumbnail`` is JPEG bytes (or b"").
    """

    clip: str
    student: str
    pose: str
    sides: str
    hold_time: float
    score: float | None
    top_fault: str
    status: str
    reason: str
    report_href: str
    thumbnail: bytes = b""


@dataclass(frozen=True)
class _RowView:
    clip: str
    student: str
    pose: str
    sides: str
    hold: str
    hold_key: str
    score: str
    score_key: str
    score_css: str
    top_fault: str
    status: str
    status_css: str
    href: str
    thumbnail: str


@dataclass(frozen=True)
class _IndexView:
    title: str
    counts: str
    rows: tuple[_RowView, ...]
    skipped: tuple[tuple[str, str], ...]
    css_variables: tuple[tuple[str, str], ...]


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _row_view(row: IndexRow) -> _RowView:
    return _RowView(
        clip=row.clip,
        student=row.student,
        pose=row.pose,
        sides=row.sides,
        hold=duration(row.hold_time) if _finite(row.hold_time) else "–",
        hold_key=f"{row.hold_time:.3f}" if _finite(row.hold_time) else "",
        score=f"{row.score:.0f}" if _finite(row.score) else "–",
        score_key=f"{row.score:.3f}" if _finite(row.score) else "",
        score_css=f"score-{score_level(row.score)}" if _finite(row.score) else "",
        top_fault=row.top_fault,
        status=row.status,
        status_css="warn" if row.status == "cached" else "ok",
        href=relative_href(row.report_href) if row.report_href else "",
        thumbnail=data_uri(row.thumbnail) if row.thumbnail else "",
    )


def _counts(rows: list[IndexRow]) -> str:
    parts = [f"{sum(r.status == s for r in rows)} {s}" for s in STATUSES]
    return f"{len(rows)} clips: " + ", ".join(parts)


def write_index(rows: list[IndexRow], path: Path, title: str) -> Path:
    """Write the review page (one self-contained HTML file) to ``path`` and return it."""
    view = _IndexView(
        title=title,
        counts=_counts(rows),
        rows=tuple(_row_view(r) for r in rows if r.status != "skipped"),
        skipped=tuple((r.clip, r.reason) for r in rows if r.status == "skipped"),
        css_variables=tuple(DEFAULT_PALETTE.css_variables().items()),
    )
    return render_to("index.html.j2", Path(path), view=view)


def _cell(value: str) -> str:
    """Text for a spreadsheet cell: a leading ``=``, ``+``, ``-`` or ``@`` is quoted with
    ``'`` so a clip or student name cannot run as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _number(value: float | None, digits: int) -> str:
    return f"{value:.{digits}f}" if _finite(value) else ""


def write_index_csv(rows: list[IndexRow], path: Path) -> Path:
    """Write the rows (without thumbnails) as CSV, UTF-8 with a header, and return ``path``."""
    path = Path(path)
    try:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            for r in rows:
                writer.writerow(
                    [
                        _cell(r.clip),
                        _cell(r.student),
                        _cell(r.pose),
                        _cell(r.sides),
                        _number(r.hold_time, 1),
                        _number(r.score, 1),
                        _cell(r.top_fault),
                        r.status,
                        _cell(r.reason),
                        r.report_href,
                    ]
                )
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the CSV ({exc.strerror or exc}).") from exc
    return path
