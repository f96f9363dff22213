"""The back's profile, read from a person segmentation mask at estimation time.

Pure NumPy: no MediaPipe here. :func:`back_profile` condenses the mask into a few numbers, so
the mask itself never leaves the estimator (it is neither kept in the ``PoseFrame`` nor
recorded).

**Definition.** The *chord* runs in the image from the midpoint of the hips ``H`` to the
midpoint of the shoulders ``S`` (pixels). At ``K`` stations ``s_k = k / (K - 1)`` along it
(``k = 0 .. K-1``: the hips, then evenly spaced, then the shoulders) a ray leaves the chord at
a right angle on the **dorsal side**: the side away from the knees (the thighs lie on the
front of the trunk in every seated pose and fold). The profile value at a station is the
distance along that ray from the chord to the silhouette's edge, where the mask first falls
below one half (to sub-pixel precision, and only if it stays outside for a few pixels, so a
one-pixel hole is not an edge), **divided by the chord's length**. With a straight back the
profile is a straight line from the sacrum to the upper back; a rounded back bulges above it.

Where the chord runs outside the body (a strongly rounded trunk curves away from the straight
line between its joints, or a landmark is off), the ray first enters the silhouette and the
edge is where it leaves it again. A station is NaN when the edge is not found within
:data:`REACH` chord lengths (the mask runs on into a background of the same colour, or
out of the image), or when the dorsal side is undefined (the knees lie on the chord's line).
"""

from __future__ import annotations

import numpy as np

#: Stations along the chord (hips, 7 between, shoulders).
STATIONS = 9
#: The furthest the edge is looked for from the chord, in chord lengths.
REACH = 0.6
#: Mask value at the silhouette's edge.
EDGE = 0.5
#: The mask must stay outside for this many pixels after the edge (holes are not edges).
GAP_PX = 3
#: Knees closer to the chord's line than this (chord lengths) leave the dorsal side undefined.
MIN_KNEE_OFFSET = 0.05
#: A chord shorter than this (pixels) is too small to measure.
MIN_CHORD_PX = 12.0


def stations(count: int = STATIONS) -> np.ndarray:
    """The stations' positions along the chord, (count,) in [0, 1]: 0 = hips, 1 = shoulders."""
    return np.linspace(0.0, 1.0, count)


def _sample(mask: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Bilinear mask values at pixel positions ``xy`` (..., 2); NaN outside the image.

    Pixel centres are at integer coordinates (pixel (i, j) covers x in [j - 0.5, j + 0.5]).
    """
    height, width = mask.shape
    x, y = xy[..., 0], xy[..., 1]
    inside = (x >= 0) & (x <= width - 1) & (y >= 0) & (y <= height - 1)
    x = np.clip(x, 0, width - 1)
    y = np.clip(y, 0, height - 1)
    x0 = np.minimum(np.floor(x).astype(int), width - 2 if width > 1 else 0)
    y0 = np.minimum(np.floor(y).astype(int), height - 2 if height > 1 else 0)
    x1, y1 = np.minimum(x0 + 1, width - 1), np.minimum(y0 + 1, height - 1)
    fx, fy = x - x0, y - y0
    top = mask[y0, x0] * (1 - fx) + mask[y0, x1] * fx
    bottom = mask[y1, x0] * (1 - fx) + mask[y1, x1] * fx
    return np.where(inside, top * (1 - fy) + bottom * fy, np.nan)


def _edge(values: np.ndarray, gap: int) -> float:
    """Index (fractional) where ``values`` (a ray's mask samples, 1 px apart) leaves the body:
    the first downward crossing of :data:`EDGE` that stays below for ``gap`` samples, after
    the ray has entered the body (at once, or later where the chord runs outside it); NaN if
    the ray never enters, leaves the image first, or never leaves the body."""
    if np.isnan(values[0]):
        return float("nan")
    inside = np.flatnonzero(values >= EDGE)
    if not len(inside) or np.isnan(values[: inside[0]]).any():
        return float("nan")
    start = int(inside[0])
    below = values < EDGE
    unknown = np.isnan(values)
    for i in start + np.flatnonzero(below[start:] | unknown[start:]):
        if unknown[i]:
            return float("nan")
        after = values[i : i + gap]
        if len(after) < gap or np.isnan(after).any() or (after >= EDGE).any():
            continue
        before = values[i - 1]
        return float(i - 1 + (before - EDGE) / (before - values[i]))
    return float("nan")


def back_profile(
    mask: np.ndarray,
    hips: np.ndarray,
    shoulders: np.ndarray,
    knees: np.ndarray,
    count: int = STATIONS,
) -> np.ndarray:
    """The back's profile: (count,) distances from the chord to the dorsal edge, in chord
    lengths, at :func:`stations` (see the module docstring); NaN where not found.

    ``mask``: (H, W) float person mask in [0, 1] (1 = person); ``hips``, ``shoulders``,
    ``knees``: (2,) pixel positions of the hips' and shoulders' midpoints and of the knees'
    midpoint (any point on the front of the body).
    """
    mask = np.asarray(mask)  # float32 from the model: sampled as it is, never copied whole
    if not np.issubdtype(mask.dtype, np.floating):
        mask = mask.astype(np.float32)
    hips, shoulders, knees = (np.asarray(p, dtype=float) for p in (hips, shoulders, knees))
    missing = np.full(count, np.nan)
    chord = shoulders - hips
    length = float(np.hypot(*chord))
    if not np.isfinite(length) or length < MIN_CHORD_PX or not np.isfinite(knees).all():
        return missing
    unit = chord / length
    normal = np.array([-unit[1], unit[0]])
    front = float(normal @ (knees - hips)) / length
    if abs(front) < MIN_KNEE_OFFSET:
        return missing
    dorsal = -normal if front > 0 else normal
    steps = np.arange(int(np.ceil(REACH * length)) + GAP_PX + 1, dtype=float)
    points = hips + np.outer(stations(count), chord)
    rays = points[:, None, :] + steps[None, :, None] * dorsal
    values = _sample(mask, rays)
    edges = np.array([_edge(row, GAP_PX) for row in values])
    edges[edges > REACH * length] = np.nan
    return edges / length
