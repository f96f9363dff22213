"""Pure angle and distance geometry on landmark coordinates.

Every function takes points as NumPy arrays whose **last axis** holds the coordinates, so the
same code works in 2D (image pixels, shape ``(..., 2)``) and 3D (world metres, ``(..., 3)``) and
broadcasts over leading axes (frames). Angles are in **degrees**. Any NaN coordinate in an input
gives NaN out; a degenerate segment (zero length) also gives NaN, never a made-up 0.

Conventions (see ``docs/geometry.md`` for pictures):

* **Joint angle** ``joint_angle(a, b, c)``: the inner angle at ``b`` between the rays b→a and
  b→c, in [0, 180]. A straight limb is 180; a fully folded one approaches 0. It is unsigned: it
  does not say which way the joint bends.
* **Up** is image up (``(0, -1)``) in 2D, because image y grows downward, and MediaPipe world
  up (``(0, -1, 0)``) in 3D, because MediaPipe's world y also points down. Pass ``up=`` to use
  another direction.
* **Inclination from vertical** ``inclination_from_vertical(a, b)``: angle between the segment
  a→b and up, in [0, 180]: 0 when b is straight above a, 90 when the segment is level, 180 when b
  is straight below a.
* **Elevation** ``elevation(a, b)``: signed angle of a→b above the horizontal plane (line in 2D),
  in [-90, 90]: positive when b is higher than a.
* **Angle between segments** ``angle_between(a1, a2, b1, b2)``: angle between the directions
  a1→a2 and b1→b2, in [0, 180]. For the two thighs (hip→knee each) it is the opening between
  the legs: 0 when parallel, 90 when at a right angle.
* **Twist** ``twist(a1, a2, b1, b2)``: signed rotation about up that turns the direction a1→a2
  into b1→b2, both projected onto the horizontal plane, in (-180, 180]. Positive is
  counter-clockwise seen from above in a right-handed frame (MediaPipe world: x right, y down,
  z away from the camera). 3D only. Used for a torso turned against the hips: the hip line to
  the shoulder line. Mirroring a pose left/right flips its sign.
* **Line offset** ``line_offset(a, b, p, toward, ref_a, ref_b)``: signed distance of ``p`` from
  the line a–b, positive on the side where ``toward`` is, divided by a body length. 2D only.
* **Back curve** ``back_curve(profile)``: how far the back's outline bulges, on average,
  beyond the straight line between its two ends, in chord (hips-to-shoulders) lengths; 0 for
  a straight back, positive for a rounded one, negative for a hollow one. Works on the back's
  profile (``PoseFrame.back_profile``), not on landmarks.
* **Body-relative distance** ``relative_distance(p, q, ref_a, ref_b)``: |p - q| divided by the
  length |ref_a - ref_b| of a body segment (thigh, torso), so it is unitless and holds at any
  distance from the camera.
* **Relative height** ``relative_height(p, q, ref_a, ref_b)``: how far ``p`` is above ``q``
  along up, divided by the reference length; positive when p is higher.

In 2D, angles are measured in the image plane and depend on the camera view (a knee bent
towards the camera looks straight from the front); 3D world angles do not depend on the view
but MediaPipe's depth is less precise than its image positions.
"""

from __future__ import annotations

import math

import numpy as np

ArrayLike = np.ndarray

_UP_2D = np.array([0.0, -1.0])
_UP_3D = np.array([0.0, -1.0, 0.0])


def _as_points(*points: ArrayLike) -> list[np.ndarray]:
    arrays = [np.asarray(p, dtype=float) for p in points]
    dims = {a.shape[-1] for a in arrays}
    if len(dims) != 1 or dims.pop() not in (2, 3):
        raise ValueError("points must all have 2 or all have 3 coordinates in the last axis")
    return arrays


def _up_for(vector: np.ndarray, up: ArrayLike | None) -> np.ndarray:
    if up is None:
        return _UP_2D if vector.shape[-1] == 2 else _UP_3D
    direction = np.asarray(up, dtype=float)
    if direction.shape != (vector.shape[-1],) or not np.linalg.norm(direction) > 0:
        raise ValueError(f"up must be a non-zero vector with {vector.shape[-1]} coordinates")
    return direction


def _scalar(value: np.ndarray) -> float | np.ndarray:
    return float(value) if np.ndim(value) == 0 else value


def vector_angle(u: ArrayLike, v: ArrayLike) -> float | np.ndarray:
    """Unsigned angle between vectors ``u`` and ``v`` in degrees, in [0, 180].

    Uses atan2(|u×v|, u·v), which stays accurate near 0 and 180. NaN if either vector is NaN
    or has zero length.
    """
    u, v = _as_points(u, v)
    if u.ndim == 1 and v.ndim == 1:
        return _vector_angle_1d(u.tolist(), v.tolist())
    dot = np.sum(u * v, axis=-1)
    if u.shape[-1] == 2:
        cross = np.abs(u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0])
    else:
        cross = np.linalg.norm(np.cross(u, v), axis=-1)
    with np.errstate(invalid="ignore"):
        angle = np.degrees(np.arctan2(cross, dot))
        degenerate = (np.linalg.norm(u, axis=-1) == 0) | (np.linalg.norm(v, axis=-1) == 0)
    return _scalar(np.where(degenerate, np.nan, angle))


def _vector_angle_1d(u: list[float], v: list[float]) -> float:
    """:func:`vector_angle` of two single vectors, in plain floats (the rule engine measures
    dozens of them per frame, where NumPy's per-call overhead dominates)."""
    dot = sum(a * b for a, b in zip(u, v, strict=True))
    if len(u) == 2:
        cross = abs(u[0] * v[1] - u[1] * v[0])
    else:
        cross = math.sqrt(
            (u[1] * v[2] - u[2] * v[1]) ** 2
            + (u[2] * v[0] - u[0] * v[2]) ** 2
            + (u[0] * v[1] - u[1] * v[0]) ** 2
        )
    if not (math.hypot(*u) > 0 and math.hypot(*v) > 0):  # zero length or NaN
        return math.nan
    return math.degrees(math.atan2(cross, dot))


def joint_angle(a: ArrayLike, b: ArrayLike, c: ArrayLike) -> float | np.ndarray:
    """Inner angle at ``b`` between b→a and b→c, degrees in [0, 180]; 180 = straight."""
    a, b, c = _as_points(a, b, c)
    return vector_angle(a - b, c - b)


def flexion(a: ArrayLike, b: ArrayLike, c: ArrayLike) -> float | np.ndarray:
    """How far the joint at ``b`` is bent from straight: ``180 - joint_angle``, in [0, 180]."""
    return 180.0 - joint_angle(a, b, c)


def angle_between(a1: ArrayLike, a2: ArrayLike, b1: ArrayLike, b2: ArrayLike) -> float | np.ndarray:
    """Angle between the directions a1→a2 and b1→b2, degrees in [0, 180]."""
    a1, a2, b1, b2 = _as_points(a1, a2, b1, b2)
    return vector_angle(a2 - a1, b2 - b1)


def inclination_from_vertical(
    a: ArrayLike, b: ArrayLike, up: ArrayLike | None = None
) -> float | np.ndarray:
    """Angle of the segment a→b from straight up, degrees in [0, 180] (0 = b above a)."""
    a, b = _as_points(a, b)
    segment = b - a
    return vector_angle(segment, np.broadcast_to(_up_for(segment, up), segment.shape))


def elevation(a: ArrayLike, b: ArrayLike, up: ArrayLike | None = None) -> float | np.ndarray:
    """Signed angle of a→b above the horizontal, degrees in [-90, 90] (positive = b higher)."""
    return 90.0 - inclination_from_vertical(a, b, up)


def twist(
    a1: ArrayLike, a2: ArrayLike, b1: ArrayLike, b2: ArrayLike, up: ArrayLike | None = None
) -> float | np.ndarray:
    """Signed angle about ``up`` from a1→a2 to b1→b2 (horizontal projections), degrees.

    3D points only. Positive when b is counter-clockwise from a seen from above (looking
    down ``-up``) in a right-handed frame. NaN if a projected direction has zero length.
    """
    a1, a2, b1, b2 = _as_points(a1, a2, b1, b2)
    if a1.shape[-1] != 3:
        raise ValueError("twist needs 3D points")
    axis = _up_for(a1, up)
    axis = axis / np.linalg.norm(axis)
    u = a2 - a1
    v = b2 - b1
    u = u - np.sum(u * axis, axis=-1, keepdims=True) * axis
    v = v - np.sum(v * axis, axis=-1, keepdims=True) * axis
    sine = np.sum(np.cross(u, v) * axis, axis=-1)
    cosine = np.sum(u * v, axis=-1)
    with np.errstate(invalid="ignore"):
        angle = np.degrees(np.arctan2(sine, cosine))
        degenerate = (np.linalg.norm(u, axis=-1) == 0) | (np.linalg.norm(v, axis=-1) == 0)
    return _scalar(np.where(degenerate, np.nan, angle))


def line_offset(
    a: ArrayLike, b: ArrayLike, p: ArrayLike, toward: ArrayLike, ref_a: ArrayLike, ref_b: ArrayLike
) -> float | np.ndarray:
    """Signed distance of ``p`` from the line through a and b, divided by |ref_a - ref_b|.

    2D only. Positive when ``p`` lies on the same side of the line as ``toward``, negative on
    the other side; NaN if ``toward`` lies on the line or a length is zero. Used, for example,
    for how far the ears drop below the hips-shoulders line towards the legs (a rounded back).
    """
    a, b, p, toward, ref_a, ref_b = _as_points(a, b, p, toward, ref_a, ref_b)
    if a.shape[-1] != 2:
        raise ValueError("line_offset needs 2D points")
    direction = b - a
    length = np.linalg.norm(direction, axis=-1)

    def cross(point: np.ndarray) -> np.ndarray:
        rel = point - a
        return direction[..., 0] * rel[..., 1] - direction[..., 1] * rel[..., 0]

    side = np.sign(cross(toward))
    ref = np.linalg.norm(ref_a - ref_b, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = cross(p) / length * side / ref
        bad = (length == 0) | (ref == 0) | (side == 0)
    return _scalar(np.where(bad, np.nan, value))


def back_curve(profile: ArrayLike) -> float:
    """How far the back's outline bulges, on average, beyond the straight line between its
    ends, in chord lengths.

    ``profile`` (K,), K >= 3: the distances from the hips-to-shoulders chord to the dorsal
    outline at K evenly spaced stations from the hips (first) to the shoulders (last), in
    chord lengths (:func:`aligncheck.estimate.silhouette.back_profile`). The value is the
    mean, over the middle stations, of how far each lies beyond the straight line joining the
    end stations: ``mean_k (d_k - (d_0 + s_k (d_last - d_0)))`` for ``0 < k < K-1``, with
    ``s_k = k / (K-1)``; that is, about the area between the outline and that line divided by
    the chord's length squared. 0 for a straight back whatever its slant against the chord,
    positive for a rounded back, negative for a hollow one; 0.75 h for a back arching by h
    (a parabola) over 9 stations; 0.084 for a circular arc turning by 50 degrees. A mean
    rather than the largest value, so that one station caught on an arm or a shoulder blade
    does not decide. NaN if any station is NaN.
    """
    d = np.asarray(profile, dtype=float)
    if d.ndim != 1 or d.size < 3:
        raise ValueError(f"a back profile needs shape (K,) with K >= 3, got {d.shape}")
    if not np.isfinite(d).all():
        return float("nan")
    s = np.linspace(0.0, 1.0, d.size)
    line = d[0] + s * (d[-1] - d[0])
    return float(np.mean((d - line)[1:-1]))


def distance(a: ArrayLike, b: ArrayLike) -> float | np.ndarray:
    """Euclidean distance between ``a`` and ``b`` in the input's units."""
    a, b = _as_points(a, b)
    return _scalar(np.linalg.norm(a - b, axis=-1))


def relative_distance(
    p: ArrayLike, q: ArrayLike, ref_a: ArrayLike, ref_b: ArrayLike
) -> float | np.ndarray:
    """|p - q| divided by the reference length |ref_a - ref_b| (unitless). NaN if it is 0."""
    p, q, ref_a, ref_b = _as_points(p, q, ref_a, ref_b)
    ref = np.asarray(distance(ref_a, ref_b), dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _scalar(np.where(ref > 0, np.asarray(distance(p, q)) / ref, np.nan))


def relative_height(
    p: ArrayLike, q: ArrayLike, ref_a: ArrayLike, ref_b: ArrayLike, up: ArrayLike | None = None
) -> float | np.ndarray:
    """Height of ``p`` above ``q`` along up, divided by |ref_a - ref_b|; positive = p higher."""
    p, q, ref_a, ref_b = _as_points(p, q, ref_a, ref_b)
    direction = _up_for(p, up)
    direction = direction / np.linalg.norm(direction)
    rise = np.sum((p - q) * direction, axis=-1)
    ref = np.asarray(distance(ref_a, ref_b), dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _scalar(np.where(ref > 0, rise / ref, np.nan))


def midpoint(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """Point halfway between ``a`` and ``b``."""
    a, b = _as_points(a, b)
    return (a + b) / 2.0
