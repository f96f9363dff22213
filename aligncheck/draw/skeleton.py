"""Annotators that draw a :class:`~aligncheck.core.PoseFrame` onto an image. They only draw.

Visible landmarks (visibility >= threshold) are filled dots joined by solid bones. Landmarks the
model is unsure of are hollow grey rings, and a bone touching one is drawn thin and grey, so a
viewer can tell measured body parts from guessed ones at a glance.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import cv2
import numpy as np

from aligncheck.angles import KEY_ANGLES_BY_NAME
from aligncheck.core import DEFAULT_VISIBILITY_THRESHOLD, PoseFrame
from aligncheck.draw.style import DEFAULT_STYLE, Style
from aligncheck.landmarks import SKELETON

_FONT = cv2.FONT_HERSHEY_SIMPLEX


def _point(xy: np.ndarray) -> tuple[int, int] | None:
    x, y = float(xy[0]), float(xy[1])
    if not (math.isfinite(x) and math.isfinite(y)):
        return None
    return round(x), round(y)


def draw_skeleton(
    image: np.ndarray,
    pose: PoseFrame,
    style: Style = DEFAULT_STYLE,
    threshold: float = DEFAULT_VISIBILITY_THRESHOLD,
) -> np.ndarray:
    """Draw bones and joints of ``pose`` on a copy of ``image`` (BGR) and return it."""
    canvas = image.copy()
    if not pose.detected:
        return canvas
    height, width = canvas.shape[:2]
    s = style.for_frame(width, height)
    seen = pose.visibility >= threshold
    for start, end in SKELETON:
        a, b = _point(pose.image_xy[start]), _point(pose.image_xy[end])
        if a is None or b is None:
            continue
        if seen[start] and seen[end]:
            cv2.line(canvas, a, b, s.text_shadow, s.line_width + 2, cv2.LINE_AA)
            cv2.line(canvas, a, b, s.bone, s.line_width, cv2.LINE_AA)
        else:
            cv2.line(canvas, a, b, s.hidden, max(1, s.line_width // 2), cv2.LINE_AA)
    for index, xy in enumerate(pose.image_xy):
        p = _point(xy)
        if p is None:
            continue
        if seen[index]:
            cv2.circle(canvas, p, s.point_radius + 1, s.text_shadow, -1, cv2.LINE_AA)
            cv2.circle(canvas, p, s.point_radius, s.joint, -1, cv2.LINE_AA)
        else:
            cv2.circle(canvas, p, s.point_radius, s.hidden, max(1, s.line_width // 2), cv2.LINE_AA)
    return canvas


def draw_label(image: np.ndarray, text: str, anchor: tuple[int, int], style: Style) -> None:
    """Write ``text`` in place on a dark box whose top-left corner is near ``anchor``."""
    (w, h), base = cv2.getTextSize(text, _FONT, style.font_scale, style.font_thickness)
    height, width = image.shape[:2]
    x = int(np.clip(anchor[0], 0, max(0, width - w - 4)))
    y = int(np.clip(anchor[1], h + 4, max(h + 4, height - base - 2)))
    cv2.rectangle(image, (x - 2, y - h - 4), (x + w + 2, y + base + 2), style.label_background, -1)
    cv2.putText(
        image, text, (x, y), _FONT, style.font_scale, style.text, style.font_thickness, cv2.LINE_AA
    )


def draw_angles(
    image: np.ndarray,
    pose: PoseFrame,
    angles: Mapping[str, float],
    style: Style = DEFAULT_STYLE,
) -> np.ndarray:
    """Write each joint angle (degrees) beside its joint on a copy of ``image``.

    Only ``joint`` angles are placed (at their middle landmark); NaN angles are skipped.
    """
    canvas = image.copy()
    height, width = canvas.shape[:2]
    s = style.for_frame(width, height)
    for name, value in angles.items():
        angle = KEY_ANGLES_BY_NAME.get(name)
        if angle is None or angle.kind != "joint" or not np.isfinite(value):
            continue
        p = _point(pose.image_xy[angle.points[1]])
        if p is not None:
            draw_label(
                canvas, f"{value:.0f}", (p[0] + 2 * s.point_radius, p[1] - s.point_radius), s
            )
    return canvas
