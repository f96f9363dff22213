"""The synthetic practitioner's body: proportions and forward kinematics.

:func:`pose_body` turns :class:`~aligncheck.synth.params.PoseParams` into a :class:`Skeleton`:
the 33 MediaPipe landmarks in world metres plus the internal joints and segment frames that the
renderer needs. World axes: z up (the floor is z = 0), and at ``root_yaw = 0`` the body faces +x
with its left side towards +y. See :mod:`aligncheck.synth.params` for the angle conventions.

The body is a kinematic tree: pelvis (root) -> lumbar -> thoracic -> upper thoracic -> neck ->
head, with the shoulders hanging off the upper thoracic segment and the hips off the pelvis.
Every rotation is applied in the parent segment's frame, so flexion spread over the three spine
segments gives a rounded back while ``pelvis_tilt`` with a straight spine folds from the hips.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from aligncheck.landmarks import NUM_LANDMARKS, Landmark
from aligncheck.synth.params import PoseParams

#: Segment lengths and offsets in metres for a 1.70 m body (scaled linearly with height).
#: Offsets are (forward, left, up) in the parent segment's frame.
_LENGTHS_170: Mapping[str, float] = MappingProxyType(
    {
        "hip_half_width": 0.09,
        "lumbar": 0.15,
        "thoracic": 0.17,
        "upper": 0.14,
        "neck": 0.10,
        "shoulder_half_width": 0.175,
        "upper_arm": 0.30,
        "forearm": 0.25,
        "thigh": 0.43,
        "shank": 0.42,
    }
)
_OFFSETS_170: Mapping[str, tuple[float, float, float]] = MappingProxyType(
    {
        "spine_base": (-0.03, 0.0, 0.07),  # from the pelvis centre, pelvis frame
        "shoulder": (
            0.03,
            0.0,
            -0.04,
        ),  # from the cervical base (plus half shoulder width sideways)
        "neck_lean": (0.02, 0.0, 0.0),  # forward lean of the neck segment (added to its length)
        "head_centre": (0.025, 0.0, 0.045),  # from the skull base, head frame
        "heel": (-0.05, 0.0, -0.045),  # from the ankle, foot frame
        "foot_index": (0.165, 0.0, -0.045),
        "index": (0.02, -0.005, -0.085),  # from the wrist, forearm frame, left hand (y flips)
        "pinky": (-0.025, -0.005, -0.075),
        "thumb": (0.045, -0.015, -0.045),
        "fingertips": (0.0, -0.005, -0.175),
        "nose": (0.10, 0.0, -0.01),  # face points from the head centre, head frame (left side)
        "eye": (0.085, 0.032, 0.025),
        "eye_inner": (0.09, 0.018, 0.025),
        "eye_outer": (0.075, 0.048, 0.025),
        "ear": (0.0, 0.077, 0.0),
        "mouth": (0.085, 0.024, -0.05),
    }
)
#: Girths (radii in metres) for a 1.70 m body of build 1.0 (scaled with height and build).
_RADII_170: Mapping[str, float] = MappingProxyType(
    {
        "thigh": 0.085,
        "knee": 0.055,
        "calf": 0.058,
        "ankle": 0.038,
        "foot": 0.034,
        "toe": 0.024,
        "upper_arm": 0.048,
        "elbow": 0.038,
        "wrist": 0.028,
        "neck": 0.052,
    }
)
#: Torso and head ellipsoid radii (forward, left, up) in metres, 1.70 m, build 1.0.
_ELLIPSOIDS_170: Mapping[str, tuple[float, float, float]] = MappingProxyType(
    {
        "pelvis": (0.11, 0.165, 0.10),
        "waist": (0.095, 0.135, 0.06),
        "chest": (0.11, 0.155, 0.07),
        "shoulders": (0.08, 0.165, 0.05),
        "head": (0.10, 0.078, 0.11),
    }
)
#: The width proportions that widen each torso ellipsoid (averaged for the waist).
_WIDTH_OF: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "pelvis": ("hip_half_width",),
        "waist": ("hip_half_width", "shoulder_half_width"),
        "chest": ("shoulder_half_width",),
        "shoulders": ("shoulder_half_width",),
    }
)
#: Pelvis ellipsoid centre from the pelvis centre, pelvis frame (forward, left, up), metres.
_PELVIS_CENTRE_170 = (-0.03, 0.0, -0.02)


#: Segments whose lengths stack up to the standing height (feet, pelvis and head are fixed).
_STANDING_CHAIN = ("shank", "thigh", "lumbar", "thoracic", "upper", "neck")
#: Names accepted in :attr:`BodyShape.proportions`: every segment length.
PROPORTION_NAMES: tuple[str, ...] = tuple(_LENGTHS_170)
#: Allowed range of one proportion multiplier.
PROPORTION_RANGE = (0.7, 1.3)


@dataclass(frozen=True)
class BodyShape:
    """Body size: ``height`` in metres (standing, to the top of the head), ``build``, a girth
    multiplier (1.0 = average; 0.85 slim, 1.2 heavy), and ``proportions``, optional per-segment
    length multipliers by name (:data:`PROPORTION_NAMES`, e.g. ``{"thigh": 1.06}``).

    Proportions change the body's shape, not its height: the lengths of the standing chain
    (shank, thigh, the three spine segments and the neck) are renormalised by one common factor
    so that they add up to the same total as without multipliers, and that factor applies to
    every segment length. A thigh multiplier of 1.06 alone therefore gives a thigh about 4 %
    longer and every other segment about 2 % shorter. Without proportions (the default) every
    length is exactly the reference length times ``height / 1.70``.
    """

    height: float = 1.70
    build: float = 1.0
    proportions: Mapping[str, float] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if not 1.0 <= self.height <= 2.3:
            raise ValueError(f"height must be between 1.0 and 2.3 m, got {self.height}")
        if not 0.6 <= self.build <= 1.6:
            raise ValueError(f"build must be between 0.6 and 1.6, got {self.build}")
        low, high = PROPORTION_RANGE
        clean: dict[str, float] = {}
        for name, value in sorted(dict(self.proportions).items()):
            if name not in _LENGTHS_170:
                close = difflib.get_close_matches(str(name), PROPORTION_NAMES, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise ValueError(f"unknown proportion {name!r}{hint}")
            if not low <= float(value) <= high:
                raise ValueError(f"proportion {name} must be between {low} and {high}, got {value}")
            if float(value) != 1.0:
                clean[name] = float(value)
        object.__setattr__(self, "proportions", MappingProxyType(clean))

    @property
    def scale(self) -> float:
        """Length scale relative to the 1.70 m reference body."""
        return self.height / 1.70

    def _normaliser(self) -> float:
        chain = sum(_LENGTHS_170[n] for n in _STANDING_CHAIN)
        varied = sum(_LENGTHS_170[n] * self.proportions.get(n, 1.0) for n in _STANDING_CHAIN)
        return chain / varied

    def factor(self, name: str) -> float:
        """The length multiplier of segment ``name`` after renormalisation (1.0 by default)."""
        if not self.proportions:
            return 1.0
        return self.proportions.get(name, 1.0) * self._normaliser()

    def length(self, name: str) -> float:
        """A segment length in metres (e.g. ``"thigh"``)."""
        if not self.proportions:
            return _LENGTHS_170[name] * self.scale
        return _LENGTHS_170[name] * self.scale * self.factor(name)

    def offset(self, name: str) -> np.ndarray:
        """A fixed offset (3,) in metres in its parent frame (e.g. ``"heel"``)."""
        return np.array(_OFFSETS_170[name]) * self.scale

    def radius(self, name: str) -> float:
        """A limb radius in metres (e.g. ``"knee"``)."""
        return _RADII_170[name] * self.scale * self.build

    def ellipsoid(self, name: str) -> np.ndarray:
        """Torso/head ellipsoid radii (3,) in metres, (forward, left, up); the torso's width
        follows the hip and shoulder width proportions."""
        radii = np.array(_ELLIPSOIDS_170[name]) * self.scale
        if name != "head":
            radii[:2] *= self.build
        if self.proportions and name in _WIDTH_OF:
            radii[1] *= float(np.mean([self.factor(w) for w in _WIDTH_OF[name]]))
        return radii

    @property
    def pelvis_offset(self) -> np.ndarray:
        """Pelvis ellipsoid centre (3,) from the pelvis centre in the pelvis frame, metres."""
        return np.array(_PELVIS_CENTRE_170) * self.scale


@dataclass(frozen=True, eq=False)
class Skeleton:
    """The posed body in world metres (z up).

    ``landmarks``: (33, 3) in MediaPipe order. ``joints``: named internal points (3,) such as
    ``"pelvis"``, ``"spine1"``, ``"head"``, ``"left_fingertips"``. ``frames``: named segment
    orientations (3, 3) whose columns are the segment's forward, left and up axes in the world.
    """

    landmarks: np.ndarray
    joints: Mapping[str, np.ndarray]
    frames: Mapping[str, np.ndarray]
    params: PoseParams
    body: BodyShape


def _rx(deg: float) -> np.ndarray:
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def _ry(deg: float) -> np.ndarray:
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def _rz(deg: float) -> np.ndarray:
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def _side(offset: np.ndarray, sign: float) -> np.ndarray:
    """Mirror a left-side offset to the right side (sign -1) by flipping its y."""
    return offset * np.array([1.0, sign, 1.0])


class _Builder:
    """Accumulates joints and frames while walking the kinematic tree (internal helper)."""

    def __init__(self, params: PoseParams, body: BodyShape) -> None:
        self.p = params
        self.b = body
        self.joints: dict[str, np.ndarray] = {}
        self.frames: dict[str, np.ndarray] = {}

    def add(self, name: str, point: np.ndarray) -> np.ndarray:
        self.joints[name] = point
        return point

    def trunk(self) -> None:
        p, b = self.p, self.b
        pelvis_r = _rz(p.root_yaw) @ _ry(p.pelvis_tilt) @ _rx(-p.pelvis_list)
        self.frames["pelvis"] = pelvis_r
        pelvis = self.add("pelvis", np.array([p.root_x, p.root_y, 0.0]))
        base = self.add("spine0", pelvis + pelvis_r @ b.offset("spine_base"))
        rot = pelvis_r
        for i, seg in enumerate(("lumbar", "thoracic", "upper"), start=1):
            rot = rot @ _ry(getattr(p, f"{seg}_flexion")) @ _rx(-getattr(p, f"{seg}_lateral"))
            rot = rot @ _rz(getattr(p, f"{seg}_twist"))
            self.frames[seg] = rot
            base = self.add(f"spine{i}", base + rot @ np.array([0.0, 0.0, b.length(seg)]))
        neck_r = rot @ _ry(p.neck_flexion) @ _rx(-p.neck_lateral) @ _rz(p.neck_turn)
        self.frames["neck"] = neck_r
        neck_vec = b.offset("neck_lean") + np.array([0.0, 0.0, b.length("neck")])
        skull = self.add("skull_base", base + neck_r @ neck_vec)
        head_r = neck_r @ _ry(p.head_flexion)
        self.frames["head"] = head_r
        self.add("head", skull + head_r @ b.offset("head_centre"))
        for side, sign in (("left", 1.0), ("right", -1.0)):
            self.add(
                f"{side}_hip",
                pelvis + pelvis_r @ np.array([0.0, sign * b.length("hip_half_width"), 0.0]),
            )
            shoulder = b.offset("shoulder") + np.array(
                [0.0, sign * b.length("shoulder_half_width"), 0.0]
            )
            self.add(f"{side}_shoulder", base + rot @ shoulder)

    def leg(self, side: str, sign: float) -> None:
        p, b = self.p, self.b
        get = lambda name: getattr(p, f"{side}_{name}")  # noqa: E731
        hip_r = self.frames["pelvis"] @ _ry(-get("hip_flexion")) @ _rx(sign * get("hip_abduction"))
        hip_r = hip_r @ _rz(sign * get("hip_rotation"))
        self.frames[f"{side}_thigh"] = hip_r
        knee = self.add(
            f"{side}_knee", self.joints[f"{side}_hip"] + hip_r @ [0.0, 0.0, -b.length("thigh")]
        )
        shin_r = hip_r @ _ry(get("knee_flexion"))
        self.frames[f"{side}_shin"] = shin_r
        ankle = self.add(f"{side}_ankle", knee + shin_r @ [0.0, 0.0, -b.length("shank")])
        foot_r = shin_r @ _ry(-get("ankle_dorsiflexion")) @ _rx(-sign * get("ankle_inversion"))
        self.frames[f"{side}_foot"] = foot_r
        self.add(f"{side}_heel", ankle + foot_r @ b.offset("heel"))
        self.add(f"{side}_foot_index", ankle + foot_r @ b.offset("foot_index"))

    def arm(self, side: str, sign: float) -> None:
        p, b = self.p, self.b
        get = lambda name: getattr(p, f"{side}_{name}")  # noqa: E731
        arm_r = (
            self.frames["upper"]
            @ _ry(-get("shoulder_flexion"))
            @ _rx(sign * get("shoulder_abduction"))
        )
        arm_r = arm_r @ _rz(sign * get("shoulder_rotation"))
        self.frames[f"{side}_upper_arm"] = arm_r
        elbow = self.add(
            f"{side}_elbow",
            self.joints[f"{side}_shoulder"] + arm_r @ [0.0, 0.0, -b.length("upper_arm")],
        )
        fore_r = arm_r @ _ry(-get("elbow_flexion"))
        self.frames[f"{side}_forearm"] = fore_r
        wrist = self.add(f"{side}_wrist", elbow + fore_r @ [0.0, 0.0, -b.length("forearm")])
        hand_r = fore_r @ _rx(sign * get("wrist_extension"))
        self.frames[f"{side}_hand"] = hand_r
        for point in ("index", "pinky", "thumb", "fingertips"):
            self.add(f"{side}_{point}", wrist + hand_r @ _side(b.offset(point), sign))

    def face(self) -> None:
        head, head_r = self.joints["head"], self.frames["head"]
        self.add("nose", head + head_r @ self.b.offset("nose"))
        for side, sign in (("left", 1.0), ("right", -1.0)):
            for point in ("eye", "eye_inner", "eye_outer", "ear", "mouth"):
                self.add(f"{side}_{point}", head + head_r @ _side(self.b.offset(point), sign))


#: Internal joint name for each landmark (same name except the mouth corners).
_LANDMARK_JOINT: Mapping[Landmark, str] = MappingProxyType(
    {
        lm: (
            f"{lm.name.split('_')[1].lower()}_mouth"
            if lm.name.startswith("MOUTH")
            else lm.name.lower()
        )
        for lm in Landmark
    }
)


def _lowest_surface(builder: _Builder) -> float:
    """Lowest z (m) of the body's surface, from the pelvis ellipsoid and limb/hand spheres."""
    b, j = builder.b, builder.joints
    pelvis_r = builder.frames["pelvis"]
    centre = j["pelvis"] + pelvis_r @ b.pelvis_offset
    radii = b.ellipsoid("pelvis")
    lows = [centre[2] - float(np.sqrt(np.sum((pelvis_r[2] * radii) ** 2)))]
    r = b.radius
    spheres = {
        "hip": r("thigh"),
        "knee": r("knee"),
        "ankle": r("ankle"),
        "heel": r("foot"),
        "foot_index": r("toe"),
        "elbow": r("elbow"),
        "wrist": r("wrist"),
        "fingertips": r("wrist") * 0.6,
        "shoulder": r("upper_arm"),
    }
    for side in ("left", "right"):
        for name, radius in spheres.items():
            lows.append(j[f"{side}_{name}"][2] - radius)
    lows.append(j["head"][2] - float(b.ellipsoid("head")[2]))
    return min(lows)


def pose_body(params: PoseParams, body: BodyShape | None = None) -> Skeleton:
    """Forward kinematics: the posed body, resting ``params.elevation`` metres above the floor."""
    body = body or BodyShape()
    builder = _Builder(params, body)
    builder.trunk()
    for side, sign in (("left", 1.0), ("right", -1.0)):
        builder.leg(side, sign)
        builder.arm(side, sign)
    builder.face()
    lift = np.array([0.0, 0.0, params.elevation - _lowest_surface(builder)])
    joints = {name: point + lift for name, point in builder.joints.items()}
    landmarks = np.array([joints[_LANDMARK_JOINT[lm]] for lm in Landmark])
    assert landmarks.shape == (NUM_LANDMARKS, 3)
    for array in (landmarks, *joints.values(), *builder.frames.values()):
        array.setflags(write=False)
    return Skeleton(
        landmarks=landmarks,
        joints=MappingProxyType(joints),
        frames=MappingProxyType(dict(builder.frames)),
        params=params,
        body=body,
    )
