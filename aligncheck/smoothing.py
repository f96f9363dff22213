"""Landmark smoothing for live use: the One Euro filter (Casiez, Roussel & Vogel, CHI 2012).

A low-pass filter whose cut-off rises with speed: still poses are smoothed strongly (no jitter),
fast movements pass with little lag. Image coordinates are filtered in units of the frame's
height, world coordinates in metres, so one set of parameters suits both. A NaN landmark resets
that landmark's filter, so a hidden limb never drags stale positions along.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from aligncheck.core import PoseFrame


@dataclass(frozen=True)
class OneEuroSettings:
    """``min_cutoff`` (Hz): smoothing when still; ``beta``: how fast the cut-off rises with
    speed (per unit/s); ``d_cutoff`` (Hz): smoothing of the speed estimate."""

    min_cutoff: float = 1.5
    beta: float = 1.0
    d_cutoff: float = 1.0


def _alpha(cutoff: np.ndarray | float, dt: float) -> np.ndarray | float:
    tau = 1.0 / (2.0 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    """One Euro filter over an array of any shape, sampled at explicit timestamps."""

    def __init__(self, settings: OneEuroSettings = OneEuroSettings()) -> None:
        self.settings = settings
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t = 0.0

    def __call__(self, x: np.ndarray, t: float) -> np.ndarray:
        """Filtered value of sample ``x`` taken at time ``t`` (seconds)."""
        x = np.asarray(x, dtype=float)
        if self._x is None or self._x.shape != x.shape or t <= self._t:
            self._x, self._dx, self._t = x.copy(), np.zeros_like(x), t
            return x.copy()
        dt = t - self._t
        s = self.settings
        fresh = ~np.isfinite(self._x)  # landmarks that were hidden start again from raw
        dx = np.where(fresh, 0.0, (x - self._x) / dt)
        dx = np.nan_to_num(dx)
        edx = self._dx + _alpha(s.d_cutoff, dt) * (dx - self._dx)
        cutoff = s.min_cutoff + s.beta * np.abs(edx)
        a = _alpha(cutoff, dt)
        out = np.where(fresh, x, self._x + a * (x - self._x))
        self._x, self._dx, self._t = out, edx, t
        return out.copy()


class PoseSmoother:
    """Smooth the landmarks of successive PoseFrames (image and world coordinates)."""

    def __init__(self, settings: OneEuroSettings = OneEuroSettings()) -> None:
        self._image = OneEuroFilter(settings)
        self._world = OneEuroFilter(settings)

    def __call__(self, pose: PoseFrame) -> PoseFrame:
        """The smoothed pose; frames without a person pass through and reset nothing."""
        if not pose.detected:
            return pose
        scale = float(pose.image_size[1]) or 1.0
        image_xy = self._image(pose.image_xy / scale, pose.timestamp) * scale
        world_xyz = self._world(pose.world_xyz, pose.timestamp)
        return replace(pose, image_xy=image_xy, world_xyz=world_xyz)
