"""Rooms for the synthetic practitioner: walls, floor, mat, furniture, wall features, light.

A :class:`Room` is a box around the practitioner, given in its own frame: ``u`` along its
width, ``v`` along its depth (both horizontal, metres) and z up, centred at ``centre`` on the
world floor and turned by ``yaw`` degrees about the vertical. Walls are numbered 0..3 (the
``+u``, ``+v``, ``-u`` and ``-v`` walls). Furniture stands with its back against a wall; windows,
pictures and doors hang on a wall. :func:`sample_room` draws a random room;
:func:`aligncheck.synth.scenery.draw_room` paints one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from aligncheck.synth.colours import clothing, hsv, shade
from aligncheck.synth.shapes import BGR

FLOOR_PATTERNS = ("plain", "planks", "tiles")
FURNITURE_KINDS = ("sofa", "shelf", "plant", "cabinet", "table")
FEATURE_KINDS = ("window", "picture", "door")


@dataclass(frozen=True)
class Furniture:
    """A piece of furniture with its back against wall ``wall`` (0..3).

    ``along``: centre position along the wall, -1..1 of the usable half-length; ``size``:
    (width along the wall, depth, height) in metres; ``colour`` the body, ``accent`` the
    cushions, books, top or leaves.
    """

    kind: str
    wall: int
    along: float
    size: tuple[float, float, float]
    colour: BGR
    accent: BGR

    def __post_init__(self) -> None:
        if self.kind not in FURNITURE_KINDS:
            raise ValueError(f"unknown furniture {self.kind!r}; choose from {FURNITURE_KINDS}")
        if self.wall not in range(4):
            raise ValueError(f"wall must be 0..3, got {self.wall}")


@dataclass(frozen=True)
class WallFeature:
    """A window, picture or door on wall ``wall`` (0..3): centre ``along`` (-1..1), ``width``
    and ``height`` in metres, lower edge ``bottom`` metres above the floor, ``colour`` (glass,
    canvas or door leaf) inside a ``frame``; a window with ``curtains`` has curtains of that
    colour beside it."""

    kind: str
    wall: int
    along: float
    width: float
    height: float
    bottom: float
    colour: BGR
    frame: BGR
    curtains: BGR | None = None

    def __post_init__(self) -> None:
        if self.kind not in FEATURE_KINDS:
            raise ValueError(f"unknown wall feature {self.kind!r}; choose from {FEATURE_KINDS}")
        if self.wall not in range(4):
            raise ValueError(f"wall must be 0..3, got {self.wall}")


@dataclass(frozen=True)
class Room:
    """Walls, floor and mat colours, the room's box, furniture, wall features and light.

    ``size``: (width along u, depth along v) in metres; ``centre``: the room's centre on the
    world floor (x, y); ``yaw``: rotation of its u axis from world x, degrees; ``height``:
    ceiling height. ``light``: world direction (3,) towards the main light (window or lamp);
    ``brightness``: exposure gain of the whole picture; ``tint``: (B, G, R) gains (warm light
    has more red). ``backlight``: how much darker (0..1) the body is when the light is straight
    behind it as seen from the camera (a camera that exposes for a bright window).
    """

    wall: BGR = (214, 222, 228)
    floor: BGR = (120, 158, 192)
    mat: BGR = (150, 98, 112)
    floor_pattern: str = "plain"
    floor_lines: BGR = (100, 135, 170)
    skirting: BGR = (235, 238, 240)
    size: tuple[float, float] = (7.0, 7.0)
    centre: tuple[float, float] = (0.35, 0.0)
    yaw: float = 0.0
    height: float = 2.6
    furniture: tuple[Furniture, ...] = ()
    features: tuple[WallFeature, ...] = ()
    light: tuple[float, float, float] = (0.3, 0.4, 0.87)
    brightness: float = 1.0
    tint: tuple[float, float, float] = (1.0, 1.0, 1.0)
    backlight: float = 0.3

    def __post_init__(self) -> None:
        if self.floor_pattern not in FLOOR_PATTERNS:
            raise ValueError(
                f"unknown floor pattern {self.floor_pattern!r}; choose from {FLOOR_PATTERNS}"
            )
        if min(self.size) < 2.0 or self.height < 2.0:
            raise ValueError(f"a room must be at least 2 x 2 x 2 m, got {self.size}, {self.height}")
        if not 0.0 <= self.backlight <= 1.0:
            raise ValueError(f"backlight must be between 0 and 1, got {self.backlight}")

    @property
    def light_direction(self) -> np.ndarray:
        """Unit vector (3,) towards the main light, world axes."""
        light = np.array(self.light, dtype=float)
        return light / np.linalg.norm(light)


# --- sampling ------------------------------------------------------------------------------

#: The mat's middle on the world floor for a body at the origin facing +x.
_MAT_MIDDLE = np.array([0.365, 0.0])
#: (width, depth, height) ranges in metres per kind of furniture.
_SIZES = {
    "sofa": ((1.5, 2.3), (0.8, 0.95), (0.75, 0.9)),
    "shelf": ((0.6, 1.2), (0.28, 0.4), (1.2, 2.0)),
    "plant": ((0.3, 0.45), (0.3, 0.45), (0.7, 1.5)),
    "cabinet": ((0.8, 1.6), (0.4, 0.5), (0.6, 0.95)),
    "table": ((0.7, 1.3), (0.5, 0.8), (0.45, 0.75)),
}


def _wood(rng: np.random.Generator) -> BGR:
    return hsv(rng.uniform(18, 38), rng.uniform(0.35, 0.7), rng.uniform(0.3, 0.8))


def _floor_colours(rng: np.random.Generator) -> tuple[BGR, str]:
    kind = rng.choice(["wood", "stone", "carpet"], p=[0.55, 0.2, 0.25])
    if kind == "wood":
        return _wood(rng), "planks"
    if kind == "stone":
        return hsv(rng.uniform(0, 360), rng.uniform(0, 0.1), rng.uniform(0.35, 0.85)), str(
            rng.choice(["tiles", "plain"])
        )
    return hsv(rng.uniform(0, 360), rng.uniform(0.1, 0.5), rng.uniform(0.25, 0.7)), "plain"


def _item(rng: np.random.Generator, kind: str, wall: int, along: float) -> Furniture:
    w, d, h = (rng.uniform(*r) for r in _SIZES[kind])
    if kind == "plant":
        pot = rng.choice([0, 1, 2])
        colour = (
            hsv(rng.uniform(10, 25), 0.6, 0.6) if pot == 0 else hsv(0, 0, rng.uniform(0.3, 0.95))
        )
        accent = hsv(rng.uniform(85, 140), rng.uniform(0.4, 0.8), rng.uniform(0.25, 0.6))
    elif kind == "sofa":
        colour = clothing(rng)
        accent = shade(colour, rng.uniform(0.7, 1.3)) if rng.random() < 0.5 else clothing(rng)
    else:
        colour = _wood(rng) if rng.random() < 0.6 else hsv(0, 0, rng.choice([0.15, 0.9]))
        accent = clothing(rng) if kind == "shelf" else _wood(rng)
    return Furniture(kind, wall, along, (w, d, h), colour, accent)


def _feature_sample(rng: np.random.Generator, kind: str, wall: int, along: float) -> WallFeature:
    if kind == "window":
        glass = hsv(rng.uniform(190, 220), rng.uniform(0.02, 0.2), rng.uniform(0.9, 1.0))
        frame = hsv(0, 0, 0.95) if rng.random() < 0.6 else _wood(rng)
        curtains = clothing(rng) if rng.random() < 0.5 else None
        size = (rng.uniform(0.8, 1.8), rng.uniform(1.0, 1.6), rng.uniform(0.6, 1.0))
        return WallFeature(kind, wall, along, *size, glass, frame, curtains)
    if kind == "picture":
        size = (rng.uniform(0.4, 1.0), rng.uniform(0.3, 0.8), rng.uniform(1.2, 1.5))
        return WallFeature(kind, wall, along, *size, clothing(rng), clothing(rng))
    return WallFeature(kind, wall, along, 0.85, 2.05, 0.0, _wood(rng), shade(_wood(rng), 0.8))


def _place(
    rng: np.random.Generator,
    size: tuple[float, float],
    width: float,
    taken: list[tuple[int, float, float]],
) -> tuple[int, float] | None:
    """A free (wall, along) for something ``width`` metres wide, or None after ten tries."""
    for _ in range(10):
        wall = int(rng.integers(4))
        half = (size[1] if wall in (0, 2) else size[0]) / 2.0
        room = half - width / 2.0 - 0.1
        if room <= 0:
            continue
        along = float(rng.uniform(-1.0, 1.0))
        middle = along * room
        if all(w != wall or abs(middle - m) > (width + o) / 2 + 0.1 for w, m, o in taken):
            taken.append((wall, middle, width))
            return wall, along
    return None


def sample_room(rng: np.random.Generator) -> Room:
    """A random room: wall, floor and mat colours, floor pattern, size and placement, 0-4
    pieces of furniture (each kind at most once, plants up to twice), 0-2 windows, 0-2
    pictures, maybe a door, and the light (through a window, or a lamp).

    Ranges: room 3.6-8 m by 3.6-8 m, 2.4-3 m high, its walls square to the mat (within a few
    degrees) in 70 % of rooms, the mat's middle at least 1.4 m from every wall; exposure
    0.75-1.15; tint from cool to warm (red and blue gains 0.93-1.07); backlight 0.15-0.45.
    """
    wall = (
        hsv(rng.uniform(0, 360), rng.uniform(0, 0.25), rng.uniform(0.72, 0.96))
        if rng.random() < 0.75
        else hsv(rng.uniform(0, 360), rng.uniform(0.2, 0.55), rng.uniform(0.35, 0.8))
    )
    floor, pattern = _floor_colours(rng)
    size = (float(rng.uniform(3.6, 8.0)), float(rng.uniform(3.6, 8.0)))
    straight = rng.random() < 0.7
    yaw = float(90.0 * rng.integers(4) + rng.normal(0, 6) if straight else rng.uniform(0, 360))
    offset = np.array(
        [rng.uniform(-1, 1) * (size[0] / 2 - 1.4), rng.uniform(-1, 1) * (size[1] / 2 - 1.4)]
    )
    rot = np.array(
        [
            [math.cos(math.radians(yaw)), -math.sin(math.radians(yaw))],
            [math.sin(math.radians(yaw)), math.cos(math.radians(yaw))],
        ]
    )
    centre = _MAT_MIDDLE - rot @ offset
    taken: list[tuple[int, float, float]] = []
    furniture = []
    count = int(rng.choice(5, p=[0.1, 0.25, 0.3, 0.25, 0.1]))
    for kind in rng.choice((*FURNITURE_KINDS, "plant"), size=count, replace=False):
        width = _SIZES[str(kind)][0][1]
        spot = _place(rng, size, width, taken)
        if spot is not None:
            furniture.append(_item(rng, str(kind), *spot))
    features = []
    counts = {
        "window": rng.choice(3, p=[0.25, 0.5, 0.25]),
        "picture": rng.choice(3, p=[0.4, 0.4, 0.2]),
        "door": rng.choice(2, p=[0.6, 0.4]),
    }
    for kind, count in counts.items():
        for _ in range(int(count)):
            spot = _place(rng, size, 1.9 if kind == "window" else 1.0, taken)
            if spot is not None:
                features.append(_feature_sample(rng, kind, *spot))
    windows = [f for f in features if f.kind == "window"]
    if windows and rng.random() < 0.75:  # daylight through a window
        w = windows[int(rng.integers(len(windows)))]
        frame_normal = np.array([[-1.0, 0.0], [0.0, -1.0], [1.0, 0.0], [0.0, 1.0]])[w.wall]
        towards = -(rot @ frame_normal)  # from the room towards that wall
        elevation = math.radians(rng.uniform(15, 45))
        light = (*(towards * math.cos(elevation)), math.sin(elevation))
    else:  # a lamp or a ceiling light
        azimuth, elevation = math.radians(rng.uniform(0, 360)), math.radians(rng.uniform(35, 85))
        light = (
            math.cos(azimuth) * math.cos(elevation),
            math.sin(azimuth) * math.cos(elevation),
            math.sin(elevation),
        )
    warmth = rng.uniform(-1.0, 1.0)
    return Room(
        wall=wall,
        floor=floor,
        mat=hsv(rng.uniform(0, 360), rng.uniform(0.15, 0.85), rng.uniform(0.15, 0.8)),
        floor_pattern=pattern,
        floor_lines=shade(floor, rng.uniform(0.72, 0.88)),
        skirting=hsv(0, 0, 0.93) if rng.random() < 0.6 else shade(wall, 0.8),
        size=size,
        centre=(float(centre[0]), float(centre[1])),
        yaw=yaw,
        height=float(rng.uniform(2.4, 3.0)),
        furniture=tuple(furniture),
        features=tuple(features),
        light=tuple(float(v) for v in light),
        brightness=float(rng.uniform(0.75, 1.15)),
        tint=(1.0 - 0.07 * warmth, 1.0, 1.0 + 0.07 * warmth),
        backlight=float(rng.uniform(0.15, 0.45)),
    )
