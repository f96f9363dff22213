"""The body's surface as ellipsoids, with clothing colours: what the renderer draws.

Every drawable piece is the convex hull of two ellipsoids (a tapered capsule for limbs, a
flattened tube for the torso), in world metres. An ellipsoid is a centre (3,) and a matrix
``axes`` (3, 3) whose columns are its three semi-axes, so its surface is
``centre + axes @ u`` for unit vectors ``u``. Colours are BGR tuples of ints in 0..255. The
head, hair and face are in :mod:`aligncheck.synth.head`.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from aligncheck.synth.body import Skeleton

BGR = tuple[int, int, int]


#: Clothing patterns: ``plain``; ``waistband`` (the top of the leggings in the accent colour);
#: ``stripes`` (bands of the accent colour around the top); ``sleeves`` (sleeves in the accent
#: colour).
PATTERNS = ("plain", "waistband", "stripes", "sleeves")
#: Hair styles: ``short`` (a thin fringe of hair around the back of the head: the original
#: look, nearly bald seen from behind), ``cropped`` (short hair covering the crown and the back
#: of the head), ``bun`` and ``ponytail`` (cropped, plus a bun at the back of the head or a
#: ponytail hanging from it).
HAIR_STYLES = ("short", "cropped", "bun", "ponytail")


@dataclass(frozen=True)
class Palette:
    """Colours (BGR) of skin, clothes, hair and the room, and the cut of the clothes.

    ``accent`` is the second colour of the clothing ``pattern`` (see :data:`PATTERNS`; it
    defaults to a darker shade of the top). ``sleeve`` is the sleeve length: 0 sleeveless, 1 to
    the elbow, 2 to the wrist (a fraction of the upper arm, then 1 plus a fraction of the
    forearm). ``leggings_length`` is the part of the shin the leggings cover: 1 to the ankle,
    0 to the knee (shorts). ``hair_style`` is one of :data:`HAIR_STYLES`. The defaults are the
    original practitioner.
    """

    skin: BGR = (135, 168, 214)
    top: BGR = (75, 85, 205)
    leggings: BGR = (62, 48, 44)
    hair: BGR = (32, 42, 62)
    lips: BGR = (90, 90, 170)
    eye_white: BGR = (235, 240, 240)
    iris: BGR = (50, 40, 30)
    brow: BGR = (40, 50, 70)
    wall: BGR = (214, 222, 228)
    floor: BGR = (120, 158, 192)
    mat: BGR = (150, 98, 112)
    accent: BGR | None = None
    pattern: str = "plain"
    sleeve: float = 0.3
    leggings_length: float = 1.0
    hair_style: str = "short"

    def __post_init__(self) -> None:
        if self.pattern not in PATTERNS:
            raise ValueError(f"unknown pattern {self.pattern!r}; choose from {', '.join(PATTERNS)}")
        if self.hair_style not in HAIR_STYLES:
            raise ValueError(
                f"unknown hair style {self.hair_style!r}; choose from {', '.join(HAIR_STYLES)}"
            )
        if not 0.0 <= self.sleeve <= 2.0:
            raise ValueError(f"sleeve must be between 0 and 2, got {self.sleeve}")
        if not 0.0 <= self.leggings_length <= 1.0:
            raise ValueError(f"leggings_length must be between 0 and 1, got {self.leggings_length}")

    @property
    def second(self) -> BGR:
        """The pattern's second colour: ``accent``, or a darker shade of the top."""
        if self.accent is not None:
            return self.accent
        return tuple(int(c * 0.6) for c in self.top)  # type: ignore[return-value]


@dataclass(frozen=True, eq=False)
class Ellipsoid:
    """Ellipsoid ``centre + axes @ u`` (|u| = 1): centre (3,), axes (3, 3), metres."""

    centre: np.ndarray
    axes: np.ndarray

    def shifted(self, offset: np.ndarray, scale: float = 1.0) -> Ellipsoid:
        """A copy moved by ``offset`` (3,) and shrunk by ``scale`` about its centre."""
        return Ellipsoid(self.centre + offset, self.axes * scale)

    def lowest(self) -> float:
        """World z (m) of its lowest surface point."""
        return float(self.centre[2] - np.linalg.norm(self.axes[2]))

    def towards(self, other: Ellipsoid, t: float) -> Ellipsoid:
        """The ellipsoid a fraction ``t`` of the way to ``other`` (centre and axes blended)."""
        return Ellipsoid(
            self.centre + (other.centre - self.centre) * t, self.axes + (other.axes - self.axes) * t
        )


@dataclass(frozen=True, eq=False)
class Piece:
    """One painted piece: the hull of ``first`` and ``second`` in one ``colour``.

    ``part`` names the body part (``"torso"``, ``"left_thigh"``, ...) for occlusion tests.
    Pieces of one ``group`` (a limb, the torso) are painted together, shading layer by layer, so
    joints show no seams; ``overlay`` pieces (a sleeve) are painted after the rest of their group.
    ``depth_bias`` (m) is added to the group's painter's depth (positive = painted earlier).
    A ``solo`` piece (a band of a pattern) is painted whole, one after the other, after the
    rest of its tier, so its edges stay where its outline is.
    """

    part: str
    colour: BGR
    first: Ellipsoid
    second: Ellipsoid
    group: str = ""
    overlay: bool = False
    depth_bias: float = 0.0
    solo: bool = False


def sphere(centre: np.ndarray, radius: float) -> Ellipsoid:
    """A sphere as an :class:`Ellipsoid`."""
    return Ellipsoid(np.asarray(centre, dtype=float), np.eye(3) * radius)


def oriented(centre: np.ndarray, frame: np.ndarray, radii: np.ndarray) -> Ellipsoid:
    """An ellipsoid with semi-axes ``radii`` (3,) along the columns of ``frame`` (3, 3)."""
    return Ellipsoid(np.asarray(centre, dtype=float), frame * np.asarray(radii, dtype=float))


def _torso(sk: Skeleton, palette: Palette) -> list[Piece]:
    b, j, f = sk.body, sk.joints, sk.frames
    pelvis = oriented(
        j["pelvis"] + f["pelvis"] @ b.pelvis_offset, f["pelvis"], b.ellipsoid("pelvis")
    )
    waist = oriented(
        j["spine1"] + f["lumbar"] @ (np.array([0.065, 0.0, -0.02]) * b.scale),
        f["lumbar"],
        b.ellipsoid("waist"),
    )
    chest = oriented(
        j["spine2"] + f["thoracic"] @ (np.array([0.07, 0.0, 0.0]) * b.scale),
        f["thoracic"],
        b.ellipsoid("chest"),
    )
    shoulders = oriented(
        j["spine3"] + f["upper"] @ (np.array([0.035, 0.0, -0.045]) * b.scale),
        f["upper"],
        b.ellipsoid("shoulders"),
    )
    neck_top = sphere(j["skull_base"], b.radius("neck") * 0.9)
    hips = [Piece("torso", palette.leggings, pelvis, waist.shifted(np.zeros(3), 0.97), "torso")]
    if palette.pattern == "waistband":  # a band just below the waist's outline
        band = waist.shifted(-f["lumbar"][:, 2] * 0.04 * b.scale, 0.97)
        hips.append(
            Piece(
                "torso", palette.second, band, waist.shifted(np.zeros(3), 0.97), "torso", solo=True
            )
        )
    top = [
        Piece("torso", palette.top, waist, chest, "torso", overlay=True),
        Piece("torso", palette.top, chest, shoulders, "torso", overlay=True),
    ]
    if palette.pattern == "stripes":  # each band over the top, then the top again below it
        chain = (waist, chest, shoulders)
        for low, high in _STRIPES:
            for colour, t in ((palette.second, high), (palette.top, low)):
                top += [
                    Piece("torso", colour, a, e, "torso", overlay=True, solo=True)
                    for a, e in _up_to(chain, t)
                ]
    return [
        *hips,
        *top,
        Piece(
            "neck",
            palette.skin,
            sphere(j["spine3"], b.radius("neck")),
            neck_top,
            "neck",
            depth_bias=0.08,
        ),
    ]


#: Stripes on the top: (from, to) along the chain waist (0) -> chest (1) -> shoulders (2), top down.
_STRIPES = ((1.3, 1.6), (0.75, 1.0), (0.2, 0.45))


def _up_to(chain: tuple[Ellipsoid, ...], t: float) -> list[tuple[Ellipsoid, Ellipsoid]]:
    """Hull pairs covering the chain of ellipsoids from its start up to parameter ``t``."""
    pairs = [(chain[i], chain[i + 1]) for i in range(int(t))]
    if t > int(t):
        pairs.append((chain[int(t)], chain[int(t)].towards(chain[int(t) + 1], t - int(t))))
    return pairs


def _leg(sk: Skeleton, side: str, palette: Palette) -> list[Piece]:
    b, j, f = sk.body, sk.joints, sk.frames
    r = b.radius
    hip, knee, ankle = j[f"{side}_hip"], j[f"{side}_knee"], j[f"{side}_ankle"]
    heel, toe = j[f"{side}_heel"], j[f"{side}_foot_index"]
    calf = knee + (ankle - knee) * 0.3 - f[f"{side}_shin"][:, 0] * r("calf") * 0.25
    foot = f[f"{side}_foot"]
    up = foot[:, 2]
    ball = heel + (toe - heel) * 0.72
    instep = ankle + (ball - ankle) * 0.45
    heel_r = np.array([1.0, 1.0, 1.05]) * r("foot")
    ball_r = np.array([0.9, 1.45, 0.75]) * r("foot")
    leg, feet = f"{side}_leg", f"{side}_foot"
    shin = palette.leggings if palette.leggings_length >= 1.0 else palette.skin
    return [
        Piece(
            f"{side}_thigh", palette.leggings, sphere(hip, r("thigh")), sphere(knee, r("knee")), leg
        ),
        Piece(f"{side}_shin", shin, sphere(knee, r("knee")), sphere(calf, r("calf")), leg),
        Piece(
            f"{side}_shin",
            shin,
            sphere(calf, r("calf")),
            sphere(ankle, r("ankle")),
            leg,
        ),
        *_cropped_leggings(sk, side, palette, calf),
        Piece(
            f"{side}_foot",
            palette.skin,
            sphere(ankle, r("ankle") * 0.95),
            oriented(heel, foot, heel_r),
            feet,
        ),
        Piece(
            f"{side}_foot",
            palette.skin,
            oriented(heel, foot, heel_r),
            oriented(ball, foot, ball_r),
            feet,
        ),
        Piece(
            f"{side}_foot",
            palette.skin,
            sphere(instep, r("ankle") * 1.05),
            oriented(ball, foot, ball_r),
            feet,
        ),
        Piece(
            f"{side}_foot",
            palette.skin,
            oriented(ball, foot, ball_r),
            oriented(toe + up * r("toe") * 0.2, foot, np.array([0.8, 1.3, 0.7]) * r("toe")),
            feet,
        ),
    ]


def _cropped_leggings(sk: Skeleton, side: str, palette: Palette, calf: np.ndarray) -> list[Piece]:
    """Leggings over the top ``palette.leggings_length`` of the shin (none when 0 or 1)."""
    length = palette.leggings_length
    if length <= 0.0 or length >= 1.0:
        return []
    r, j = sk.body.radius, sk.joints
    knee, ankle = j[f"{side}_knee"], j[f"{side}_ankle"]
    stops = [(knee, r("knee")), (calf, r("calf"))]
    if length < 0.3:
        stops = [(knee, r("knee")), (knee + (calf - knee) * length / 0.3, r("calf"))]
    else:
        fraction = (length - 0.3) / 0.7
        stops.append(
            (calf + (ankle - calf) * fraction, r("calf") + (r("ankle") - r("calf")) * fraction)
        )
    return [
        Piece(
            f"{side}_shin",
            palette.leggings,
            sphere(a, ra * 1.06),
            sphere(b, rb * 1.06),
            f"{side}_leg",
            overlay=True,
        )
        for (a, ra), (b, rb) in pairwise(stops)
    ]


def _sleeve(sk: Skeleton, side: str, palette: Palette) -> list[Piece]:
    """The sleeve over the arm: ``palette.sleeve`` long (none when 0)."""
    r, j = sk.body.radius, sk.joints
    shoulder, elbow, wrist = j[f"{side}_shoulder"], j[f"{side}_elbow"], j[f"{side}_wrist"]
    colour = palette.second if palette.pattern == "sleeves" else palette.top
    length = palette.sleeve
    if length <= 0.0:
        return []
    upper = min(length, 1.0)
    end = shoulder + (elbow - shoulder) * upper
    end_r = (r("upper_arm") + (r("elbow") - r("upper_arm")) * max(0.0, upper - 0.3) / 0.7) * 1.08
    pieces = [
        Piece(
            f"{side}_upper_arm",
            colour,
            sphere(shoulder, r("upper_arm") * 1.12),
            sphere(end, end_r),
            f"{side}_arm",
            overlay=True,
        )
    ]
    if length > 1.0:
        cuff = elbow + (wrist - elbow) * (length - 1.0)
        cuff_r = (r("elbow") + (r("wrist") - r("elbow")) * (length - 1.0)) * 1.1
        pieces.append(
            Piece(
                f"{side}_forearm",
                colour,
                sphere(elbow, end_r),
                sphere(cuff, cuff_r),
                f"{side}_arm",
                overlay=True,
            )
        )
    return pieces


def _arm(sk: Skeleton, side: str, palette: Palette) -> list[Piece]:
    b, j, f = sk.body, sk.joints, sk.frames
    r = b.radius
    shoulder, elbow, wrist = j[f"{side}_shoulder"], j[f"{side}_elbow"], j[f"{side}_wrist"]
    hand = f[f"{side}_hand"]
    knuckles = (j[f"{side}_index"] + j[f"{side}_pinky"]) / 2.0
    palm = np.array([0.04, 0.014, 0.03]) * b.scale
    fingers = np.array([0.034, 0.011, 0.018]) * b.scale
    thumb = j[f"{side}_thumb"]
    thumb_tip = thumb + (thumb - wrist) * 0.45
    arm, grip = f"{side}_arm", f"{side}_hand"
    return [
        Piece(
            f"{side}_upper_arm",
            palette.skin,
            sphere(shoulder, r("upper_arm")),
            sphere(elbow, r("elbow")),
            arm,
        ),
        Piece(
            f"{side}_forearm",
            palette.skin,
            sphere(elbow, r("elbow")),
            sphere(wrist, r("wrist")),
            arm,
        ),
        *_sleeve(sk, side, palette),
        Piece(
            f"{side}_hand",
            palette.skin,
            oriented(wrist, hand, palm * [0.8, 0.9, 0.8]),
            oriented(knuckles, hand, palm),
            grip,
        ),
        Piece(
            f"{side}_hand",
            palette.skin,
            oriented(knuckles, hand, palm),
            oriented(j[f"{side}_fingertips"], hand, fingers),
            grip,
        ),
        Piece(
            f"{side}_hand",
            palette.skin,
            sphere(wrist + (thumb - wrist) * 0.4, 0.012 * b.scale),
            sphere(thumb_tip, 0.01 * b.scale),
            grip,
            overlay=True,
        ),
    ]


def body_pieces(skeleton: Skeleton, palette: Palette | None = None) -> list[Piece]:
    """All pieces of the body except the head (see :func:`head_parts`)."""
    palette = palette or Palette()
    pieces = _torso(skeleton, palette)
    for side in ("left", "right"):
        pieces += _leg(skeleton, side, palette) + _arm(skeleton, side, palette)
    return pieces
