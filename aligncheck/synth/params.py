"""Joint-angle parameters of the synthetic practitioner, with mirroring and interpolation.

A :class:`PoseParams` is a frozen set of named angles in **degrees** (and a root position in
metres). All fields default to 0, and the all-zero pose is the anatomical reference: standing
upright, facing +x of the world (z up), arms hanging at the sides with the palms facing the
thighs, legs straight, feet flat with the soles perpendicular to the shins.

Body-local axes (at every joint, before its own rotation): x forward (anterior), y to the
person's left, z up along the spine. Sign conventions, all in degrees:

* ``pelvis_tilt``: anterior tilt of the pelvis in the world; positive moves the top of the pelvis
  (and the whole trunk above it) forward. ``pelvis_list``: positive tilts the trunk to the
  person's left. ``root_yaw``: heading, positive turns the body to its left (counter-clockwise
  seen from above).
* spine segments ``lumbar_*``, ``thoracic_*``, ``upper_*`` (upper thoracic / cervical base),
  ``neck_*``: ``flexion`` positive bends forward, ``lateral`` positive bends to the person's
  left, ``twist`` / ``turn`` positive rotates to the person's left. ``head_flexion`` nods the head
  forward on the neck.
* ``*_hip_flexion`` positive swings the thigh forward (90 = sitting), ``*_hip_abduction``
  positive swings it out to its own side, ``*_hip_rotation`` positive is external (outward)
  rotation about the thigh's long axis. Applied in that order (flexion, abduction, rotation).
* ``*_knee_flexion``: 0 straight, 90 at a right angle (inner knee angle = 180 - flexion).
* ``*_ankle_dorsiflexion``: positive pulls the toes towards the shin; ``*_ankle_inversion``:
  positive turns the sole inwards (towards the other leg).
* ``*_shoulder_flexion`` positive raises the arm forward (180 = overhead), ``*_shoulder_abduction``
  raises it out to its own side, ``*_shoulder_rotation`` positive is external rotation.
* ``*_elbow_flexion``: 0 straight, positive bends the forearm forward.
* ``*_wrist_extension``: positive bends the hand towards the back of the hand (with the arm
  hanging palm-in, that is outwards; combine with internal shoulder rotation for palms down).
* ``root_x``, ``root_y``: position of the pelvis centre (midpoint of the hip joints) on the floor
  plane in metres. ``elevation``: gap in metres between the lowest body surface and the floor
  (0 = resting on it); the body is always placed so this holds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Literal

Easing = Literal["linear", "smoothstep", "cosine"]


@dataclass(frozen=True)
class PoseParams:
    """Named joint angles (degrees) and root placement (metres); see the module docstring."""

    root_x: float = 0.0
    root_y: float = 0.0
    root_yaw: float = 0.0
    elevation: float = 0.0
    pelvis_tilt: float = 0.0
    pelvis_list: float = 0.0
    lumbar_flexion: float = 0.0
    lumbar_lateral: float = 0.0
    lumbar_twist: float = 0.0
    thoracic_flexion: float = 0.0
    thoracic_lateral: float = 0.0
    thoracic_twist: float = 0.0
    upper_flexion: float = 0.0
    upper_lateral: float = 0.0
    upper_twist: float = 0.0
    neck_flexion: float = 0.0
    neck_lateral: float = 0.0
    neck_turn: float = 0.0
    head_flexion: float = 0.0
    left_hip_flexion: float = 0.0
    left_hip_abduction: float = 0.0
    left_hip_rotation: float = 0.0
    left_knee_flexion: float = 0.0
    left_ankle_dorsiflexion: float = 0.0
    left_ankle_inversion: float = 0.0
    left_shoulder_flexion: float = 0.0
    left_shoulder_abduction: float = 0.0
    left_shoulder_rotation: float = 0.0
    left_elbow_flexion: float = 0.0
    left_wrist_extension: float = 0.0
    right_hip_flexion: float = 0.0
    right_hip_abduction: float = 0.0
    right_hip_rotation: float = 0.0
    right_knee_flexion: float = 0.0
    right_ankle_dorsiflexion: float = 0.0
    right_ankle_inversion: float = 0.0
    right_shoulder_flexion: float = 0.0
    right_shoulder_abduction: float = 0.0
    right_shoulder_rotation: float = 0.0
    right_elbow_flexion: float = 0.0
    right_wrist_extension: float = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"PoseParams.{f.name} must be a number, got {value!r}")
            if not math.isfinite(value):
                raise ValueError(f"PoseParams.{f.name} must be finite, got {value!r}")
            object.__setattr__(self, f.name, float(value))

    def with_(self, **changes: float) -> PoseParams:
        """A copy with some fields changed (unknown names raise ``TypeError``)."""
        return replace(self, **changes)

    def as_dict(self) -> dict[str, float]:
        """All fields as a plain ``{name: value}`` dict."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


PARAM_NAMES: tuple[str, ...] = tuple(f.name for f in fields(PoseParams))

#: Fields whose sign flips when the pose is mirrored left to right (besides the left/right swap).
_NEGATED_ON_MIRROR = frozenset(
    name
    for name in PARAM_NAMES
    if name in ("root_y", "root_yaw", "pelvis_list", "neck_turn")
    or name.endswith(("_lateral", "_twist"))
)


def mirror_params(params: PoseParams) -> PoseParams:
    """The same pose reflected through the body's sagittal plane (world y -> -y).

    Left and right fields swap; sideways and turning fields change sign. With ``root_y`` and
    ``root_yaw`` zero, the mirrored body's points are the original's with y negated and left and
    right landmarks swapped.
    """
    values = params.as_dict()
    out: dict[str, float] = {}
    for name, value in values.items():
        if name.startswith("left_"):
            out[name] = values["right_" + name[5:]]
        elif name.startswith("right_"):
            out[name] = values["left_" + name[6:]]
        elif name in _NEGATED_ON_MIRROR:
            out[name] = -value
        else:
            out[name] = value
    return PoseParams(**out)


def ease(t: float, easing: Easing = "smoothstep") -> float:
    """Map progress ``t`` in [0, 1] (clamped) through an easing curve with ease(0)=0, ease(1)=1."""
    t = min(1.0, max(0.0, float(t)))
    if easing == "linear":
        return t
    if easing == "smoothstep":
        return t * t * (3.0 - 2.0 * t)
    if easing == "cosine":
        return 0.5 - 0.5 * math.cos(math.pi * t)
    raise ValueError(f"unknown easing {easing!r}; use 'linear', 'smoothstep' or 'cosine'")


def interpolate(
    start: PoseParams, end: PoseParams, t: float, easing: Easing = "smoothstep"
) -> PoseParams:
    """The pose a fraction ``t`` (0..1) of the way from ``start`` to ``end``, each field eased."""
    w = ease(t, easing)
    a, b = start.as_dict(), end.as_dict()
    return PoseParams(**{name: a[name] + (b[name] - a[name]) * w for name in PARAM_NAMES})
