"""``review --pose auto``: the index row of a clip analysed as a sequence of poses.

The row lists the poses found in the clip in order (``pose`` column), the side of each, the
hold time summed over the poses, the score over the judged poses weighted by their length,
and the top correction of the longest pose (named after its pose when there are several).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from aligncheck.pipeline import REPORT_NAME
from aligncheck.recognise import NO_POSE
from aligncheck.report.index import IndexRow
from aligncheck.session import SessionSummary, summary_from_json


def _parts(data: dict[str, Any]) -> list[tuple[dict[str, Any], str, SessionSummary]]:
    return [
        (p["segment"], str(p["report"]), summary_from_json(p["summary"])) for p in data["parts"]
    ]


def sequence_row(
    clip: tuple[str, str, str],
    folder: Path,
    data: dict[str, Any],
    out_dir: Path,
    thumbnail: Callable[[Path | None, SessionSummary | None], bytes],
) -> IndexRow:
    """The index row of a clip whose ``summary.json`` (``data``) is a sequence; ``clip`` is
    (label, student, status) and ``thumbnail`` makes the picture from a folder with key frames
    and its summary."""
    label, student, status = clip
    parts = _parts(data)
    names = list(dict.fromkeys(segment["label"] for segment, _, _ in parts))
    sides = "; ".join(
        f"{segment['label']}: {max(s.sides, key=s.sides.get)}"
        if len(names) > 1
        else max(s.sides, key=s.sides.get)
        for segment, _, s in parts
        if s.sides
    )
    scored = [(seg["end"] - seg["start"], s.score) for seg, _, s in parts if s.score is not None]
    weight = sum(w for w, _ in scored)
    score = sum(w * v for w, v in scored) / weight if weight > 0 else None
    longest = max(parts, key=lambda p: p[0]["end"] - p[0]["start"], default=None)
    top = ""
    if longest is not None and longest[2].corrections(1):
        top = longest[2].corrections(1)[0].title
        top = f"{longest[0]['label']}: {top}" if len(names) > 1 else top
    first = folder / Path(parts[0][1]).parent if parts else None
    report = folder / REPORT_NAME
    notes = [str(n) for n in data.get("notes", [])]
    nobody = float(data.get("seconds_nobody", 0.0)) >= 0.8 * max(float(data["duration"]), 1e-9)
    if nobody:
        notes.insert(0, "nobody was found in the clip")
    elif not parts:
        notes.insert(0, "no known pose was recognised in the clip")
    return IndexRow(
        clip=label,
        student=student,
        pose=", ".join(names) if names else NO_POSE,
        sides=sides,
        hold_time=sum(s.hold_time for _, _, s in parts),
        score=score,
        top_fault=top,
        status=status,
        reason="; ".join(notes),
        report_href=report.relative_to(out_dir).as_posix() if report.is_file() else "",
        thumbnail=thumbnail(first, parts[0][2] if parts else None),
    )
