"""The report's view-model: everything the template shows, computed here, so the template
only places ready values (no logic in templates).

Phase labels, the hold phase and the phases each plotted measure is judged in come from the
pose's rules file when it can be found (:func:`aligncheck.rules.registry.find_pose`); without
it the report still renders, with phase ids as labels and bands over the whole clip.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from aligncheck import __version__
from aligncheck.core import Status
from aligncheck.errors import AligncheckError
from aligncheck.report import svg
from aligncheck.report.fmt import (
    clock,
    duration,
    humanise,
    relative_href,
    score_level,
    unit_label,
)
from aligncheck.report.palette import DEFAULT_PALETTE, Palette
from aligncheck.rules.schema import RuleSet
from aligncheck.session import KeyFrame, SessionSummary

KEYFRAMES_DIR = "keyframes"
SCORE_EXPLAINED = (
    "out of 100: the time each measured point was in line, the most important points "
    "counting most, 'close' counting half"
)
_STATUS_LEGEND = (
    (Status.OK, "ok", "in line"),
    (Status.CLOSE, "close", "nearly"),
    (Status.OFF, "off", "needs work"),
    (Status.NOT_VISIBLE, "not-visible", "not visible to the camera"),
    (Status.NOT_APPLICABLE, "not-applicable", "not checked in this phase"),
    (Status.UNRELIABLE, "unreliable", "the camera's skeleton was not a real body"),
)


@dataclass(frozen=True)
class Swatch:
    """A legend entry: a CSS class or a colour, and its words."""

    label: str
    css: str = ""
    colour: str = ""


@dataclass(frozen=True)
class Fact:
    """A headline number of the summary."""

    label: str
    value: str
    detail: str
    css: str = ""


@dataclass(frozen=True)
class Correction:
    """One thing to work on, in the teacher's order."""

    number: int
    title: str
    cue: str
    modification: str
    how_long: str
    frame_href: str


@dataclass(frozen=True)
class KeyFrameView:
    """An embedded still with its time and caption."""

    anchor: str
    number: int
    src: str
    time: str
    badge: str
    css: str
    caption: str


@dataclass(frozen=True)
class PlotView:
    """One measure's plot."""

    title: str
    unit: str
    svg: Markup
    bands: str


@dataclass(frozen=True)
class ReportView:
    """Everything the report template shows."""

    title: str
    pose: dict
    student: str
    recognised: bool
    not_recognised_text: str
    lead: str
    facts: tuple[Fact, ...]
    strengths: tuple[str, ...]
    corrections: tuple[Correction, ...]
    video_href: str
    timeline: Markup
    phase_legend: tuple[Swatch, ...]
    status_legend: tuple[Swatch, ...]
    plots: tuple[PlotView, ...]
    key_frames: tuple[KeyFrameView, ...]
    guidance: tuple[dict, ...]
    notes: tuple[str, ...]
    footer: tuple[tuple[str, str], ...]
    css_variables: tuple[tuple[str, str], ...]


def load_pose_rules(pose_id: str) -> RuleSet | None:
    """The rules of ``pose_id`` from the bundled rules, or None if they cannot be loaded."""
    from aligncheck.rules.registry import find_pose

    try:
        return find_pose(pose_id) if pose_id else None
    except (AligncheckError, OSError):
        return None


def _image_bytes(kf: KeyFrame, folder: Path) -> bytes:
    if kf.jpeg:
        return kf.jpeg
    if not kf.file:
        return b""
    path = folder / KEYFRAMES_DIR / Path(kf.file).name  # never outside keyframes/
    try:
        return path.read_bytes()
    except OSError:
        return b""


def data_uri(jpeg: bytes) -> str:
    """A ``data:`` URI for JPEG bytes."""
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")


class _Builder:
    def __init__(self, summary: SessionSummary, folder: Path, palette: Palette) -> None:
        self.s = summary
        self.folder = folder
        self.palette = palette
        self.rules = load_pose_rules(str(summary.pose.get("id", "")))
        phases = summary.phases
        self.start = phases[0].start if phases else 0.0
        self.end = max(phases[-1].end if phases else 0.0, self.start + summary.duration, 1e-3)
        self.corrections = summary.corrections() if summary.recognised else []

    # --- phases -------------------------------------------------------------------------
    def phase_label(self, phase_id: str) -> str:
        if not phase_id:
            return "Not in the pose"
        if self.rules is not None and any(p.id == phase_id for p in self.rules.phases):
            return self.rules.phase(phase_id).label
        return humanise(phase_id)

    def phase_colour(self, phase_id: str) -> str:
        if not phase_id:
            return self.palette.no_phase
        if self.rules is not None and self.rules.holds(phase_id):
            return self.palette.hold
        order = [p.id for p in self.rules.phases] if self.rules is not None else []
        if phase_id not in order:
            order = list(dict.fromkeys(s.value for s in self.s.phases if s.value))
        colours = self.palette.phases
        return colours[order.index(phase_id) % len(colours)]

    def hold_label(self) -> str:
        if self.rules is not None and self.rules.hold_phase:
            return self.phase_label(self.rules.hold_phase).lower()
        return "pose"

    # --- sections -----------------------------------------------------------------------
    def facts(self) -> tuple[Fact, ...]:
        s = self.s
        sides = sorted(s.sides.items(), key=lambda kv: -kv[1])
        if sides:
            side_value = " and ".join(
                humanise(k) if i == 0 else k for i, (k, _) in enumerate(sides)
            )
            side_detail = ", ".join(f"{duration(v)} {k}" for k, v in sides)
            side_detail = f"{duration(s.seconds_in_pose)} in the pose ({side_detail})"
        else:
            side_value, side_detail = "–", "no side detected"
        facts = [Fact("Side", side_value, side_detail)]
        if s.hold_time > 0:
            held = Fact(
                "Held",
                duration(s.hold_time),
                f"longest hold of the {self.hold_label()}; "
                f"{duration(s.good_time)} of it with nothing off",
            )
        else:
            held = Fact("Held", "–", f"the {self.hold_label()} was not reached")
        facts.append(held)
        if s.recognised and s.score is not None:
            level = score_level(s.score)
            facts.append(Fact("Alignment score", f"{s.score:.0f}", SCORE_EXPLAINED, level))
        else:
            facts.append(Fact("Alignment score", "–", "no score: the pose was not judged"))
        if s.seconds_unreliable > 0:
            why = "; ".join(f"{u.label} ({duration(u.seconds)})" for u in s.unreliable)
            facts.append(
                Fact(
                    "Not read reliably",
                    duration(s.seconds_unreliable),
                    f"not judged: {why}. {s.unreliable[0].suggestion}",
                    "unreliable",
                )
            )
        return tuple(facts)

    def lead(self) -> str:
        if not self.s.recognised:
            return ""
        count = len(self.corrections)
        if count == 0:
            return "No lasting faults: every measured point was in line most of the time."
        things = "one thing" if count == 1 else f"{count} things"
        return f"{things.capitalize()} to work on, most important first."

    def frame_anchor(self, kf: KeyFrame) -> str:
        return f"kf-{kf.kind}-{kf.rule_id or 'hold'}"

    def shown_key_frames(self) -> list[tuple[KeyFrame, bytes]]:
        shown = []
        for kf in self.s.key_frames:
            if kf.kind == "fault" and not self.s.recognised:
                continue
            image = _image_bytes(kf, self.folder)
            if image:
                shown.append((kf, image))
        return shown

    def key_frames(self) -> tuple[KeyFrameView, ...]:
        views = []
        for number, (kf, image) in enumerate(self.shown_key_frames(), start=1):
            best = kf.kind == "best"
            views.append(
                KeyFrameView(
                    self.frame_anchor(kf),
                    number,
                    data_uri(image),
                    clock(kf.timestamp),
                    "Best moment" if best else "To work on",
                    "ok" if best else "off",
                    kf.caption,
                )
            )
        return tuple(views)

    def correction_views(self) -> tuple[Correction, ...]:
        frames = {kf.rule_id: kf for kf, _ in self.shown_key_frames() if kf.kind == "fault"}
        views = []
        for number, rule in enumerate(self.corrections, start=1):
            off = rule.seconds.get(Status.OFF.value, 0.0)
            kf = frames.get(rule.rule_id)
            views.append(
                Correction(
                    number,
                    rule.title,
                    rule.cue,
                    rule.modification,
                    f"off for {duration(off)} of the {duration(rule.judged)} it was measured",
                    f"#{self.frame_anchor(kf)}" if kf else "",
                )
            )
        return tuple(views)

    def timeline(self) -> Markup:
        bands = [
            svg.PhaseBand(p.start, p.end, self.phase_label(p.value), self.phase_colour(p.value))
            for p in self.s.phases
        ]
        fixes = {r.rule_id for r in self.corrections}
        rows = [svg.TimelineRow(r.title, tuple(r.bands), r.rule_id in fixes) for r in self.s.rules]
        markers = [
            svg.Marker(kf.timestamp, n, f"#{self.frame_anchor(kf)}")
            for n, (kf, _) in enumerate(self.shown_key_frames(), start=1)
        ]
        return svg.timeline_svg(self.start, self.end, bands, rows, markers, self.palette)

    def status_legend(self) -> tuple[Swatch, ...]:
        swatches = [
            Swatch(f"{status.value}: {words}", css) for status, css, words in _STATUS_LEGEND
        ]
        if self.corrections:
            swatches.append(Swatch("a point to work on", "fix"))
        if self.shown_key_frames():
            swatches.append(Swatch("key frame (click to see it)", "marker"))
        return tuple(swatches)

    def phase_legend(self) -> tuple[Swatch, ...]:
        seen = list(dict.fromkeys(p.value for p in self.s.phases))  # in order of appearance
        return tuple(Swatch(self.phase_label(v), colour=self.phase_colour(v)) for v in seen)

    def _spans(self, measure: str) -> tuple[tuple[tuple[float, float], ...], str]:
        if self.rules is None:
            return ((self.start, self.end),), ""
        rules = sorted(
            (r for r in self.rules.rules if r.measure == measure), key=lambda r: r.priority
        )
        if not rules:
            return ((self.start, self.end),), ""
        phases = rules[0].phases
        spans = tuple((p.start, p.end) for p in self.s.phases if p.value in phases)
        names = [p.label for p in self.rules.phases if p.id in phases]
        return spans, "checked in: " + ", ".join(n.lower() for n in names)

    def plots(self) -> tuple[PlotView, ...]:
        views = []
        for i, series in enumerate(self.s.series):
            spans, where = self._spans(series.measure)
            plot = svg.Plot(
                tuple(series.times),
                tuple(v if v is not None else math.nan for v in series.values),
                series.unit,
                series.ok,
                series.close,
                spans,
            )
            unit = unit_label(series.unit)
            bands = ""
            if series.ok is not None:
                bands = f"in line {_band(series.ok, series.unit)}"
                bands += f"; {where}" if where else ""
            views.append(
                PlotView(
                    series.label,
                    unit,
                    svg.plot_svg(plot, self.start, self.end, f"p{i}", self.palette),
                    bands,
                )
            )
        return tuple(views)

    def notes(self) -> tuple[str, ...]:
        # the session already words its notes (several people, nobody in view, truncation)
        return tuple(n for n in self.s.notes if n != self.not_recognised_text())

    def not_recognised_text(self) -> str:
        if self.s.recognised:
            return ""
        return next(
            (n for n in self.s.notes if "not recognised" in n),
            f"{self.s.pose.get('english', 'The pose')} was not recognised in this clip, so no "
            "alignment faults are reported.",
        )

    def footer(self) -> tuple[tuple[str, str], ...]:
        src = self.s.source
        fps = float(src.get("fps") or 0.0)
        items = [
            ("Source", str(src.get("name", "")) or "–"),
            ("Duration", clock(self.s.duration)),
            ("Frame rate", f"{fps:.2f}".rstrip("0").rstrip(".") + " fps" if fps else "–"),
        ]
        if src.get("width") and src.get("height"):
            items.append(("Size", f"{src['width']} × {src['height']}"))
        items += [
            ("Frames analysed", str(self.s.frames)),
            ("Summary schema", f"version {self.s.schema_version}"),
            ("aligncheck", __version__),
        ]
        if src.get("sha256"):
            items.append(("SHA-256", str(src["sha256"])[:16] + "…"))
        return tuple(items)


def _band(band: tuple[float, float], unit: str) -> str:
    """``165 to 180 degrees``; open-ended relative bands read ``at most`` / ``at least``."""
    low, high = band
    fmt = "{:.0f}" if max(abs(low), abs(high)) >= 10 and unit == "deg" else "{:.2f}"
    words = unit_label(unit)
    if unit == "body" and low <= -1.0:
        return f"at most {fmt.format(high)} {words}"
    if unit == "body" and high >= 10.0:
        return f"at least {fmt.format(low)} {words}"
    return f"{fmt.format(low)} to {fmt.format(high)} {words}"


def build_view(
    summary: SessionSummary,
    folder: Path,
    video_file: str | None,
    palette: Palette = DEFAULT_PALETTE,
) -> ReportView:
    """The view-model of ``summary``'s report, written into ``folder``."""
    b = _Builder(summary, folder, palette)
    pose = summary.pose
    strengths = tuple(r.title for r in summary.strengths()) if summary.recognised else ()
    return ReportView(
        title=f"{pose.get('english', '')} – {summary.source.get('name', '')}",
        pose=dict(pose),
        student=str(summary.source.get("student", "")),
        recognised=summary.recognised,
        not_recognised_text=b.not_recognised_text(),
        lead=b.lead(),
        facts=b.facts(),
        strengths=strengths,
        corrections=b.correction_views(),
        video_href=relative_href(video_file) if video_file else "",
        timeline=b.timeline(),
        phase_legend=b.phase_legend(),
        status_legend=b.status_legend(),
        plots=b.plots(),
        key_frames=b.key_frames(),
        guidance=tuple(dict(g) for g in summary.guidance),
        notes=b.notes(),
        footer=b.footer(),
        css_variables=tuple(palette.css_variables().items()),
    )
