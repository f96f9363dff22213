"""Paint a :class:`~aligncheck.synth.room.Room` behind the synthetic practitioner.

:func:`draw_room` paints the ceiling colour, the walls with their skirting, windows, pictures
and doors, the floor and its pattern, the mat, and the furniture (far to near), all flat-shaded
by the room's light. The body is painted over it afterwards.

The room is a backdrop: a camera outside it moves that wall out behind the camera, and a piece
of furniture the camera stands in or next to is left out, so nothing of the room ever hides the
body.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from aligncheck.synth.camera import Camera
from aligncheck.synth.colours import shade
from aligncheck.synth.params import PoseParams
from aligncheck.synth.render import fill_world_polygon
from aligncheck.synth.room import Furniture, Room, WallFeature
from aligncheck.synth.shapes import BGR

_SHIFT = 4
_CAMERA_CLEARANCE = 0.3  # metres kept between the camera and a wall or a piece of furniture


# --- geometry ------------------------------------------------------------------------------


class _Frame:
    """The room's frame with its walls moved out past the camera where needed."""

    def __init__(self, room: Room, camera: Camera) -> None:
        yaw = math.radians(room.yaw)
        self.rot = np.array([[math.cos(yaw), -math.sin(yaw)], [math.sin(yaw), math.cos(yaw)]])
        self.centre = np.array(room.centre, dtype=float)
        eye = self.rot.T @ (np.array(camera.position[:2]) - self.centre)
        half = np.array(room.size) / 2.0
        self.high = np.maximum(half, eye + _CAMERA_CLEARANCE)
        self.low = np.minimum(-half, eye - _CAMERA_CLEARANCE)
        self.eye = eye
        self.height = room.height

    def world(self, u: float, v: float, z: float) -> np.ndarray:
        x, y = self.centre + self.rot @ np.array([u, v])
        return np.array([x, y, z])

    def wall_axes(self, wall: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(origin at the wall's middle, unit tangent, unit inward normal) in room (u, v)."""
        mid_u, mid_v = (self.low + self.high) / 2.0
        if wall == 0:
            return np.array([self.high[0], mid_v]), np.array([0.0, 1.0]), np.array([-1.0, 0.0])
        if wall == 1:
            return np.array([mid_u, self.high[1]]), np.array([-1.0, 0.0]), np.array([0.0, -1.0])
        if wall == 2:
            return np.array([self.low[0], mid_v]), np.array([0.0, -1.0]), np.array([1.0, 0.0])
        return np.array([mid_u, self.low[1]]), np.array([1.0, 0.0]), np.array([0.0, 1.0])

    def half_length(self, wall: int) -> float:
        return float((self.high - self.low)[1 if wall in (0, 2) else 0] / 2.0)

    def normal_world(self, wall: int) -> np.ndarray:
        n = self.rot @ self.wall_axes(wall)[2]
        return np.array([n[0], n[1], 0.0])

    def on_wall(self, wall: int, along: float, offset: float, z: float) -> np.ndarray:
        """World point ``along`` metres from the wall's middle, ``offset`` in front of it."""
        origin, tangent, normal = self.wall_axes(wall)
        u, v = origin + tangent * along + normal * offset
        return self.world(u, v, z)


def _lambert(colour: BGR, normal: np.ndarray, light: np.ndarray, ambient: float = 0.72) -> BGR:
    factor = ambient + (1.0 - ambient) * 1.25 * max(0.0, float(normal @ light))
    return tuple(int(min(255, round(c * factor))) for c in colour)  # type: ignore[return-value]


def _segments(
    image: np.ndarray, starts: np.ndarray, ends: np.ndarray, colour: BGR, camera: Camera
) -> None:
    """Draw world segments ``starts[i]``-``ends[i]`` (N, 3), clipped to the near plane."""
    a, b = camera.to_camera(starts), camera.to_camera(ends)
    near = 0.05
    keep = (a[:, 2] >= near) | (b[:, 2] >= near)
    a, b = a[keep], b[keep]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = ((near - a[:, 2]) / (b[:, 2] - a[:, 2]))[:, None]
    a = np.where(a[:, 2:] < near, a + (b - a) * t, a)
    b = np.where(
        b[:, 2:] < near, b + (a - b) * ((near - b[:, 2]) / (a[:, 2] - b[:, 2]))[:, None], b
    )
    px = np.clip(camera.project_camera(np.stack([a, b], axis=1)), -1e5, 1e5)
    lines = list(np.round(px * (1 << _SHIFT)).astype(np.int32))
    if lines:
        cv2.polylines(image, lines, False, colour, 1, cv2.LINE_AA, _SHIFT)


# --- painting ------------------------------------------------------------------------------


def _walls(image: np.ndarray, frame: _Frame, room: Room, camera: Camera, light: np.ndarray) -> None:
    for wall in range(4):
        origin, _, normal = frame.wall_axes(wall)
        if (frame.eye - origin) @ normal <= 0.0:  # the camera stands outside: not seen
            continue
        half = frame.half_length(wall)
        n = frame.normal_world(wall)
        corners = [frame.on_wall(wall, a, 0.0, z) for a, z in ((-half, 0), (half, 0))]
        top = [frame.on_wall(wall, a, 0.0, frame.height) for a in (half, -half)]
        fill_world_polygon(image, np.array(corners + top), _lambert(room.wall, n, light), camera)
        skirt = [frame.on_wall(wall, a, 0.01, z) for a, z in ((-half, 0), (half, 0))]
        skirt += [frame.on_wall(wall, a, 0.01, 0.08) for a in (half, -half)]
        fill_world_polygon(image, np.array(skirt), _lambert(room.skirting, n, light), camera)
        for feature in room.features:
            if feature.wall == wall:
                _feature(image, frame, feature, camera, n, light)


def _rect(
    frame: _Frame, wall: int, centre: float, width: float, low: float, high: float, offset: float
) -> np.ndarray:
    return np.array(
        [
            frame.on_wall(wall, centre - width / 2, offset, low),
            frame.on_wall(wall, centre + width / 2, offset, low),
            frame.on_wall(wall, centre + width / 2, offset, high),
            frame.on_wall(wall, centre - width / 2, offset, high),
        ]
    )


def _feature(
    image: np.ndarray,
    frame: _Frame,
    f: WallFeature,
    camera: Camera,
    normal: np.ndarray,
    light: np.ndarray,
) -> None:
    room_half = frame.half_length(f.wall) - f.width / 2 - 0.1
    c = f.along * max(room_half, 0.0)
    top = f.bottom + f.height
    border = 0.05 if f.kind == "window" else 0.035
    if f.curtains is not None:
        for side in (-1.0, 1.0):
            x = c + side * (f.width / 2 + 0.12)
            curtain = _rect(frame, f.wall, x, 0.3, max(0.0, f.bottom - 0.3), top + 0.15, 0.03)
            fill_world_polygon(image, curtain, _lambert(f.curtains, normal, light), camera)
    outer = _rect(frame, f.wall, c, f.width + 2 * border, f.bottom - border, top + border, 0.01)
    fill_world_polygon(image, outer, _lambert(f.frame, normal, light), camera)
    inner = _rect(frame, f.wall, c, f.width, f.bottom, top, 0.015)
    glass = f.colour if f.kind == "window" else _lambert(f.colour, normal, light)
    fill_world_polygon(image, inner, glass, camera)
    if f.kind == "window":  # glazing bars
        bar = _lambert(f.frame, normal, light)
        fill_world_polygon(image, _rect(frame, f.wall, c, 0.035, f.bottom, top, 0.02), bar, camera)
        middle = f.bottom + f.height * 0.55
        cross = _rect(frame, f.wall, c, f.width, middle - 0.017, middle + 0.017, 0.02)
        fill_world_polygon(image, cross, bar, camera)
    elif f.kind == "picture":
        art = _rect(
            frame,
            f.wall,
            c - f.width * 0.1,
            f.width * 0.45,
            f.bottom + f.height * 0.2,
            f.bottom + f.height * 0.7,
            0.02,
        )
        fill_world_polygon(image, art, _lambert(f.frame, normal, light, 0.9), camera)


def _floor(image: np.ndarray, frame: _Frame, room: Room, camera: Camera) -> None:
    corners = [
        frame.world(u, v, 0.0)
        for u, v in (
            (frame.low[0], frame.low[1]),
            (frame.high[0], frame.low[1]),
            (frame.high[0], frame.high[1]),
            (frame.low[0], frame.high[1]),
        )
    ]
    fill_world_polygon(image, np.array(corners), room.floor, camera)
    if room.floor_pattern == "plain":
        return
    step = 0.16 if room.floor_pattern == "planks" else 0.5
    for axis in (1,) if room.floor_pattern == "planks" else (0, 1):
        across = np.arange(math.ceil(frame.low[axis] / step) * step, frame.high[axis], step)
        ends = []
        for end in (frame.low[1 - axis], frame.high[1 - axis]):
            uv = np.zeros((len(across), 2))
            uv[:, axis], uv[:, 1 - axis] = across, end
            xy = frame.centre + uv @ frame.rot.T
            ends.append(np.column_stack([xy, np.full(len(across), 0.0005)]))
        _segments(image, ends[0], ends[1], room.floor_lines, camera)


def _mat(image: np.ndarray, params: PoseParams, room: Room, camera: Camera) -> None:
    yaw = math.radians(params.root_yaw)
    fwd = np.array([math.cos(yaw), math.sin(yaw), 0.0])
    left = np.array([-math.sin(yaw), math.cos(yaw), 0.0])
    origin = np.array([params.root_x, params.root_y, 0.001])
    mat = [
        origin + fwd * x + left * y
        for x, y in ((-0.55, -0.31), (1.28, -0.31), (1.28, 0.31), (-0.55, 0.31))
    ]
    fill_world_polygon(image, np.array(mat), room.mat, camera)


#: A box in wall coordinates: (along from, along to, out from the wall from, to, z from, to),
#: metres, and its colour.
_Box = tuple[tuple[float, float, float, float, float, float], BGR]


def _parts(item: Furniture) -> tuple[list[_Box], list[tuple[tuple[float, float, float], float]]]:
    """The boxes of a piece of furniture (wall coordinates, centred on its middle) and, for a
    plant, its leaves as spheres ((along, out, z), radius)."""
    w, d, h = item.size
    a = w / 2.0
    col, acc = item.colour, item.accent
    if item.kind == "sofa":
        arm = 0.18
        boxes = [
            ((-a, a, 0.0, d, 0.08, 0.42), col),
            ((-a, a, 0.0, 0.22, 0.42, h), col),
            ((-a, -a + arm, 0.0, d, 0.42, 0.62), col),
            ((a - arm, a, 0.0, d, 0.42, 0.62), col),
            ((-a + arm, a - arm, 0.22, d - 0.02, 0.42, 0.52), acc),
            ((-a + arm + 0.05, -0.03, 0.22, 0.34, 0.52, h - 0.08), acc),
            ((0.03, a - arm - 0.05, 0.22, 0.34, 0.52, h - 0.08), acc),
        ]
        return boxes, []
    if item.kind == "shelf":
        boxes = [((-a, a, 0.0, d, 0.0, h), col)]
        levels = max(2, int(h / 0.38))
        for k in range(levels):
            low = 0.06 + k * (h - 0.06) / levels
            high = low + (h - 0.06) / levels - 0.04
            boxes.append(((-a + 0.04, a - 0.04, d, d + 0.003, low, high), shade(col, 0.45)))
            for b in range(int((w - 0.1) / 0.09)):
                x = -a + 0.06 + b * 0.09
                top = high - 0.03 - 0.06 * ((b * 7 + k * 3) % 4) / 3.0
                tone = 0.55 + 0.15 * ((b * 5 + k) % 4)
                boxes.append(((x, x + 0.07, d + 0.003, d + 0.006, low, top), shade(acc, tone)))
        return boxes, []
    if item.kind == "plant":
        pot = min(w, d) / 2.0
        boxes = [((-pot, pot, 0.0, 2 * pot, 0.0, h * 0.35), col)]
        leaves = [
            ((0.0, pot, h * 0.35 + 0.3 * h * 0.5), 0.3 * h * 0.55),
            ((-0.12 * h, pot + 0.05, h * 0.62), 0.16 * h),
            ((0.13 * h, pot - 0.03, h * 0.7), 0.17 * h),
            ((0.0, pot + 0.08, h * 0.85), 0.15 * h),
        ]
        return boxes, leaves
    if item.kind == "cabinet":
        boxes = [
            ((-a, a, 0.0, d, 0.05, h), col),
            ((-a - 0.02, a + 0.02, 0.0, d + 0.02, h, h + 0.03), acc),
            ((-0.006, 0.006, d, d + 0.003, 0.1, h - 0.05), shade(col, 0.6)),
        ]
        return boxes, []
    legs = [
        ((x0, x0 + 0.05, y0, y0 + 0.05, 0.0, h - 0.04), col)
        for x0 in (-a + 0.03, a - 0.08)
        for y0 in (0.03, d - 0.08)
    ]
    return [*legs, ((-a, a, 0.0, d, h - 0.04, h), acc)], []


def _middle(frame: _Frame, item: Furniture) -> float:
    """Position (m) of the item's middle along its wall, from the wall's middle."""
    return item.along * max(frame.half_length(item.wall) - item.size[0] / 2.0 - 0.05, 0.0)


def _in_front_of_body(
    frame: _Frame, item: Furniture, camera: Camera, body: tuple[np.ndarray, float]
) -> bool:
    """Whether the item's bounding box comes nearer the camera than the far side of the body
    and overlaps the body's bounding box (x0, y0, x1, y1 pixels) in the image."""
    box, far = body
    w, d, h = item.size
    middle = _middle(frame, item)
    corners = np.array(
        [
            frame.on_wall(item.wall, middle + a, o, z)
            for a in (-w / 2, w / 2)
            for o in (0.0, d + 0.02)
            for z in (0.0, h)
        ]
    )
    depth = camera.depth(corners)
    if depth.min() >= far:
        return False
    if depth.min() <= 0.05:
        return True
    px = camera.project(corners)
    low, high = px.min(axis=0), px.max(axis=0)
    return bool(low[0] < box[2] and high[0] > box[0] and low[1] < box[3] and high[1] > box[1])


def _furniture(
    image: np.ndarray, frame: _Frame, item: Furniture, camera: Camera, light: np.ndarray
) -> None:
    origin, tangent, normal = frame.wall_axes(item.wall)
    w, d, _ = item.size
    centre = _middle(frame, item)
    eye = frame.eye - origin
    if (
        abs(eye @ tangent - centre) < w / 2 + _CAMERA_CLEARANCE
        and eye @ normal < d + _CAMERA_CLEARANCE
    ):
        return  # the camera stands in or next to it
    t_w = np.append(frame.rot @ tangent, 0.0)
    n_w = np.append(frame.rot @ normal, 0.0)
    up = np.array([0.0, 0.0, 1.0])
    eye_w = np.array(camera.position)
    boxes, leaves = _parts(item)

    def point(a: float, o: float, z: float) -> np.ndarray:
        return frame.on_wall(item.wall, centre + a, o + 0.02, z)

    def depth(box: _Box) -> float:
        a0, a1, o0, o1, z0, z1 = box[0]
        return float(camera.depth(point((a0 + a1) / 2, (o0 + o1) / 2, (z0 + z1) / 2)))

    for (a0, a1, o0, o1, z0, z1), colour in sorted(boxes, key=depth, reverse=True):
        faces = (
            (t_w, [(a1, o0, z0), (a1, o1, z0), (a1, o1, z1), (a1, o0, z1)]),
            (-t_w, [(a0, o0, z0), (a0, o1, z0), (a0, o1, z1), (a0, o0, z1)]),
            (n_w, [(a0, o1, z0), (a1, o1, z0), (a1, o1, z1), (a0, o1, z1)]),
            (-n_w, [(a0, o0, z0), (a1, o0, z0), (a1, o0, z1), (a0, o0, z1)]),
            (up, [(a0, o0, z1), (a1, o0, z1), (a1, o1, z1), (a0, o1, z1)]),
        )
        for face_normal, corners in faces:
            pts = np.array([point(*c) for c in corners])
            if face_normal @ (eye_w - pts.mean(axis=0)) > 0.0:
                fill_world_polygon(image, pts, _lambert(colour, face_normal, light, 0.6), camera)
    for (a, o, z), radius in leaves:
        _ball(image, point(a, o, z), radius, item.accent, camera, light)


def _ball(
    image: np.ndarray,
    centre: np.ndarray,
    radius: float,
    colour: BGR,
    camera: Camera,
    light: np.ndarray,
) -> None:
    """A shaded sphere: a dark disc and a lighter one shifted towards the light."""
    depth = float(camera.depth(centre))
    if depth < 0.1 + radius:
        return
    for shift, factor in ((0.0, 0.7), (0.35, 1.0)):
        px = camera.project(centre + light * radius * shift)
        r = camera.focal_px * radius * (1.0 - shift * 0.8) / depth
        c = tuple(int(v) for v in np.round(px * (1 << _SHIFT)))
        cv2.circle(
            image, c, round(r * (1 << _SHIFT)), shade(colour, factor), -1, cv2.LINE_AA, _SHIFT
        )


def draw_room(
    image: np.ndarray,
    camera: Camera,
    room: Room,
    params: PoseParams,
    body: np.ndarray | None = None,
) -> None:
    """Paint ``room`` (ceiling, walls and their features, floor, mat, furniture) into
    ``image`` (H, W, 3) seen through ``camera``; the mat lies under a body posed with
    ``params`` (its root position and heading). With ``body`` (N, 3), the world points of the
    body to be painted over the room, furniture that would stand between the camera and the
    body is left out (the body is painted last, so it would look wrongly in front of it)."""
    light = room.light_direction
    frame = _Frame(room, camera)
    image[:] = shade(room.wall, 0.9)
    _walls(image, frame, room, camera, light)
    _floor(image, frame, room, camera)
    _mat(image, params, room, camera)
    clear = None
    if body is not None:
        px = camera.project(body)
        clear = (np.concatenate([px.min(axis=0), px.max(axis=0)]), float(camera.depth(body).max()))

    def depth(item: Furniture) -> float:
        return float(camera.depth(frame.on_wall(item.wall, _middle(frame, item), 0.3, 0.5)))

    for item in sorted(room.furniture, key=depth, reverse=True):
        if clear is None or not _in_front_of_body(frame, item, camera, clear):
            _furniture(image, frame, item, camera, light)
