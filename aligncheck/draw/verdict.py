"""Draw a rule engine :class:`~aligncheck.core.Verdict`: the skeleton coloured by rule status,
measured values at their joints, a header with side, phase and view, and the top cue.

Colours: green = ok, amber = close, red = off; grey = not visible or not judged. A joint takes
the colour of the worst judged rule that uses it. A skeleton that was not read reliably (not a
plausible body) is drawn all in grey, with "Pose not read reliably" and the suggestion in the
cue banner. Only draws; every decision is in the Verdict.
"""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np

from aligncheck.core import DEFAULT_VISIBILITY_THRESHOLD, PoseFrame, RuleResult, Status, Verdict
from aligncheck.draw.skeleton import _FONT, _point, draw_label
from aligncheck.draw.style import DEFAULT_STYLE, Colour, Style, shade
from aligncheck.landmarks import SKELETON

_RANK = {Status.OFF: 3, Status.CLOSE: 2, Status.OK: 1}


def status_colour(status: Status, style: Style) -> Colour:
    """The colour that stands for ``status``."""
    return {Status.OK: style.ok, Status.CLOSE: style.close, Status.OFF: style.off}.get(
        status, style.hidden
    )


def _joint_status(results: tuple[RuleResult, ...]) -> dict[int, Status]:
    worst: dict[int, Status] = {}
    for result in results:
        if not result.status.judged:
            continue
        for lm in result.landmarks:
            if _RANK[result.status] > _RANK.get(worst.get(int(lm)), 0):  # type: ignore[arg-type]
                worst[int(lm)] = result.status
    return worst


def _value_text(result: RuleResult) -> str:
    # OpenCV's Hershey fonts have no degree sign
    return f"{result.value:.0f}" if result.unit == "deg" else f"{result.value:.2f}"


def draw_verdict(
    image: np.ndarray,
    pose: PoseFrame,
    verdict: Verdict,
    style: Style = DEFAULT_STYLE,
    threshold: float = DEFAULT_VISIBILITY_THRESHOLD,
    show_values: bool = True,
) -> np.ndarray:
    """A copy of ``image`` with the verdict drawn on it."""
    canvas = image.copy()
    height, width = canvas.shape[:2]
    s = style.for_frame(width, height)
    if pose.detected:
        draw_status_skeleton(canvas, pose, verdict, s, threshold)
        if show_values:
            draw_values(canvas, pose, verdict, s)
    _draw_header(canvas, verdict, s)
    _draw_cue(canvas, verdict, s)
    return canvas


def draw_values(canvas: np.ndarray, pose: PoseFrame, verdict: Verdict, s: Style) -> None:
    """Each judged rule's value beside its joint, on its status colour; one label per joint
    (the most important rule's)."""
    placed: set[int] = set()
    for result in sorted(verdict.results, key=lambda r: r.priority):
        if not result.status.judged or result.anchor is None or int(result.anchor) in placed:
            continue
        p = _point(pose.image_xy[result.anchor])
        if p is None:
            continue
        placed.add(int(result.anchor))
        label = replace(s, label_background=status_colour(result.status, s), text=(0, 0, 0))
        anchor = (p[0] + 2 * s.point_radius, p[1] + 3 * s.point_radius)
        draw_label(canvas, _value_text(result), anchor, label)


def draw_status_skeleton(
    canvas: np.ndarray, pose: PoseFrame, verdict: Verdict, s: Style, threshold: float
) -> None:
    joints = _joint_status(verdict.results)
    seen = pose.visibility >= threshold
    for start, end in SKELETON:
        a, b = _point(pose.image_xy[start]), _point(pose.image_xy[end])
        if a is None or b is None:
            continue
        if not (seen[start] and seen[end]):
            cv2.line(canvas, a, b, s.hidden, max(1, s.line_width // 2), cv2.LINE_AA)
            continue
        # a bone takes the worst status of the judged rules that use both of its ends
        statuses = [
            r.status
            for r in verdict.results
            if r.status.judged and start in r.landmarks and end in r.landmarks
        ]
        colour = status_colour(max(statuses, key=_RANK.__getitem__), s) if statuses else s.bone
        if not verdict.reliable:
            colour = s.hidden
        cv2.line(canvas, a, b, s.text_shadow, s.line_width + 3, cv2.LINE_AA)
        cv2.line(canvas, a, b, colour, s.line_width + 1, cv2.LINE_AA)
    for index, xy in enumerate(pose.image_xy):
        p = _point(xy)
        if p is None:
            continue
        if not seen[index]:
            cv2.circle(canvas, p, s.point_radius, s.hidden, max(1, s.line_width // 2), cv2.LINE_AA)
            continue
        colour = status_colour(joints[index], s) if index in joints else s.joint
        if not verdict.reliable:
            colour = s.hidden
        cv2.circle(canvas, p, s.point_radius + 1, s.text_shadow, -1, cv2.LINE_AA)
        cv2.circle(canvas, p, s.point_radius, colour, -1, cv2.LINE_AA)


def _draw_header(canvas: np.ndarray, verdict: Verdict, s: Style) -> None:
    parts = [verdict.phase_label]
    if verdict.side:
        parts.append(verdict.side)
    if verdict.view:
        parts.append(f"{verdict.view} view")
    if verdict.hold_time > 0:
        parts.append(f"hold {verdict.hold_time:.0f}s")
    draw_label(canvas, "  |  ".join(parts), (s.point_radius, 0), s)


def unreliable_cue(verdict: Verdict) -> str:
    """The banner text for a verdict whose pose was not read reliably."""
    return f"Pose not read reliably: {verdict.suggestion}".strip()


def _draw_cue(canvas: np.ndarray, verdict: Verdict, s: Style) -> None:
    if not verdict.reliable:
        text, colour = unreliable_cue(verdict), s.close
    elif verdict.top is not None:
        text, colour = verdict.top.cue, s.off
    elif verdict.detected and any(r.status.judged for r in verdict.results):
        text, colour = "Good alignment", s.ok
    else:
        return
    height, width = canvas.shape[:2]
    scale = s.font_scale * 1.3
    thickness = max(1, s.font_thickness + 1)
    lines = wrap_text(text, width * 0.9, scale, thickness)
    (_, line_h), base = cv2.getTextSize("Ag", _FONT, scale, thickness)
    pad = line_h // 2
    box_h = len(lines) * (line_h + pad) + pad * 2
    top = height - box_h
    band = canvas[max(0, top) :, :]  # blend only the banner's rows
    shade(band, s.banner, 0.75)
    cv2.rectangle(canvas, (0, top), (max(4, width // 120), height), colour, -1)
    for i, line in enumerate(lines):
        y = top + pad + (i + 1) * (line_h + pad) - base // 2
        cv2.putText(canvas, line, (width // 40, y), _FONT, scale, s.text, thickness, cv2.LINE_AA)


def wrap_text(text: str, max_width: float, scale: float, thickness: int) -> list[str]:
    """Split ``text`` into lines no wider than ``max_width`` pixels at this font size."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and cv2.getTextSize(trial, _FONT, scale, thickness)[0][0] > max_width:
            lines.append(current)
            current = word
        else:
            current = trial
    return [*lines, current] if current else lines
