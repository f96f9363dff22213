"""The live coaching screen: the camera image mirrored, with the overlay drawn to read correctly.

People follow a screen like a mirror, so the image is flipped left-right. The overlay is drawn
*after* flipping, with every landmark's x mirrored to ``W - 1 - x``, so the skeleton lies on the
body and the text is not mirror-writing. Everything scales with the frame height; the single
cue is at least 1/18 of it, readable from two metres.

Layout (top to bottom): a status bar (phase, side, view; fps on the right), the hold timer
(large, right), the guided step with a progress bar (left), notices (amber), the cue banner,
and the key help line. Only draws: every decision was made before (engine, guide, coach, loop).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import cv2
import numpy as np

from aligncheck.core import PoseFrame, Verdict
from aligncheck.draw.style import DEFAULT_STYLE, Colour, Style, shade
from aligncheck.draw.verdict import draw_status_skeleton, draw_values, wrap_text

_FONT = cv2.FONT_HERSHEY_SIMPLEX
CueKind = Literal["off", "ok", "info", "warn"]
HELP = "q quit   space pause   s switch side   r restart   v voice   a angles"
#: Text heights as a share of the frame height.
CUE_HEIGHT = 1 / 16
HOLD_HEIGHT = 1 / 14
TEXT_HEIGHT = 1 / 30
HELP_HEIGHT = 1 / 40
WARN: Colour = (0, 190, 255)


@dataclass(frozen=True)
class Screen:
    """What the overlay shows besides the verdict; built by the live loop each frame.

    ``hold`` is the good-alignment time in the hold phase (None: not in that phase);
    ``step`` is e.g. "Step 2/7: Bend one knee ..." with ``progress`` in 0-1 (None: no guide).
    """

    cue: str = ""
    cue_kind: CueKind = "info"
    step: str = ""
    progress: float | None = None
    hold: float | None = None
    hold_paused: bool = False
    fps: float = 0.0
    notices: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    show_angles: bool = True
    help: str = HELP


def mirror_pose(pose: PoseFrame) -> PoseFrame:
    """``pose`` with image x mirrored to ``W - 1 - x`` (world coordinates unchanged)."""
    if not pose.detected:
        return pose
    image_xy = np.array(pose.image_xy)
    image_xy[:, 0] = pose.image_size[0] - 1 - image_xy[:, 0]
    return replace(pose, image_xy=image_xy)


def text_scale(height_px: float, thickness: int = 1) -> float:
    """The Hershey font scale whose capital letters are ``height_px`` pixels tall."""
    (_, unit), _ = cv2.getTextSize("A", _FONT, 1.0, thickness)
    return max(0.35, height_px / unit)


def _thickness(scale: float) -> int:
    return max(1, round(scale * 1.6))


def _shade(canvas: np.ndarray, top: int, bottom: int, colour: Colour, alpha: float) -> None:
    band = canvas[max(0, top) : max(0, bottom)]
    if band.size:
        shade(band, colour, alpha)


def _text(
    canvas: np.ndarray, text: str, org: tuple[int, int], scale: float, colour: Colour
) -> None:
    thick = _thickness(scale)
    # a drop shadow of the same stroke (a thicker stroke would also space the letters wider)
    d = max(1, (thick + 1) // 2)
    cv2.putText(canvas, text, (org[0] + d, org[1] + d), _FONT, scale, (0, 0, 0), thick, cv2.LINE_AA)
    cv2.putText(canvas, text, org, _FONT, scale, colour, thick, cv2.LINE_AA)


def _line_height(scale: float) -> tuple[int, int]:
    (_, h), base = cv2.getTextSize("Ag", _FONT, scale, _thickness(scale))
    return h, base


def draw_live(
    image: np.ndarray,
    pose: PoseFrame,
    verdict: Verdict | None,
    screen: Screen,
    style: Style = DEFAULT_STYLE,
) -> np.ndarray:
    """The mirrored camera image with the coaching overlay (a new BGR array)."""
    canvas = cv2.flip(image, 1)
    height, width = canvas.shape[:2]
    s = style.for_frame(width, height)
    shown = mirror_pose(pose)
    if verdict is not None and shown.detected:
        draw_status_skeleton(canvas, shown, verdict, s, 0.5)
        if screen.show_angles:
            draw_values(canvas, shown, verdict, s)
    bottom = _draw_help(canvas, screen, s)
    bottom = _draw_cue(canvas, screen, s, bottom)
    _draw_notices(canvas, screen, bottom)
    top = _draw_status(canvas, verdict, screen)
    _draw_step(canvas, screen, s, top)
    _draw_hold(canvas, screen, s, top)
    return canvas


def _draw_status(canvas: np.ndarray, verdict: Verdict | None, screen: Screen) -> int:
    height, width = canvas.shape[:2]
    scale = text_scale(height * TEXT_HEIGHT)
    h, base = _line_height(scale)
    pad = max(2, h // 3)
    bar = h + base + 2 * pad
    _shade(canvas, 0, bar, (20, 20, 20), 0.6)
    parts = []
    if verdict is not None:
        parts.append(verdict.phase_label)
        parts.append(verdict.side or "side not decided")
        if verdict.view:
            parts.append(f"{verdict.view} view")
    parts.extend(screen.flags)
    _text(canvas, "  |  ".join(parts), (pad * 2, pad + h), scale, (255, 255, 255))
    fps = f"{screen.fps:.0f} fps"
    (w, _), _ = cv2.getTextSize(fps, _FONT, scale, _thickness(scale))
    _text(canvas, fps, (width - w - pad * 2, pad + h), scale, (255, 255, 255))
    return bar


def _draw_step(canvas: np.ndarray, screen: Screen, s: Style, top: int) -> None:
    if not screen.step:
        return
    height, width = canvas.shape[:2]
    scale = text_scale(height * TEXT_HEIGHT)
    h, base = _line_height(scale)
    lines = wrap_text(screen.step, width * 0.6, scale, _thickness(scale))[:3]
    pad = max(2, h // 3)
    y = top + pad
    bar = h // 2 + pad if screen.progress is not None else 0
    box_bottom = y + len(lines) * (h + base + pad) + bar
    right = round(width * 0.6) + 4 * pad
    region = canvas[y:box_bottom, 0:right]
    if region.size:
        shade(region, (40, 40, 40), 0.55)
    for line in lines:
        y += h + pad
        _text(canvas, line, (pad * 2, y), scale, (255, 255, 255))
        y += base
    if screen.progress is not None:
        y += pad
        bar_w = round(width * 0.6)
        filled = round(bar_w * min(1.0, max(0.0, screen.progress)))
        cv2.rectangle(canvas, (pad * 2, y), (pad * 2 + bar_w, y + h // 2), (90, 90, 90), -1)
        if filled:
            cv2.rectangle(canvas, (pad * 2, y), (pad * 2 + filled, y + h // 2), s.ok, -1)


def _draw_hold(canvas: np.ndarray, screen: Screen, s: Style, top: int) -> None:
    if screen.hold is None:
        return
    height, width = canvas.shape[:2]
    scale = text_scale(height * HOLD_HEIGHT)
    h, _ = _line_height(scale)
    text = f"{screen.hold:.0f} s"
    (w, _), _ = cv2.getTextSize(text, _FONT, scale, _thickness(scale))
    x, y = width - w - width // 40, top + h + h // 2
    _text(canvas, text, (x, y), scale, s.hidden if screen.hold_paused else s.ok)
    label = "hold (paused)" if screen.hold_paused else "hold"
    small = text_scale(height * TEXT_HEIGHT)
    (lw, _), _ = cv2.getTextSize(label, _FONT, small, _thickness(small))
    label_y = y + h // 2 + _line_height(small)[0]
    _text(canvas, label, (width - lw - width // 40, label_y), small, s.text)


def _draw_help(canvas: np.ndarray, screen: Screen, s: Style) -> int:
    height = canvas.shape[0]
    if not screen.help:
        return height
    scale = text_scale(height * HELP_HEIGHT)
    h, base = _line_height(scale)
    pad = max(2, h // 3)
    top = height - (h + base + 2 * pad)
    _shade(canvas, top, height, (0, 0, 0), 0.7)
    _text(canvas, screen.help, (pad * 2, height - pad - base), scale, (220, 220, 220))
    return top


def _draw_cue(canvas: np.ndarray, screen: Screen, s: Style, bottom: int) -> int:
    if not screen.cue:
        return bottom
    height, width = canvas.shape[:2]
    scale = text_scale(height * CUE_HEIGHT)
    thick = _thickness(scale)
    lines = wrap_text(screen.cue, width * 0.92, scale, thick)
    h, base = _line_height(scale)
    pad = h // 2
    top = bottom - (len(lines) * (h + base + pad) + pad)
    _shade(canvas, top, bottom, s.banner, 0.78)
    colour = {"off": s.off, "ok": s.ok, "warn": WARN}.get(screen.cue_kind, s.text)
    cv2.rectangle(canvas, (0, top), (max(6, width // 80), bottom), colour, -1)
    y = top
    for line in lines:
        y += pad + h
        _text(canvas, line, (width // 30, y), scale, s.text)
        y += base
    return top


def _draw_notices(canvas: np.ndarray, screen: Screen, bottom: int) -> None:
    height, width = canvas.shape[:2]
    scale = text_scale(height * TEXT_HEIGHT)
    h, base = _line_height(scale)
    y = bottom - base - h // 2
    for notice in reversed(screen.notices[-3:]):
        for line in reversed(wrap_text(notice, width * 0.92, scale, _thickness(scale))[:2]):
            _text(canvas, line, (width // 30, y), scale, WARN)
            y -= h + base + h // 3
