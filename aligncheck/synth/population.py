"""A population of synthetic practitioners in varied rooms and shots, for honest evaluation.

Rules tuned on renders of one body in one room do not carry over to other people and rooms.
This module samples *scenes* (a :class:`Person`, a :class:`~aligncheck.synth.room.Room` and a
:class:`Shot`) from a seed, so thresholds can be chosen on one sample of scenes and reported on
another, and renders them with exact ground truth (:func:`render_scene`).

Ranges sampled (uniform unless stated):

* person: height 1.50-1.95 m; build 0.8-1.3; each segment length (thigh, shank, upper arm,
  forearm, the three spine segments, neck, shoulder and hip widths) times 0.92-1.08 before the
  height is restored (see :class:`~aligncheck.synth.body.BodyShape`); skin tones from very
  light to very dark; nine hair colours; thin, cropped, a bun or a ponytail; clothing colours
  (black, white, grey, muted or bright), plain or with a waistband, stripes or contrasting
  sleeves; sleeveless to long sleeves; leggings to the ankle, 7/8, capri or knee-length.
* room: see :func:`~aligncheck.synth.room.sample_room` (walls, floor, mat, furniture, windows,
  pictures, a door, light from a window or a lamp, exposure 0.75-1.15, warm to cool tint).
* shot: camera height 0.3-1.8 m, horizontal distance 2-4 m from the pelvis, horizontal field
  of view 50-80 degrees, 960x720 (70 %), 1280x720 or 640x480 (15 % each), sensor noise sigma
  0-6 (0-255 scale), JPEG quality 60-95 (75 %) or none.

Pose variation, graded faults and head positions are in :mod:`aligncheck.synth.variation` and
re-exported here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np

from aligncheck.synth.body import PROPORTION_NAMES, BodyShape, Skeleton, pose_body
from aligncheck.synth.camera import Camera
from aligncheck.synth.colours import clothing, hsv, jitter, mix, ramp, shade
from aligncheck.synth.params import PoseParams
from aligncheck.synth.render import Render, framing_points, render_skeleton
from aligncheck.synth.room import Room, sample_room
from aligncheck.synth.scenery import draw_room
from aligncheck.synth.shapes import BGR, HAIR_STYLES, PATTERNS, Palette
from aligncheck.synth.variation import (
    CLEAR,
    MILD,
    MILD_BY_FAULT,
    fault_strength,
    head_variant,
    mild_strength,
    settle,
    vary_pose,
)

__all__ = [
    "CLEAR",
    "MILD",
    "MILD_BY_FAULT",
    "Person",
    "Room",
    "Scene",
    "Shot",
    "fault_strength",
    "head_variant",
    "mild_strength",
    "render_scene",
    "sample_person",
    "sample_room",
    "sample_scene",
    "sample_shot",
    "scene_camera",
    "vary_pose",
]

HEIGHT_RANGE = (1.50, 1.95)
BUILD_RANGE = (0.8, 1.3)
PROPORTION_SPREAD = 0.08
CAMERA_HEIGHT_RANGE = (0.3, 1.8)
DISTANCE_RANGE = (2.0, 4.0)
FOV_RANGE = (50.0, 80.0)
NOISE_RANGE = (0.0, 6.0)
JPEG_RANGE = (60, 95)
#: Image sizes (width, height) and how often each is drawn.
SIZES: tuple[tuple[tuple[int, int], float], ...] = (
    ((960, 720), 0.7),
    ((1280, 720), 0.15),
    ((640, 480), 0.15),
)
#: The body's framing box may span at most this share of the image (the rest is margin).
MAX_FILL = 0.9

#: Skin tones (BGR), very light to very dark; a person's tone lies anywhere along them.
SKIN_TONES: tuple[BGR, ...] = (
    (196, 214, 240),
    (160, 188, 228),
    (130, 165, 210),
    (100, 138, 190),
    (75, 110, 160),
    (55, 82, 125),
    (40, 58, 95),
    (30, 42, 68),
)
#: Hair colours (BGR) and their weights: black, dark brown, brown, light brown, auburn,
#: blonde, platinum, grey, white.
HAIR_COLOURS: tuple[tuple[BGR, float], ...] = (
    ((20, 20, 25), 0.25),
    ((28, 38, 55), 0.25),
    ((40, 62, 95), 0.15),
    ((70, 100, 140), 0.08),
    ((30, 50, 120), 0.07),
    ((110, 170, 210), 0.08),
    ((180, 215, 230), 0.02),
    ((140, 140, 145), 0.06),
    ((205, 205, 210), 0.04),
)
_IRISES: tuple[BGR, ...] = (
    (30, 40, 60),
    (40, 60, 90),
    (60, 100, 110),
    (140, 110, 70),
    (80, 120, 80),
)


@dataclass(frozen=True)
class Person:
    """One practitioner: body shape, colours and cut of clothes, and the seed drawn from."""

    body: BodyShape
    palette: Palette
    seed: int


@dataclass(frozen=True)
class Shot:
    """Camera and image processing.

    ``azimuth``: degrees around the body from its facing direction, positive towards the
    person's left (as ``render(view=...)``; for a "right" Janu Sirsasana pose, positive is the
    folded leg's side). ``camera_height``: metres above the floor; ``distance``: horizontal
    metres from the pelvis (the camera moves back if the body would not fit); ``fov``:
    horizontal field of view in degrees; ``width`` x ``height`` pixels; ``noise``: sensor noise
    sigma on the 0-255 scale; ``jpeg_quality``: 1-100, or 0 for no JPEG; ``seed`` for the noise.
    """

    azimuth: float
    camera_height: float = 1.0
    distance: float = 3.0
    fov: float = 65.0
    width: int = 960
    height: int = 720
    noise: float = 0.0
    jpeg_quality: int = 0
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0.05 <= self.camera_height <= 3.0:
            raise ValueError(f"camera_height must be 0.05-3 m, got {self.camera_height}")
        if not 0.5 <= self.distance <= 20.0:
            raise ValueError(f"distance must be 0.5-20 m, got {self.distance}")
        if not 10.0 <= self.fov <= 120.0:
            raise ValueError(f"fov must be 10-120 degrees, got {self.fov}")
        if self.noise < 0.0 or not 0 <= self.jpeg_quality <= 100:
            raise ValueError("noise must be >= 0 and jpeg_quality 0 (none) to 100")

    @property
    def fov_y(self) -> float:
        """Vertical field of view in degrees."""
        half = math.tan(math.radians(self.fov) / 2.0) * self.height / self.width
        return math.degrees(2.0 * math.atan(half))


@dataclass(frozen=True)
class Scene:
    """A person in a room, seen in a shot."""

    person: Person
    room: Room
    shot: Shot


# --- sampling ------------------------------------------------------------------------------


def _contrasting(rng: np.random.Generator, against: BGR) -> BGR:
    """A clothing colour clearly different from ``against`` (a few tries, then the best)."""
    best, best_gap = against, -1.0
    for _ in range(6):
        colour = clothing(rng)
        gap = float(np.abs(np.subtract(colour, against)).sum())
        if gap > 150:
            return colour
        if gap > best_gap:
            best, best_gap = colour, gap
    return best


def _palette(rng: np.random.Generator) -> Palette:
    skin = jitter(rng, ramp(SKIN_TONES, float(rng.uniform())), 6.0)
    colours, weights = zip(*HAIR_COLOURS, strict=True)
    hair = jitter(rng, colours[int(rng.choice(len(colours), p=weights))], 6.0)
    top = clothing(rng)
    if rng.random() < 0.55:  # black, navy or grey leggings
        leggings = hsv(rng.choice([0.0, 225.0]), rng.uniform(0, 0.5), rng.uniform(0.08, 0.45))
    else:
        leggings = clothing(rng)
    return Palette(
        skin=skin,
        top=top,
        leggings=leggings,
        hair=hair,
        lips=shade(mix(skin, (80, 70, 170), 0.35), 0.85),
        iris=_IRISES[int(rng.integers(len(_IRISES)))],
        brow=shade(hair, 0.75),
        accent=_contrasting(rng, top),
        pattern=str(rng.choice(PATTERNS, p=[0.5, 0.2, 0.15, 0.15])),
        sleeve=float(rng.choice([0.0, 0.3, 0.6, 1.0, 2.0], p=[0.2, 0.35, 0.15, 0.1, 0.2])),
        leggings_length=float(rng.choice([1.0, 0.85, 0.5, 0.0], p=[0.55, 0.2, 0.15, 0.1])),
        hair_style=str(rng.choice(HAIR_STYLES, p=[0.1, 0.4, 0.25, 0.25])),
    )


def sample_person(rng: np.random.Generator) -> Person:
    """A random practitioner (ranges in the module docstring)."""
    spread = PROPORTION_SPREAD
    body = BodyShape(
        height=float(rng.uniform(*HEIGHT_RANGE)),
        build=float(rng.uniform(*BUILD_RANGE)),
        proportions={n: float(rng.uniform(1 - spread, 1 + spread)) for n in PROPORTION_NAMES},
    )
    return Person(body, _palette(rng), int(rng.integers(2**31)))


def sample_shot(rng: np.random.Generator, azimuth: float) -> Shot:
    """A random camera and image processing for a view from ``azimuth`` degrees."""
    sizes, weights = zip(*SIZES, strict=True)
    width, height = sizes[int(rng.choice(len(sizes), p=weights))]
    quality = int(rng.integers(JPEG_RANGE[0], JPEG_RANGE[1] + 1)) if rng.random() < 0.75 else 0
    return Shot(
        azimuth=float(azimuth),
        camera_height=float(rng.uniform(*CAMERA_HEIGHT_RANGE)),
        distance=float(rng.uniform(*DISTANCE_RANGE)),
        fov=float(rng.uniform(*FOV_RANGE)),
        width=width,
        height=height,
        noise=float(rng.uniform(*NOISE_RANGE)),
        jpeg_quality=quality,
        seed=int(rng.integers(2**31)),
    )


def sample_scene(seed: int, azimuth: float) -> Scene:
    """The scene of ``seed`` seen from ``azimuth``: person, room and shot each come from their
    own stream of the seed, so one seed seen from two azimuths shows the same person in the
    same room, and a change to how rooms are drawn does not change the people."""
    person_rng, room_rng, shot_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)
    )
    return Scene(sample_person(person_rng), sample_room(room_rng), sample_shot(shot_rng, azimuth))


# --- rendering -----------------------------------------------------------------------------


def scene_camera(skeleton: Skeleton, shot: Shot) -> Camera:
    """The shot's camera: ``shot.distance`` metres from the pelvis (horizontally) at
    ``shot.azimuth`` and ``shot.camera_height``, aimed so the body's framing box is centred; if
    the box would span more than :data:`MAX_FILL` of the image, the camera moves back along the
    same horizontal line until it fits."""
    points = framing_points(skeleton)
    yaw = math.radians(shot.azimuth + skeleton.params.root_yaw)
    direction = np.array([math.cos(yaw), math.sin(yaw)])
    pelvis = skeleton.joints["pelvis"]
    target = (points.min(axis=0) + points.max(axis=0)) / 2.0
    distance = shot.distance
    camera = None
    for _ in range(12):
        xy = pelvis[:2] + direction * distance
        camera = Camera(
            (xy[0], xy[1], shot.camera_height),
            tuple(target),
            fov_y=shot.fov_y,
            width=shot.width,
            height=shot.height,
        )
        px = camera.project(points)
        low, high = px.min(axis=0), px.max(axis=0)
        size = np.array([shot.width, shot.height])
        ratio = float(np.max((high - low) / (MAX_FILL * size)))
        shift = (low + high) / 2.0 - camera.centre_px
        rot = camera.rotation
        depth = float(camera.depth(target))
        target = target + (shift[0] * rot[0] + shift[1] * rot[1]) * depth / camera.focal_px
        if ratio > 1.0:
            distance *= ratio
        elif np.abs(shift).max() < 0.5:
            break
    assert camera is not None
    return camera


def _lit(palette: Palette, gain: float) -> Palette:
    """The palette's body colours scaled by ``gain`` (a backlit body looks darker)."""
    if gain >= 1.0:
        return palette
    names = ("skin", "top", "leggings", "hair", "lips", "eye_white", "iris", "brow")
    changes = {n: shade(getattr(palette, n), gain) for n in names}
    return replace(palette, accent=shade(palette.second, gain), **changes)


def _develop(image: np.ndarray, room: Room, shot: Shot) -> np.ndarray:
    """Exposure and tint of the room's light, sensor noise, then the JPEG round trip."""
    gains = np.diag(np.array(room.tint) * room.brightness).astype(np.float32)
    if shot.noise > 0.0:
        rng = np.random.default_rng(shot.seed)
        out = rng.standard_normal(image.shape, dtype=np.float32)
        out *= np.float32(shot.noise)
        out += cv2.transform(image.astype(np.float32), gains)
        np.clip(out, 0.0, 255.0, out=out)
        result = cv2.convertScaleAbs(out)
    else:
        result = cv2.convertScaleAbs(cv2.transform(image.astype(np.float32), gains))
    if shot.jpeg_quality:
        ok, data = cv2.imencode(".jpg", result, [cv2.IMWRITE_JPEG_QUALITY, shot.jpeg_quality])
        if not ok:
            raise RuntimeError("OpenCV could not encode the render as JPEG")
        result = cv2.imdecode(data, cv2.IMREAD_COLOR)
    return result


def render_scene(params: PoseParams, scene: Scene) -> Render:
    """Render ``params`` on the scene's person, in its room, through its shot.

    The pose is first settled on the person's body (:func:`~aligncheck.synth.variation.settle`:
    limbs that rest on the floor for the reference body rest on it for this one too), so
    ``Render.params`` may differ from ``params`` by those few degrees; the ground truth
    (landmarks, angles, occlusion) is that of the rendered pose. Deterministic: the same
    arguments give identical pixels.
    """
    body = scene.person.body
    posed = settle(params, body, reference=params)
    skeleton = pose_body(posed, body)
    camera = scene_camera(skeleton, scene.shot)
    room = scene.room
    light = room.light_direction
    towards = np.subtract(camera.position, skeleton.joints["pelvis"])
    facing = float(light @ towards / np.linalg.norm(towards))
    palette = _lit(scene.person.palette, 1.0 - room.backlight * max(0.0, -facing))

    points = framing_points(skeleton)

    def backdrop(image: np.ndarray, cam: Camera) -> None:
        draw_room(image, cam, room, posed, body=points)

    shot = render_skeleton(skeleton, camera, palette, light=light, backdrop=backdrop)
    image = _develop(shot.image, room, scene.shot)
    image.setflags(write=False)
    return replace(shot, image=image)
