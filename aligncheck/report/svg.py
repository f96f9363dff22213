"""Inline SVG for the report, generated in Python: the session timeline and the measure plots.

Every text that reaches the SVG goes through :func:`html.escape`; the functions return
:class:`markupsafe.Markup` so the (autoescaping) templates insert them as they are. Sizes are
in SVG user units inside a ``viewBox``; the SVG scales to the page width.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from aligncheck.core import Status
from aligncheck.report.fmt import clock, shorten
from aligncheck.report.palette import DEFAULT_PALETTE, Palette
from aligncheck.session import Segment

_TIME_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)
HATCH_ID = "ac-hatch"


@dataclass(frozen=True)
class PhaseBand:
    """A phase segment as drawn: times, label and fill colour."""

    start: float
    end: float
    label: str
    colour: str


@dataclass(frozen=True)
class TimelineRow:
    """One rule's band: its title, status segments, and whether it is a correction."""

    label: str
    segments: tuple[Segment, ...]
    emphasis: bool = False


@dataclass(frozen=True)
class Marker:
    """A numbered key-frame marker on the timeline, linking to ``href``."""

    time: float
    number: int
    href: str


@dataclass(frozen=True)
class Plot:
    """A measure over time with its ok / close bands; ``spans`` are the (start, end) times in
    which the bands apply (the rule's phases), or the whole clip."""

    times: tuple[float, ...]
    values: tuple[float, ...]
    unit: str
    ok: tuple[float, float] | None
    close: tuple[float, float] | None
    spans: tuple[tuple[float, float], ...]


def _num(value: float, step: float) -> str:
    """``value`` with as many decimals as the tick ``step`` needs."""
    text = f"{step:.6f}".rstrip("0").rstrip(".")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return f"{value:.{decimals}f}" if decimals else f"{value:.0f}"


def time_ticks(start: float, end: float, most: int = 9) -> list[float]:
    """Round tick times (1, 2, 5, 10, 15, 30 s ... apart) covering ``start``-``end``."""
    span = max(end - start, 1e-6)
    step = next((s for s in _TIME_STEPS if span / s <= most), _TIME_STEPS[-1])
    first = math.ceil(start / step) * step
    return [first + i * step for i in range(int((end - first) // step) + 1)]


def value_ticks(low: float, high: float, most: int = 5) -> list[float]:
    """'Nice' ticks (1, 2, 2.5, 5 x 10^n apart) between ``low`` and ``high``."""
    span = max(high - low, 1e-9)
    raw = span / max(most - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(low / step - 1e-9) * step
    count = int((high - first) / step + 1e-9) + 1
    return [round(first + i * step, 10) for i in range(count)]


class _Scale:
    def __init__(self, d0: float, d1: float, r0: float, r1: float) -> None:
        self.d0, self.r0, self.r1 = d0, r0, r1
        self.k = (r1 - r0) / (d1 - d0) if d1 != d0 else 0.0

    def __call__(self, value: float) -> float:
        return round(self.r0 + (value - self.d0) * self.k, 2)


def _hatch(palette: Palette) -> str:
    grey = palette.status[Status.NOT_VISIBLE.value]
    return (
        f'<pattern id="{HATCH_ID}" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#f1f3f5"/>'
        f'<rect width="2.4" height="6" fill="{grey}"/></pattern>'
    )


def _status_fill(value: str, palette: Palette) -> str | None:
    if value == Status.NOT_VISIBLE.value:
        return f"url(#{HATCH_ID})"
    colour = palette.status.get(value, "none")
    return None if colour == "none" else colour


def _marker_levels(
    markers: Sequence[Marker], x: _Scale, room: float = 20.0
) -> list[tuple[Marker, int]]:
    """Each marker with a stacking level, so that markers closer than ``room`` units do not
    overlap."""
    ordered = sorted(markers, key=lambda m: m.time)
    placed: list[tuple[Marker, int]] = []
    last_x: dict[int, float] = {}
    for marker in ordered:
        mx = x(marker.time)
        level = next((lv for lv in range(len(ordered)) if mx - last_x.get(lv, -1e9) >= room), 0)
        last_x[level] = mx
        placed.append((marker, level))
    return placed


def timeline_svg(
    start: float,
    end: float,
    phases: Sequence[PhaseBand],
    rows: Sequence[TimelineRow],
    markers: Sequence[Marker] = (),
    palette: Palette = DEFAULT_PALETTE,
    band_label: str = "Phase",
) -> Markup:
    """Phases on a time axis and, below, one status band per rule; ``band_label`` names the
    top band ("Pose" for a video's poses)."""
    width, label_w, pad_r = 1000, 330, 14
    x = _Scale(start, max(end, start + 1e-6), label_w, width - pad_r)
    placed = _marker_levels(markers, x)
    levels = 1 + max((level for _, level in placed), default=0)
    top, phase_h, row_h, gap = 4 + 20 * levels, 26, 15, 5
    rows_top = top + phase_h + 12
    axis_y = rows_top + len(rows) * (row_h + gap) + 4
    height = axis_y + 26
    out = [
        f'<svg class="timeline" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="Timeline of phases and alignment" xmlns="http://www.w3.org/2000/svg">',
        f"<defs>{_hatch(palette)}</defs>",
    ]
    for tick in time_ticks(start, end):
        tx = x(tick)
        out.append(
            f'<line x1="{tx}" x2="{tx}" y1="{top}" y2="{axis_y}" stroke="{palette.grid}"/>'
            f'<text x="{tx}" y="{axis_y + 17}" class="tick" text-anchor="middle">'
            f"{clock(tick)}</text>"
        )
    out.append(
        f'<text x="{label_w - 10}" y="{top + phase_h / 2 + 4}" class="rowlabel strong" '
        f'text-anchor="end">{escape(band_label)}</text>'
    )
    for band in phases:
        x0, x1 = x(band.start), x(band.end)
        out.append(
            f'<rect x="{x0}" y="{top}" width="{max(x1 - x0, 0.5)}" height="{phase_h}" '
            f'fill="{band.colour}"><title>{escape(band.label)}: {clock(band.start)}-'
            f"{clock(band.end)}</title></rect>"
        )
        room = int((x1 - x0 - 8) / 6.3)
        if room >= 4 and band.label:
            out.append(
                f'<text x="{round((x0 + x1) / 2, 2)}" y="{top + phase_h / 2 + 4}" '
                f'class="phaselabel" text-anchor="middle">{escape(shorten(band.label, room))}'
                "</text>"
            )
    for marker, level in placed:
        mx, cy = x(marker.time), top - 12 - 20 * level
        out.append(
            f'<a href="{escape(marker.href)}"><g class="marker">'
            f"<title>Key frame {marker.number} at {clock(marker.time)}</title>"
            f'<line x1="{mx}" x2="{mx}" y1="{cy}" y2="{axis_y}" stroke="{palette.ink}" '
            'stroke-width="1" stroke-dasharray="2 3"/>'
            f'<circle cx="{mx}" cy="{cy}" r="9" fill="{palette.ink}"/>'
            f'<text x="{mx}" y="{cy + 4}" class="markertext" text-anchor="middle">'
            f"{marker.number}</text></g></a>"
        )
    for i, row in enumerate(rows):
        y = rows_top + i * (row_h + gap)
        css = "rowlabel strong" if row.emphasis else "rowlabel"
        out.append(
            f'<text x="{label_w - 14}" y="{y + row_h - 3}" class="{css}" text-anchor="end">'
            f"<title>{escape(row.label)}</title>{escape(shorten(row.label, 50))}</text>"
            f'<rect x="{label_w}" y="{y}" width="{width - pad_r - label_w}" height="{row_h}" '
            f'fill="none" stroke="{palette.grid}"/>'
        )
        if row.emphasis:
            out.append(
                f'<circle cx="{label_w - 4}" cy="{y + row_h / 2}" r="3" '
                f'fill="{palette.status[Status.OFF.value]}"/>'
            )
        for seg in row.segments:
            fill = _status_fill(seg.value, palette)
            if fill is None:
                continue
            x0, x1 = x(seg.start), x(seg.end)
            out.append(
                f'<rect x="{x0}" y="{y}" width="{max(x1 - x0, 0.8)}" height="{row_h}" '
                f'fill="{fill}"><title>{escape(seg.value)}: {clock(seg.start)}-'
                f"{clock(seg.end)}</title></rect>"
            )
    out.append(
        f'<line x1="{label_w}" x2="{width - pad_r}" y1="{axis_y}" y2="{axis_y}" '
        f'stroke="{palette.muted}"/></svg>'
    )
    return Markup("".join(out))


def _value_range(plot: Plot) -> tuple[float, float] | None:
    finite = [v for v in plot.values if math.isfinite(v)]
    if not finite:
        return None
    low, high = min(finite), max(finite)
    span = max(high - low, 10.0 if plot.unit == "deg" else 0.1)
    for band in (plot.ok, plot.close):
        for edge in band or ():
            if low - span <= edge <= high + span:
                low, high = min(low, edge), max(high, edge)
    if high - low < span:
        middle = (low + high) / 2
        low, high = middle - span / 2, middle + span / 2
    pad = 0.06 * (high - low)
    return low - pad, high + pad


def _line_paths(xs: list[float], ys: list[float | None]) -> tuple[list[str], list[tuple]]:
    paths, dots, current = [], [], []
    for px, py in [*zip(xs, ys, strict=True), (0.0, None)]:
        if py is None:
            if len(current) > 1:
                paths.append("M" + " L".join(f"{a},{b}" for a, b in current))
            elif current:
                dots.append(current[0])
            current = []
        else:
            current.append((px, py))
    return paths, dots


def plot_svg(
    plot: Plot, start: float, end: float, ident: str, palette: Palette = DEFAULT_PALETTE
) -> Markup:
    """A line plot of one measure with its ok band (shaded) and close band (lighter);
    ``ident`` makes its clip-path id unique in the page."""
    width, height = 480, 200
    left, right, top, bottom = 52, 12, 10, 26
    value_range = _value_range(plot)
    out = [
        f'<svg class="plot" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'xmlns="http://www.w3.org/2000/svg">'
    ]
    if value_range is None:
        out.append(
            f'<rect x="{left}" y="{top}" width="{width - left - right}" '
            f'height="{height - top - bottom}" fill="#f4f5f7"/>'
            f'<text x="{width / 2}" y="{height / 2}" class="tick" text-anchor="middle">'
            "Not visible to the camera in this clip</text></svg>"
        )
        return Markup("".join(out))
    x = _Scale(start, max(end, start + 1e-6), left, width - right)
    y = _Scale(value_range[0], value_range[1], height - bottom, top)
    clip_id = f"clip-{escape(ident)}"
    out.append(
        f'<defs><clipPath id="{clip_id}"><rect x="{left}" y="{top}" '
        f'width="{width - left - right}" height="{height - top - bottom}"/></clipPath></defs>'
        f'<g clip-path="url(#{clip_id})">'
    )
    for band, colour, opacity in (
        (plot.close, palette.status[Status.CLOSE.value], 0.22),
        (plot.ok, palette.status[Status.OK.value], 0.30),
    ):
        if band is None:
            continue
        y0, y1 = y(band[1]), y(band[0])
        for s0, s1 in plot.spans:
            out.append(
                f'<rect x="{x(s0)}" y="{y0}" width="{max(x(s1) - x(s0), 0.5)}" '
                f'height="{max(y1 - y0, 0.5)}" fill="{colour}" fill-opacity="{opacity}"/>'
            )
    out.append("</g>")
    ticks = value_ticks(*value_range)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    for tick in ticks:
        ty = y(tick)
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{ty}" y2="{ty}" stroke="{palette.grid}"/>'
            f'<text x="{left - 6}" y="{ty + 4}" class="tick" text-anchor="end">'
            f"{_num(tick, step)}</text>"
        )
    for tick in time_ticks(start, end, most=6):
        tx = x(tick)
        out.append(
            f'<text x="{tx}" y="{height - 8}" class="tick" text-anchor="middle">'
            f"{clock(tick)}</text>"
        )
    xs = [x(t) for t in plot.times]
    ys = [y(v) if math.isfinite(v) else None for v in plot.values]
    paths, dots = _line_paths(xs, ys)
    out.extend(
        f'<path d="{d}" fill="none" stroke="{palette.line}" stroke-width="1.8" '
        'stroke-linejoin="round"/>'
        for d in paths
    )
    out.extend(f'<circle cx="{a}" cy="{b}" r="2" fill="{palette.line}"/>' for a, b in dots)
    out.append(
        f'<line x1="{left}" x2="{width - right}" y1="{height - bottom}" y2="{height - bottom}" '
        f'stroke="{palette.muted}"/></svg>'
    )
    return Markup("".join(out))
