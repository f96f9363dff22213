"""Render the synthetic practitioner to a shaded image with OpenCV, with exact ground truth.

Each body piece (see :mod:`aligncheck.synth.shapes`) is projected as the convex hull of two
projected ellipsoids and painted back to front by depth (painter's algorithm). Shading is a
stack of shrinking, brightening fills shifted towards the light, which reads as a Lambert
gradient. The room is a plain wall, a floor and a yoga mat. Rendering is deterministic: the same
inputs give identical pixels.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import cv2
import numpy as np

from aligncheck.angles import key_angles
from aligncheck.landmarks import Landmark
from aligncheck.synth.body import BodyShape, Skeleton, pose_body
from aligncheck.synth.camera import Camera, view_camera
from aligncheck.synth.head import HairPiece, hair_extras, head_parts
from aligncheck.synth.params import PoseParams
from aligncheck.synth.shapes import BGR, Ellipsoid, Palette, Piece, body_pieces

#: Paints the background (room, furniture) into an image (H, W, 3) seen through a camera.
Backdrop = Callable[[np.ndarray, Camera], None]

_SHIFT = 4  # sub-pixel bits for OpenCV drawing
_LAYERS = ((1.0, 0.6), (0.84, 0.76), (0.68, 0.88), (0.5, 0.98), (0.3, 1.06))  # (scale, light)
_OUTLINE = 20  # points per projected ellipse
_CIRCLE = np.stack(
    [
        np.cos(np.linspace(0, 2 * np.pi, _OUTLINE, endpoint=False)),
        np.sin(np.linspace(0, 2 * np.pi, _OUTLINE, endpoint=False)),
    ]
)


@dataclass(frozen=True, eq=False)
class Render:
    """One rendered image and its exact ground truth.

    * ``image``: (H, W, 3) uint8 BGR.
    * ``world_xyz``: (33, 3) true landmark positions, world metres (z up, floor z = 0).
    * ``image_xy``: (33, 2) true projections in pixels (x right, y down).
    * ``depth``: (33,) distance along the optical axis, metres.
    * ``occluded``: (33,) True where another body part is painted over the landmark (or, for
      face points, the face turns away); an approximation from the painter's order.
    * ``in_frame``: (33,) True where the projection lies inside the image.
    * ``angles``: true key angles in degrees (:func:`aligncheck.angles.key_angles` on the 3D
      truth, with world up as "up").
    """

    image: np.ndarray
    world_xyz: np.ndarray
    image_xy: np.ndarray
    depth: np.ndarray
    occluded: np.ndarray
    in_frame: np.ndarray
    angles: Mapping[str, float]
    params: PoseParams
    camera: Camera
    body: BodyShape

    @property
    def visible(self) -> np.ndarray:
        """(33,) True where the landmark is in the frame and not occluded."""
        return self.in_frame & ~self.occluded

    @property
    def camera_xyz(self) -> np.ndarray:
        """(33, 3) landmarks in camera axes (x right, y down, z away from the camera), metres,
        origin at the midpoint of the hips: comparable to MediaPipe's world landmarks."""
        cam = self.camera.to_camera(self.world_xyz)
        return cam - (cam[Landmark.LEFT_HIP] + cam[Landmark.RIGHT_HIP]) / 2.0


def true_angles(world_xyz: np.ndarray) -> dict[str, float]:
    """Key angles (degrees) of world landmarks (33, 3) in the z-up synth world."""
    world_xyz = np.asarray(world_xyz, dtype=float)
    y_down = np.stack([world_xyz[:, 0], -world_xyz[:, 2], world_xyz[:, 1]], axis=1)
    return key_angles(y_down)


def _outline(ell: Ellipsoid, camera: Camera, jac: np.ndarray) -> np.ndarray:
    """(20, 2) pixel outline of an ellipsoid, using the projection's local linearisation."""
    centre = camera.project(ell.centre)
    a = jac @ ell.axes
    w, v = np.linalg.eigh(a @ a.T)
    root = v @ np.diag(np.sqrt(np.maximum(w, 0.0))) @ v.T
    return (centre[:, None] + root @ _CIRCLE).T


def _fill(image: np.ndarray, points: np.ndarray, colour: BGR | int, aa: bool = True) -> None:
    hull = cv2.convexHull(np.round(points * (1 << _SHIFT)).astype(np.int32))
    line = cv2.LINE_AA if aa else cv2.LINE_8
    value = colour if isinstance(colour, tuple) else (int(colour),)
    cv2.fillConvexPoly(image, hull, value, line, _SHIFT)


def _highlight(ell: Ellipsoid, light: np.ndarray) -> np.ndarray:
    """Offset (3,) from the centre to the surface point facing ``light``."""
    m = ell.axes @ ell.axes.T
    return m @ light / np.sqrt(max(float(light @ m @ light), 1e-12))


def _shade(colour: BGR, factor: float) -> BGR:
    return tuple(int(min(255, round(c * factor))) for c in colour)  # type: ignore[return-value]


def _layers(shapes: tuple[Ellipsoid, ...], camera: Camera, light: np.ndarray) -> list[np.ndarray]:
    """Pixel outlines of the hull of ``shapes`` for each shading layer, outermost first."""
    jacs = [camera.jacobian(s.centre) for s in shapes]
    highs = [_highlight(s, light) for s in shapes]
    return [
        np.concatenate(
            [
                _outline(s.shifted(h * (1.0 - scale) * 0.8, scale), camera, j)
                for s, h, j in zip(shapes, highs, jacs, strict=True)
            ]
        )
        for scale, _ in _LAYERS
    ]


def _draw_group(
    image: np.ndarray,
    labels: np.ndarray,
    pieces: list[tuple[int, Piece]],
    camera: Camera,
    light: np.ndarray,
) -> None:
    """Paint a group of pieces layer by layer (overlays after the rest; in each tier, solo
    pieces one at a time after the others), and label them."""
    for overlay in (False, True):
        tier = [(i, p) for i, p in pieces if p.overlay == overlay]
        outlines = [_layers((p.first, p.second), camera, light) for _, p in tier]
        for layer, (_, factor) in enumerate(_LAYERS):
            for (_, piece), outline in zip(tier, outlines, strict=True):
                if not piece.solo:
                    _fill(image, outline[layer], _shade(piece.colour, factor))
        for (_, piece), outline in zip(tier, outlines, strict=True):
            if piece.solo:
                for layer, (_, factor) in enumerate(_LAYERS):
                    _fill(image, outline[layer], _shade(piece.colour, factor))
        for (index, _), outline in zip(tier, outlines, strict=True):
            _fill(labels, outline[0], index, aa=False)


def _draw_head(
    image: np.ndarray,
    labels: np.ndarray,
    index: int,
    skeleton: Skeleton,
    camera: Camera,
    light: np.ndarray,
    palette: Palette,
) -> None:
    head, hair, decals = head_parts(skeleton, palette)
    eye = np.array(camera.position)
    towards = (eye - head.centre) / np.linalg.norm(eye - head.centre)
    extras = hair_extras(skeleton, palette)
    behind = float(-skeleton.frames["head"][:, 0] @ towards)  # > 0: the back of the head shows
    _draw_extras(image, [e for e in extras if behind <= e.over_head], camera, light, palette.hair)
    for shape, colour in ((hair, palette.hair), (head, palette.skin)):
        outlines = _layers((shape,), camera, light)
        for outline, (_, factor) in zip(outlines, _LAYERS, strict=True):
            _fill(image, outline, _shade(colour, factor))
    _fill(labels, outlines[0], index, aa=False)
    _draw_extras(image, [e for e in extras if behind > e.over_head], camera, light, palette.hair)
    for decal in decals:
        towards = eye - decal.shape.centre
        if decal.normal @ towards / np.linalg.norm(towards) > decal.min_facing:
            outline = _outline(decal.shape, camera, camera.jacobian(decal.shape.centre))
            _fill(image, outline, decal.colour)


def _draw_extras(
    image: np.ndarray,
    extras: list[HairPiece],
    camera: Camera,
    light: np.ndarray,
    colour: BGR,
) -> None:
    """Paint hair pieces (a cap, a bun, a ponytail) with the usual shading layers."""
    for piece in extras:
        layers = _layers((piece.first, piece.second), camera, light)
        for outline, (_, factor) in zip(layers, _LAYERS, strict=True):
            _fill(image, outline, _shade(colour, factor))


def _light(camera: Camera, direction: np.ndarray | None = None) -> np.ndarray:
    """Unit vector (3,) towards the light, world axes: ``direction`` normalised, or by default
    a light from above, over the camera's left shoulder."""
    if direction is not None:
        light = np.asarray(direction, dtype=float)
        return light / np.linalg.norm(light)
    rot = camera.rotation
    towards_camera, right = -rot[2], rot[0]
    light = towards_camera * 0.7 + np.array([0.0, 0.0, 0.65]) - right * 0.35
    return light / np.linalg.norm(light)


def clip_near(cam: np.ndarray, near: float = 0.05) -> np.ndarray:
    """Clip a polygon (N, 3) in camera coordinates to z >= near (Sutherland-Hodgman)."""
    out = []
    for i in range(len(cam)):
        a, b = cam[i], cam[(i + 1) % len(cam)]
        if a[2] >= near:
            out.append(a)
        if (a[2] >= near) != (b[2] >= near):
            out.append(a + (b - a) * (near - a[2]) / (b[2] - a[2]))
    return np.array(out).reshape(-1, 3)


def fill_world_polygon(image: np.ndarray, corners: np.ndarray, colour: BGR, camera: Camera) -> None:
    """Fill a flat polygon given by world ``corners`` (N, 3), clipped to the near plane."""
    cam = clip_near(camera.to_camera(corners))
    if len(cam) >= 3:
        pts = np.clip(camera.project_camera(cam), -1e5, 1e5)
        cv2.fillPoly(
            image, [np.round(pts * (1 << _SHIFT)).astype(np.int32)], colour, cv2.LINE_AA, _SHIFT
        )


def _draw_room(image: np.ndarray, params: PoseParams, camera: Camera, palette: Palette) -> None:
    image[:] = palette.wall
    big = 30.0
    floor = np.array([[-big, -big, 0.0], [big, -big, 0.0], [big, big, 0.0], [-big, big, 0.0]])
    fill_world_polygon(
        image, floor + np.array([params.root_x, params.root_y, 0.0]), palette.floor, camera
    )
    yaw = np.radians(params.root_yaw)
    fwd, left = (
        np.array([np.cos(yaw), np.sin(yaw), 0.0]),
        np.array([-np.sin(yaw), np.cos(yaw), 0.0]),
    )
    origin = np.array([params.root_x, params.root_y, 0.001])
    mat = [
        origin + fwd * x + left * y
        for x, y in ((-0.55, -0.31), (1.28, -0.31), (1.28, 0.31), (-0.55, 0.31))
    ]
    fill_world_polygon(image, np.array(mat), palette.mat, camera)


def _occlusion(
    skeleton: Skeleton,
    camera: Camera,
    labels: np.ndarray,
    parts: list[str],
    xy: np.ndarray,
    depth: np.ndarray,
    in_frame: np.ndarray,
) -> np.ndarray:
    occluded = np.zeros(len(Landmark), dtype=bool)
    head = skeleton.joints["head"]
    for lm in Landmark:
        if not in_frame[lm]:
            continue
        label = int(labels[int(xy[lm, 1]), int(xy[lm, 0])])
        if label < 0:
            continue
        seen = parts[label]
        if lm <= Landmark.MOUTH_RIGHT:
            normal = skeleton.landmarks[lm] - head
            towards = np.array(camera.position) - skeleton.landmarks[lm]
            occluded[lm] = seen != "head" or float(normal @ towards) < 0.0
            continue
        occluded[lm] = seen not in _owners(lm, depth)
    return occluded


def _owners(lm: Landmark, depth: np.ndarray) -> set[str]:
    """Parts on which landmark ``lm`` lies (its own surface)."""
    name = lm.name.lower()
    side = name.split("_")[0]
    joint = name[len(side) + 1 :]
    owners = {
        "shoulder": {"upper_arm"},
        "elbow": {"upper_arm", "forearm"},
        "wrist": {"forearm", "hand"},
        "pinky": {"hand"},
        "index": {"hand"},
        "thumb": {"hand"},
        "hip": {"thigh"},
        "knee": {"thigh", "shin"},
        "ankle": {"shin", "foot"},
        "heel": {"foot"},
        "foot_index": {"foot"},
    }[joint]
    parts = {f"{side}_{p}" for p in owners}
    if joint in ("shoulder", "hip"):
        other = Landmark[lm.name.replace(side.upper(), "RIGHT" if side == "left" else "LEFT")]
        if depth[lm] < depth[other] + 0.05:  # not clearly the far one: the trunk may cover it
            parts.add("torso")
    return parts


def render_skeleton(
    skeleton: Skeleton,
    camera: Camera,
    palette: Palette | None = None,
    *,
    light: np.ndarray | None = None,
    backdrop: Backdrop | None = None,
) -> Render:
    """Render a posed :class:`Skeleton` through ``camera``.

    ``light`` (3,) is the world direction towards the light (default: from above, over the
    camera's left shoulder); ``backdrop(image, camera)`` paints everything behind the body
    (default: the plain room of ``palette``).
    """
    palette = palette or Palette()
    image = np.zeros((camera.height, camera.width, 3), dtype=np.uint8)
    labels = np.full((camera.height, camera.width), -1, dtype=np.int32)
    if backdrop is None:
        _draw_room(image, skeleton.params, camera, palette)
    else:
        backdrop(image, camera)
    light = _light(camera, light)
    pieces = body_pieces(skeleton, palette)
    groups: dict[str, list[tuple[int, Piece]]] = {}
    for index, piece in enumerate(pieces):
        groups.setdefault(piece.group or piece.part, []).append((index, piece))
    head_index = len(pieces)
    parts = [p.part for p in pieces] + ["head"]
    order = [(float(camera.depth(skeleton.joints["head"])), "head")]
    for name, members in groups.items():
        centres = [(p.first.centre + p.second.centre) / 2.0 for _, p in members]
        depth = float(np.mean(camera.depth(np.array(centres)))) + members[0][1].depth_bias
        order.append((depth, name))
    for _, name in sorted(order, reverse=True):  # far to near
        if name == "head":
            _draw_head(image, labels, head_index, skeleton, camera, light, palette)
        else:
            _draw_group(image, labels, groups[name], camera, light)
    xy = camera.project(skeleton.landmarks)
    depth = camera.depth(skeleton.landmarks)
    in_frame = camera.in_frame(xy)
    occluded = _occlusion(skeleton, camera, labels, parts, xy, depth, in_frame)
    for array in (image, xy, depth, occluded, in_frame):
        array.setflags(write=False)
    return Render(
        image=image,
        world_xyz=skeleton.landmarks,
        image_xy=xy,
        depth=depth,
        occluded=occluded,
        in_frame=in_frame,
        angles=MappingProxyType(true_angles(skeleton.landmarks)),
        params=skeleton.params,
        camera=camera,
        body=skeleton.body,
    )


def framing_points(skeleton: Skeleton) -> np.ndarray:
    """Points (N, 3) that should be in the picture: landmarks and internal joints, plus the
    top of the head."""
    top = skeleton.joints["head"] + skeleton.frames["head"][:, 2] * 0.12 * skeleton.body.scale
    return np.concatenate([skeleton.landmarks, np.array(list(skeleton.joints.values())), top[None]])


def render(
    params: PoseParams,
    camera: Camera | None = None,
    *,
    view: str | float = "right",
    elevation: float = 10.0,
    fill: float = 0.7,
    width: int = 960,
    height: int = 720,
    body: BodyShape | None = None,
    palette: Palette | None = None,
) -> Render:
    """Pose the body with ``params`` and render it.

    Without ``camera``, one is framed automatically for the named ``view`` (see
    :data:`aligncheck.synth.camera.VIEWS`) at ``elevation`` degrees, so the body spans ``fill``
    of a ``width`` x ``height`` image.
    """
    skeleton = pose_body(params, body)
    if camera is None:
        camera = view_camera(
            framing_points(skeleton), view, params.root_yaw, elevation, fill, width, height
        )
    return render_skeleton(skeleton, camera, palette)
