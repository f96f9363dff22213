"""Colour helpers for sampling the synthetic population: HSV to BGR, mixing, shading.

Colours are BGR tuples of ints in 0..255 (OpenCV order), as everywhere in
:mod:`aligncheck.synth`.
"""

from __future__ import annotations

import colorsys

import numpy as np

from aligncheck.synth.shapes import BGR


def hsv(hue: float, saturation: float, value: float) -> BGR:
    """BGR from hue in degrees (0 red, 120 green, 240 blue), saturation and value in 0..1."""
    r, g, b = colorsys.hsv_to_rgb((hue % 360.0) / 360.0, saturation, value)
    return (round(b * 255), round(g * 255), round(r * 255))


def shade(colour: BGR, factor: float) -> BGR:
    """``colour`` scaled by ``factor``, clipped to 0..255."""
    return tuple(int(min(255, max(0, round(c * factor)))) for c in colour)  # type: ignore[return-value]


def mix(a: BGR, b: BGR, t: float) -> BGR:
    """The colour a fraction ``t`` of the way from ``a`` to ``b``."""
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def ramp(stops: tuple[BGR, ...], t: float) -> BGR:
    """The colour at ``t`` (0..1) along evenly spaced ``stops``."""
    position = min(max(t, 0.0), 1.0) * (len(stops) - 1)
    i = min(int(position), len(stops) - 2)
    return mix(stops[i], stops[i + 1], position - i)


def jitter(rng: np.random.Generator, colour: BGR, amount: float = 8.0) -> BGR:
    """``colour`` with each channel moved by up to ``amount`` at random."""
    moved = np.array(colour) + rng.uniform(-amount, amount, 3)
    return tuple(int(v) for v in np.clip(np.round(moved), 0, 255))  # type: ignore[return-value]


def clothing(rng: np.random.Generator) -> BGR:
    """A clothing colour: black, white, grey, a muted or a bright colour."""
    kind = rng.choice(["black", "white", "grey", "muted", "bright"], p=[0.2, 0.1, 0.15, 0.3, 0.25])
    hue = rng.uniform(0, 360)
    if kind == "black":
        return hsv(hue, rng.uniform(0, 0.3), rng.uniform(0.08, 0.2))
    if kind == "white":
        return hsv(hue, rng.uniform(0, 0.08), rng.uniform(0.85, 0.97))
    if kind == "grey":
        return hsv(hue, rng.uniform(0, 0.1), rng.uniform(0.3, 0.75))
    if kind == "muted":
        return hsv(hue, rng.uniform(0.2, 0.5), rng.uniform(0.3, 0.8))
    return hsv(hue, rng.uniform(0.55, 0.95), rng.uniform(0.5, 0.95))
