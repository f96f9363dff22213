"""Is the skeleton a human body? Plausibility checks on the pose model's landmarks.

MediaPipe sometimes returns a landmark set that no body can take (on a deep seated fold it has
put the hips on the lower back and traced the straight leg along the arms). Judging alignment
on such a skeleton gives nonsense, so the rule engine asks :func:`assess` first and, when the
answer is "unreliable", judges nothing and tells the practitioner why and what to change.

Every check uses only landmarks seen with at least the visibility threshold: the engine judges
nothing else, so a hidden limb that the model guessed badly does not matter. Lengths and
directions are in MediaPipe's 3D world coordinates (metres, camera axes, hips at the origin);
the torso is the 3D distance from mid-shoulder to mid-hip. The checks, each with its limit in
:class:`PlausibilityLimits`:

* ``limb_collapsed``: a thigh, shin, upper arm or forearm shorter than ``collapsed`` torsos.
* ``left_right_lengths``: the longer of a left/right limb pair is more than
  ``left_right_ratio`` times the shorter.
* ``twist``: the shoulder line and the hip line, seen along the spine, differ by more than
  ``twist_deg`` degrees: chest and pelvis face different ways, a left/right mix-up of one
  girdle (the spine and shoulder blades together turn the chest some 60 degrees at most).
* ``face_backwards``: the face's direction (ears to nose) against the chest's (from the
  left/right order of shoulders and hips and their depth), both taken across the trunk so that
  nodding and inversions do not matter: cosine below ``face_backwards`` means the body's left
  and right are swapped against the face (skipped when the head hangs along the trunk).
* ``image_vs_3d``: the image positions are not a projection of the 3D skeleton. A projection
  (scale, shift and a camera distance from :data:`_DISTANCES`) is fitted from the 3D joints to
  the image; fails when a joint lies more than ``image_residual`` torsos from it, or a limb is
  more than ``image_stretch`` times longer in the image than its 3D length can project to.
* ``proportions`` (video only, with a :class:`BodyHistory`): a limb's length over the torso is
  more than ``history_ratio`` times larger or smaller than this person's running median over
  the earlier reliable frames (once ``history_frames`` of them were seen).

Each limit lies beyond what right skeletons reach: it flags at most 0.5 % of the right
skeletons among synthetic renders (the tuning grid of :mod:`aligncheck.synth.skeletons`), no
real photo whose skeleton is right and no exact synthetic body from any view; where anatomy
bounds a value (twist, face) the limit also keeps a margin beyond that bound. The data and what
the checks catch are in ``docs/plausibility.md``: about one wrong skeleton in ten, because the
model's mistakes are mostly self-consistent bodies in the wrong place, which no geometric check
on the landmarks alone can see.

:func:`skeleton_stats` measures; :func:`judge` compares with the limits; :func:`assess` does
both. All are pure: the caller adds reliable frames to its :class:`BodyHistory`.
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from aligncheck.core import DEFAULT_VISIBILITY_THRESHOLD, PoseFrame
from aligncheck.landmarks import Landmark as L

#: Limb segments (person's left side; the right one is the mirror): name -> (from, to).
LIMBS: Mapping[str, tuple[L, L]] = MappingProxyType(
    {
        "thigh": (L.LEFT_HIP, L.LEFT_KNEE),
        "shin": (L.LEFT_KNEE, L.LEFT_ANKLE),
        "upper arm": (L.LEFT_SHOULDER, L.LEFT_ELBOW),
        "forearm": (L.LEFT_ELBOW, L.LEFT_WRIST),
    }
)
SIDES = ("left", "right")

#: What each check found, in a few words for a session summary.
CHECK_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "limb_collapsed": "a limb came out with almost no length",
        "left_right_lengths": "left and right limbs of very different lengths",
        "twist": "shoulders and hips facing opposite ways",
        "face_backwards": "face pointing backwards against the chest",
        "image_vs_3d": "the picture and the 3D body disagree",
        "proportions": "limb lengths unlike earlier in the session",
    }
)

_SEE_SIDE_ON = "about 30° in front of a pure side view"
_STEP_BACK = "Step back so your whole body is in the picture, with even light on you."


def _mirror(lm: L) -> L:
    return L[lm.name.replace("LEFT", "RIGHT")]


def _segments() -> dict[str, tuple[L, L]]:
    """'left thigh' -> (LEFT_HIP, LEFT_KNEE), 'right thigh' -> (RIGHT_HIP, RIGHT_KNEE), ..."""
    out = {}
    for limb, (a, b) in LIMBS.items():
        out[f"left {limb}"] = (a, b)
        out[f"right {limb}"] = (_mirror(a), _mirror(b))
    return out


SEGMENTS: Mapping[str, tuple[L, L]] = MappingProxyType(_segments())
_TORSO = (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP)
_FIT = tuple(sorted({lm for pair in SEGMENTS.values() for lm in pair}))


@dataclass(frozen=True)
class PlausibilityLimits:
    """Where a skeleton stops being a body (see the module docstring). Defaults chosen with
    ``benchmarks/plausibility_synth.py`` and ``benchmarks/plausibility_real.py``."""

    collapsed: float = 0.2
    left_right_ratio: float = 3.0
    twist_deg: float = 90.0
    face_backwards: float = -0.2
    image_residual: float = 0.4
    image_stretch: float = 1.8
    history_ratio: float = 3.0
    history_frames: int = 15


DEFAULT_LIMITS = PlausibilityLimits()


@dataclass(frozen=True)
class Plausibility:
    """Whether a skeleton can be trusted, and if not, why (``reason``, in plain words for the
    practitioner), what to change (``suggestion``, one concrete action) and which check failed
    (``check``, a key of :data:`CHECK_LABELS`)."""

    reliable: bool = True
    reason: str = ""
    suggestion: str = ""
    check: str = ""


RELIABLE = Plausibility()


@dataclass(frozen=True)
class SkeletonStats:
    """What the checks look at, for one pose. NaN where the landmarks needed are not visible.

    * ``torso``: 3D length mid-shoulder to mid-hip (MediaPipe world metres).
    * ``lengths``: each segment's 3D length over ``torso`` ('left thigh', ...).
    * ``left_right``: per limb ('thigh', ...), longer over shorter 3D length.
    * ``twist``: degrees between the shoulder and the hip lines seen along the spine.
    * ``face``: cosine between the face's direction and the chest's, across the trunk (NaN
      when the head hangs along the trunk or the face is not seen).
    * ``residual``: largest distance of an image joint from the projection fitted to the 3D
      skeleton, in torso lengths; inf when the image is a mirror image of the 3D.
    * ``stretch``: per segment, image length over the longest image length its 3D length can
      project to (at most about 1 for any real projection).
    * ``scale``: the fitted projection's pixels per world metre at the hips' depth.
    """

    torso: float
    lengths: Mapping[str, float]
    left_right: Mapping[str, float]
    twist: float
    face: float
    residual: float
    stretch: Mapping[str, float]
    scale: float


def _norm(v: np.ndarray) -> float:
    return float(np.linalg.norm(v))


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v)
    return v / n if n > 1e-9 else np.full_like(v, np.nan)


def _flat(v: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """``v`` without its component along the unit vector ``axis``."""
    return v - float(v @ axis) * axis


def _cos(u: np.ndarray, v: np.ndarray) -> float:
    return float(np.clip(_unit(u) @ _unit(v), -1.0, 1.0))


#: Camera distances tried when fitting the projection, in torso lengths from the hips (inf:
#: no perspective). A camera that frames a whole body is at least about three torsos away.
_DISTANCES = (2.0, 3.0, 4.0, 6.0, 10.0, math.inf)
#: Below this, the face points too nearly along the trunk (a head dropped in a deep fold) for
#: its forward or backward direction to mean anything.
_FACE_MIN_TRANSVERSE = 0.7


@dataclass(frozen=True)
class _Projection:
    """The projection fitted from world to image: pixels per metre at the hips, the relative
    magnification of each landmark, and the largest residual in pixels."""

    scale: float
    magnification: np.ndarray
    residual: float


def _fit_projection(
    xy: np.ndarray, xyz: np.ndarray, seen: np.ndarray, torso: float
) -> _Projection | None:
    """image ≈ scale · m_i · world_xy_i + shift, with m_i = d / (d + z_i) for the camera
    distance d (see :data:`_DISTANCES`) that fits the visible limb joints best (least squares).
    None with fewer than four visible joints."""
    points = [lm for lm in _FIT if seen[lm]]
    if len(points) < 4:
        return None
    best: tuple[float, _Projection] | None = None
    for distance in _DISTANCES:
        magnification = np.ones(len(xyz))
        if math.isfinite(distance):
            d = distance * torso
            depth = d + xyz[:, 2]
            if not (depth[points] > 0.2 * d).all():
                continue  # a joint would be behind (or at) the camera
            magnification = d / np.where(np.isfinite(depth), depth, d)
        p = xyz[points, :2] * magnification[points, None]
        p -= p.mean(axis=0)
        q = xy[points] - xy[points].mean(axis=0)
        denom = float((p * p).sum())
        if denom <= 1e-12:
            continue
        scale = float((p * q).sum()) / denom
        errors = np.linalg.norm(q - scale * p, axis=1)
        cost = float((errors**2).sum())
        if best is None or cost < best[0]:
            best = (cost, _Projection(scale, magnification, float(errors.max())))
    return None if best is None else best[1]


def _left_right(raw: Mapping[str, float]) -> dict[str, float]:
    """Per limb, longer over shorter length (NaN unless both are measured)."""
    out = {}
    for limb in LIMBS:
        left, right = raw[f"left {limb}"], raw[f"right {limb}"]
        if math.isnan(left) or math.isnan(right):
            out[limb] = math.nan
        else:
            shorter, longer = min(left, right), max(left, right)
            out[limb] = longer / shorter if shorter > 1e-9 else math.inf
    return out


def _twist_and_face(xyz: np.ndarray, seen: np.ndarray) -> tuple[float, float]:
    """Degrees between the shoulder and hip lines seen along the spine; cosine between the
    face's direction (ears to nose) and the chest's, both across the trunk (NaN when the face
    points along the trunk or is not seen)."""
    shoulders = (xyz[L.LEFT_SHOULDER] + xyz[L.RIGHT_SHOULDER]) / 2
    hips = (xyz[L.LEFT_HIP] + xyz[L.RIGHT_HIP]) / 2
    up = _unit(shoulders - hips)
    shoulder_line = xyz[L.LEFT_SHOULDER] - xyz[L.RIGHT_SHOULDER]
    hip_line = xyz[L.LEFT_HIP] - xyz[L.RIGHT_HIP]
    twist = math.degrees(math.acos(_cos(_flat(shoulder_line, up), _flat(hip_line, up))))
    face = math.nan
    ears = [lm for lm in (L.LEFT_EAR, L.RIGHT_EAR) if seen[lm]]
    if seen[L.NOSE] and ears:
        chest = np.cross(shoulder_line + hip_line, up)  # the way the front of the body faces
        across = _flat(_unit(xyz[L.NOSE] - xyz[ears].mean(axis=0)), up)
        if _norm(across) >= _FACE_MIN_TRANSVERSE:
            face = _cos(across, chest)
    return twist, face


def skeleton_stats(
    pose: PoseFrame, threshold: float = DEFAULT_VISIBILITY_THRESHOLD
) -> SkeletonStats:
    """Measure the quantities the plausibility checks use (see :class:`SkeletonStats`)."""
    xy, xyz = pose.image_xy, pose.world_xyz
    seen = (pose.visibility >= threshold) & np.isfinite(xyz).all(axis=1)
    seen &= np.isfinite(xy).all(axis=1) & pose.detected
    nan = math.nan
    torso = nan
    if seen[list(_TORSO)].all():
        shoulders = (xyz[L.LEFT_SHOULDER] + xyz[L.RIGHT_SHOULDER]) / 2
        hips = (xyz[L.LEFT_HIP] + xyz[L.RIGHT_HIP]) / 2
        torso = _norm(shoulders - hips) if _norm(shoulders - hips) > 1e-6 else nan
    raw = {
        name: _norm(xyz[a] - xyz[b]) if seen[a] and seen[b] else nan
        for name, (a, b) in SEGMENTS.items()
    }
    twist, face = _twist_and_face(xyz, seen) if math.isfinite(torso) else (nan, nan)
    residual, scale = nan, nan
    stretch = dict.fromkeys(SEGMENTS, nan)
    fit = _fit_projection(xy, xyz, seen, torso) if math.isfinite(torso) else None
    if fit is not None:
        scale = fit.scale
        residual = fit.residual / (scale * torso) if scale > 0 else math.inf
        if scale > 0:
            for name, (a, b) in SEGMENTS.items():
                if raw[name] > 1e-6:
                    most = scale * raw[name] * max(fit.magnification[a], fit.magnification[b])
                    stretch[name] = _norm(xy[a] - xy[b]) / most
    return SkeletonStats(
        torso=torso,
        lengths=MappingProxyType({name: value / torso for name, value in raw.items()}),
        left_right=MappingProxyType(_left_right(raw)),
        twist=twist,
        face=face,
        residual=residual,
        stretch=MappingProxyType(stretch),
        scale=scale,
    )


class BodyHistory:
    """This person's limb proportions in a video: running medians of each segment's length
    over the torso, from the last ``window`` reliable frames in which it was visible."""

    def __init__(self, window: int = 300) -> None:
        self._values: dict[str, deque[float]] = {name: deque(maxlen=window) for name in SEGMENTS}

    def add(self, stats: SkeletonStats) -> None:
        """Take a reliable frame's lengths into the running estimate."""
        for name, value in stats.lengths.items():
            if math.isfinite(value):
                self._values[name].append(value)

    def expected(self, segment: str, min_frames: int = 1) -> float:
        """The median length of ``segment`` over the torso; NaN with fewer than ``min_frames``
        frames seen."""
        values = self._values[segment]
        return statistics.median(values) if len(values) >= max(1, min_frames) else math.nan

    def __len__(self) -> int:
        return max((len(v) for v in self._values.values()), default=0)


# -- checks -----------------------------------------------------------------------------------
def _unreliable(check: str, reason: str, suggestion: str) -> Plausibility:
    return Plausibility(False, reason, suggestion, check)


def _worst(values: Mapping[str, float], high: bool = True) -> tuple[str, float]:
    finite = {k: v for k, v in values.items() if not math.isnan(v)}
    if not finite:
        return "", math.nan
    key = (max if high else min)(finite, key=finite.__getitem__)
    return key, finite[key]


def _check_collapsed(stats: SkeletonStats, limits: PlausibilityLimits) -> Plausibility | None:
    name, value = _worst(stats.lengths, high=False)
    if not value < limits.collapsed:
        return None
    return _unreliable(
        "limb_collapsed",
        f"The camera's skeleton gives your {name} almost no length ({value:.0%} of your "
        "torso), so it is not reading your body correctly.",
        f"Turn yourself or the camera so it sees your {name} from the side, not end-on: "
        f"{_SEE_SIDE_ON}.",
    )


def _check_left_right(stats: SkeletonStats, limits: PlausibilityLimits) -> Plausibility | None:
    limb, ratio = _worst(stats.left_right)
    if not ratio > limits.left_right_ratio:
        return None
    times = "many" if math.isinf(ratio) else f"{ratio:.1f}"
    return _unreliable(
        "left_right_lengths",
        f"Your two {limb}s came out {times} times different in length, so the camera has "
        "mixed up parts of your body.",
        f"Move the camera so it sees both {limb}s, {_SEE_SIDE_ON}.",
    )


def _check_twist(stats: SkeletonStats, limits: PlausibilityLimits) -> Plausibility | None:
    if not stats.twist > limits.twist_deg:
        return None
    return _unreliable(
        "twist",
        f"Your shoulders and hips came out facing opposite ways ({stats.twist:.0f}° apart), "
        "which a body cannot do: left and right were probably mixed up.",
        f"Turn so the camera sees both shoulders and both hips, {_SEE_SIDE_ON}.",
    )


def _check_face(stats: SkeletonStats, limits: PlausibilityLimits) -> Plausibility | None:
    if not stats.face < limits.face_backwards:
        return None
    return _unreliable(
        "face_backwards",
        "Your face came out pointing backwards against your chest: left and right were "
        "probably mixed up.",
        f"Turn a little towards the camera so it sees your face and chest, {_SEE_SIDE_ON}.",
    )


def _check_image(stats: SkeletonStats, limits: PlausibilityLimits) -> Plausibility | None:
    name, stretch = _worst(stats.stretch)
    if stats.residual > limits.image_residual:
        detail = "the joints in the picture do not fit the 3D body"
    elif stretch > limits.image_stretch:
        detail = f"your {name} looks {stretch:.1f} times too long in the picture"
    else:
        return None
    return _unreliable(
        "image_vs_3d",
        f"The picture and the camera's 3D reading of your body disagree ({detail}).",
        _STEP_BACK,
    )


def _check_history(
    stats: SkeletonStats, history: BodyHistory, limits: PlausibilityLimits
) -> Plausibility | None:
    worst_name, worst_ratio = "", 1.0
    for name, value in stats.lengths.items():
        expected = history.expected(name, limits.history_frames)
        if not (math.isfinite(value) and expected > 0 and value > 0):
            continue
        ratio = value / expected
        if max(ratio, 1 / ratio) > max(worst_ratio, 1 / worst_ratio):
            worst_name, worst_ratio = name, ratio
    if not max(worst_ratio, 1 / worst_ratio) > limits.history_ratio:
        return None
    how = (
        f"{worst_ratio:.1f} times as long"
        if worst_ratio > 1
        else f"{1 / worst_ratio:.1f} times shorter"
    )
    return _unreliable(
        "proportions",
        f"Your {worst_name} came out {how} as earlier in this session, so the camera is not "
        "reading your body correctly.",
        "Keep your whole body in the picture and hold still a moment so the camera finds "
        "you again.",
    )


_CHECKS = (_check_collapsed, _check_left_right, _check_twist, _check_face, _check_image)


def findings(
    stats: SkeletonStats,
    history: BodyHistory | None = None,
    limits: PlausibilityLimits = DEFAULT_LIMITS,
) -> tuple[Plausibility, ...]:
    """Every check that fails on ``stats``, most specific first (empty when all pass)."""
    found = [check(stats, limits) for check in _CHECKS]
    if history is not None:
        found.append(_check_history(stats, history, limits))
    return tuple(f for f in found if f is not None)


def judge(
    stats: SkeletonStats,
    history: BodyHistory | None = None,
    limits: PlausibilityLimits = DEFAULT_LIMITS,
) -> Plausibility:
    """Compare ``stats`` with ``limits`` (and with ``history``, if given); the first check
    that fails gives the answer."""
    failed = findings(stats, history, limits)
    return failed[0] if failed else RELIABLE


def assess(
    pose: PoseFrame,
    history: BodyHistory | None = None,
    limits: PlausibilityLimits = DEFAULT_LIMITS,
    threshold: float = DEFAULT_VISIBILITY_THRESHOLD,
) -> Plausibility:
    """Whether ``pose`` can be a human body (see the module docstring). A frame with nobody in
    it is reliable: there is nothing to misread."""
    if not pose.detected:
        return RELIABLE
    return judge(skeleton_stats(pose, threshold), history, limits)
