"""The self-contained session report: one HTML file, key frames embedded, plots inline."""

from __future__ import annotations

from pathlib import Path

from aligncheck.report.templating import render_to
from aligncheck.report.view import build_view
from aligncheck.session import SessionSummary


def write_report(summary: SessionSummary, path: Path, video_file: str | None) -> Path:
    """Write ``summary``'s report to ``path`` and return it.

    The page opens offline: styles inline, key frames as base64 ``data:`` images (from
    ``KeyFrame.jpeg``, else ``path.parent / "keyframes" / file``), timeline and plots as inline
    SVG. ``video_file``, when given, is the annotated video beside the page, linked relatively
    in a ``<video>`` element.
    """
    path = Path(path)
    view = build_view(summary, path.parent, video_file)
    return render_to("report.html.j2", path, view=view)
