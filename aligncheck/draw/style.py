"""Drawing style as data: colours, and sizes that scale with the frame.

A :class:`Style` is frozen; :meth:`Style.for_frame` derives line widths, point radii and font
scale from the frame's size, so annotations read the same on a 480p still and a 4K video.
Colours are BGR tuples (OpenCV order).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

Colour = tuple[int, int, int]


@dataclass(frozen=True)
class Style:
    """How annotations look. Sizes are in pixels for a given frame; see :meth:`for_frame`."""

    bone: Colour = (255, 255, 255)
    joint: Colour = (60, 200, 255)
    hidden: Colour = (150, 150, 150)
    text: Colour = (255, 255, 255)
    text_shadow: Colour = (0, 0, 0)
    label_background: Colour = (40, 40, 40)
    ok: Colour = (90, 200, 70)
    close: Colour = (0, 190, 255)
    off: Colour = (60, 60, 235)
    banner: Colour = (30, 30, 30)
    line_width: int = 2
    point_radius: int = 4
    font_scale: float = 0.5
    font_thickness: int = 1
    #: Size relative to the frame's shorter side, used by for_frame.
    line_fraction: float = 0.006
    point_fraction: float = 0.009
    font_fraction: float = 0.0011

    def for_frame(self, width: int, height: int) -> Style:
        """This style with sizes scaled to a ``width`` x ``height`` frame."""
        short = min(width, height)
        return replace(
            self,
            line_width=max(1, round(short * self.line_fraction)),
            point_radius=max(2, round(short * self.point_fraction)),
            font_scale=max(0.35, short * self.font_fraction),
            font_thickness=max(1, round(short * self.font_fraction * 1.6)),
        )


DEFAULT_STYLE = Style()


def shade(region: np.ndarray, colour: Colour, alpha: float) -> None:
    """Blend ``colour`` over ``region`` (a view into the picture) in place, with opacity
    ``alpha``, without building a picture of the colour."""
    if region.size == 0:
        return
    cv2.addWeighted(region, 1.0 - alpha, region, 0.0, 0.0, dst=region)
    cv2.add(region, (*(c * alpha for c in colour), 0.0), dst=region)
