"""The report of a video with several poses (``analyze --pose auto``): the timeline of the
poses, then a card per pose segment (side, hold time, score, what went well, the top
corrections) linking to that stretch's full single-pose report. One self-contained page."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from aligncheck.report.fmt import clock, duration, relative_href, score_level
from aligncheck.report.palette import DEFAULT_PALETTE, Palette
from aligncheck.report.svg import PhaseBand, timeline_svg
from aligncheck.report.templating import render_to
from aligncheck.segments import Segment

TRANSITION_COLOUR = "#dfe3e8"


@dataclass(frozen=True)
class PartView:
    """One pose segment as shown."""

    number: int
    english: str
    pose_id: str
    when: str
    side: str
    held: str
    score: str
    level: str
    strengths: tuple[str, ...]
    corrections: tuple[tuple[str, str], ...]
    href: str
    colour: str


@dataclass(frozen=True)
class SequenceView:
    """Everything the sequence template shows."""

    title: str
    source_name: str
    duration: str
    found: str
    timeline: Markup
    legend: tuple[tuple[str, str], ...]
    parts: tuple[PartView, ...]
    notes: tuple[str, ...]
    video_href: str
    css_variables: tuple[tuple[str, str], ...]


def _colours(pose_ids: list[str], palette: Palette) -> dict[str, str]:
    order = list(dict.fromkeys(pose_ids))
    return {p: palette.phases[i % len(palette.phases)] for i, p in enumerate(order)}


def _band(segment: Segment, names: dict[str, str], colours: dict[str, str], palette) -> PhaseBand:
    if segment.kind == "pose":
        return PhaseBand(
            segment.start, segment.end, names[segment.pose_id], colours[segment.pose_id]
        )
    colour = TRANSITION_COLOUR if segment.kind == "transition" else palette.no_phase
    return PhaseBand(segment.start, segment.end, segment.label, colour)


def sequence_view(
    summary, video_file: str | None, palette: Palette = DEFAULT_PALETTE
) -> SequenceView:
    """The view of a :class:`~aligncheck.sequence.SequenceSummary`."""
    names = summary.names
    colours = _colours([p.segment.pose_id for p in summary.parts], palette)
    bands = [_band(s, names, colours, palette) for s in summary.timeline]
    start = summary.timeline[0].start if summary.timeline else 0.0
    end = summary.timeline[-1].end if summary.timeline else 1.0
    parts = []
    for n, part in enumerate(summary.parts, start=1):
        s = part.summary
        sides = sorted(s.sides.items(), key=lambda kv: -kv[1])
        score = f"{s.score:.0f}" if s.score is not None and s.recognised else "–"
        parts.append(
            PartView(
                number=n,
                english=part.english,
                pose_id=part.segment.pose_id,
                when=f"{clock(part.segment.start)}–{clock(part.segment.end)} "
                f"({duration(part.segment.duration)})",
                side=sides[0][0] if sides else "–",
                held=duration(s.hold_time) if s.hold_time > 0 else "–",
                score=score,
                level=score_level(s.score) if score != "–" else "",
                strengths=tuple(r.title for r in s.strengths()),
                corrections=tuple((r.title, r.cue) for r in s.corrections()),
                href=relative_href(part.report),
                colour=colours[part.segment.pose_id],
            )
        )
    found = ", ".join(dict.fromkeys(p.english for p in summary.parts)) or "no known pose"
    legend = tuple((names[p], c) for p, c in colours.items())
    legend += (("transition", TRANSITION_COLOUR), ("no known pose", palette.no_phase))
    return SequenceView(
        title=f"aligncheck: poses in {summary.source.get('name', 'the video')}",
        source_name=str(summary.source.get("name", "")),
        duration=duration(summary.duration),
        found=found,
        timeline=timeline_svg(start, max(end, start + 1e-3), bands, (), band_label="Pose"),
        legend=legend,
        parts=tuple(parts),
        notes=tuple(summary.notes),
        video_href=relative_href(video_file) if video_file else "",
        css_variables=tuple(palette.css_variables().items()),
    )


def write_sequence_report(summary, path: Path, video_file: str | None) -> Path:
    """Write the sequence report to ``path``."""
    return render_to("sequence.html.j2", Path(path), view=sequence_view(summary, video_file))
