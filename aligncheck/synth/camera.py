"""A pinhole perspective camera, named views around the body and automatic framing.

Camera coordinates: x to the image's right, y down, z forward along the optical axis (depth),
all in metres. Pixels: x to the right, y down, origin at the top-left corner of the top-left
pixel, so the optical axis hits ``(width / 2, height / 2)``. The world is z up (see
:mod:`aligncheck.synth.body`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from types import MappingProxyType

import numpy as np

Vec3 = tuple[float, float, float]

#: Named views: camera azimuth in degrees around the body, measured from the body's facing
#: direction towards its left (0 = in front, 90 = on the person's left, -90 = on the right).
VIEWS: Mapping[str, float] = MappingProxyType(
    {
        "front": 0.0,
        "left": 90.0,
        "right": -90.0,
        "diagonal_left": 45.0,
        "diagonal_right": -45.0,
        "back_left": 135.0,
        "back_right": -135.0,
    }
)


@dataclass(frozen=True)
class Camera:
    """Pinhole camera looking from ``position`` at ``target`` (world metres).

    ``up`` is the world direction that appears up in the image; ``fov_y`` the vertical field of
    view in degrees; ``width`` x ``height`` the image size in pixels. Square pixels, no
    distortion.
    """

    position: Vec3
    target: Vec3
    up: Vec3 = (0.0, 0.0, 1.0)
    fov_y: float = 45.0
    width: int = 960
    height: int = 720

    def __post_init__(self) -> None:
        for name in ("position", "target", "up"):
            value = tuple(float(v) for v in getattr(self, name))
            if len(value) != 3 or not all(math.isfinite(v) for v in value):
                raise ValueError(f"Camera.{name} must be 3 finite numbers, got {value!r}")
            object.__setattr__(self, name, value)
        if not 1.0 <= self.fov_y <= 170.0:
            raise ValueError(f"fov_y must be between 1 and 170 degrees, got {self.fov_y}")
        if self.width < 16 or self.height < 16:
            raise ValueError(f"image size must be at least 16x16, got {self.width}x{self.height}")
        forward = np.subtract(self.target, self.position)
        if np.linalg.norm(forward) < 1e-9:
            raise ValueError("Camera.position and Camera.target must differ")
        if np.linalg.norm(np.cross(forward, self.up)) < 1e-9 * np.linalg.norm(forward):
            raise ValueError("Camera.up must not be parallel to the viewing direction")

    @property
    def rotation(self) -> np.ndarray:
        """World-to-camera rotation (3, 3); its rows are the camera's right, down and forward.
        A fresh copy on every call (the value is worked out once per camera)."""
        return self._rotation.copy()

    @cached_property
    def _rotation(self) -> np.ndarray:
        forward = np.subtract(self.target, self.position)
        forward = forward / np.linalg.norm(forward)
        right = np.cross(forward, self.up)
        right = right / np.linalg.norm(right)
        down = np.cross(forward, right)
        return np.stack([right, down, forward])

    @property
    def focal_px(self) -> float:
        """Focal length in pixels."""
        return (self.height / 2.0) / math.tan(math.radians(self.fov_y) / 2.0)

    @property
    def centre_px(self) -> np.ndarray:
        """Principal point (2,) in pixels: the image centre."""
        return np.array([self.width / 2.0, self.height / 2.0])

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        """World points (..., 3) to camera coordinates (..., 3) in metres."""
        return (np.asarray(points, dtype=float) - np.array(self.position)) @ self.rotation.T

    def depth(self, points: np.ndarray) -> np.ndarray:
        """Distance (...,) in metres along the optical axis; negative behind the camera."""
        return self.to_camera(points)[..., 2]

    def project_camera(self, cam: np.ndarray) -> np.ndarray:
        """Camera-coordinate points (..., 3) to pixels (..., 2); NaN at or behind the camera."""
        cam = np.asarray(cam, dtype=float)
        z = cam[..., 2:3]
        with np.errstate(divide="ignore", invalid="ignore"):
            px = self.centre_px + self.focal_px * cam[..., :2] / z
        return np.where(z > 1e-9, px, np.nan)

    def project(self, points: np.ndarray) -> np.ndarray:
        """World points (..., 3) to pixels (..., 2); NaN for points at or behind the camera."""
        return self.project_camera(self.to_camera(points))

    def jacobian(self, point: np.ndarray) -> np.ndarray:
        """d(pixels)/d(world) (2, 3) at a world point in front of the camera (pixels per metre)."""
        x, y, z = self.to_camera(point)
        local = (self.focal_px / z) * np.array([[1.0, 0.0, -x / z], [0.0, 1.0, -y / z]])
        return local @ self.rotation

    def in_frame(self, pixels: np.ndarray) -> np.ndarray:
        """Boolean (...,) whether pixel positions (..., 2) lie inside the image."""
        pixels = np.asarray(pixels, dtype=float)
        with np.errstate(invalid="ignore"):
            inside = (pixels[..., 0] >= 0) & (pixels[..., 0] < self.width)
            return inside & (pixels[..., 1] >= 0) & (pixels[..., 1] < self.height)


def view_direction(view: str | float, yaw: float = 0.0, elevation: float = 10.0) -> np.ndarray:
    """Unit vector (3,) from the subject towards the camera.

    ``view`` is a name from :data:`VIEWS` or an azimuth in degrees (0 = in front of a body whose
    heading is ``yaw``, positive towards its left); ``elevation`` is the camera's angle above the
    horizontal in degrees.
    """
    if isinstance(view, str):
        if view not in VIEWS:
            raise ValueError(f"unknown view {view!r}; choose from {', '.join(VIEWS)}")
        azimuth = VIEWS[view]
    else:
        azimuth = float(view)
    az, el = math.radians(azimuth + yaw), math.radians(elevation)
    return np.array([math.cos(el) * math.cos(az), math.cos(el) * math.sin(az), math.sin(el)])


def frame_points(
    points: np.ndarray,
    direction: np.ndarray,
    fill: float = 0.7,
    width: int = 960,
    height: int = 720,
    fov_y: float = 45.0,
    iterations: int = 6,
) -> Camera:
    """A camera looking along ``-direction`` that centres ``points`` (N, 3) and fits them so the
    larger side of their projected bounding box spans ``fill`` (0..1) of the image."""
    if not 0.05 <= fill <= 1.0:
        raise ValueError(f"fill must be between 0.05 and 1, got {fill}")
    points = np.asarray(points, dtype=float).reshape(-1, 3)
    direction = np.asarray(direction, dtype=float) / np.linalg.norm(direction)
    target = (points.min(axis=0) + points.max(axis=0)) / 2.0
    distance = 3.0
    camera = Camera(
        tuple(target + direction * distance), tuple(target), fov_y=fov_y, width=width, height=height
    )
    for _ in range(iterations):
        px = camera.project(points)
        low, high = px.min(axis=0), px.max(axis=0)
        ratio = max((high[0] - low[0]) / (fill * width), (high[1] - low[1]) / (fill * height))
        shift_px = (low + high) / 2.0 - camera.centre_px
        rot = camera.rotation
        target = target + (shift_px[0] * rot[0] + shift_px[1] * rot[1]) * distance / camera.focal_px
        distance *= max(ratio, 1e-3)
        camera = replace(
            camera, position=tuple(target + direction * distance), target=tuple(target)
        )
    return camera


def view_camera(
    points: np.ndarray,
    view: str | float = "right",
    yaw: float = 0.0,
    elevation: float = 10.0,
    fill: float = 0.7,
    width: int = 960,
    height: int = 720,
    fov_y: float = 45.0,
) -> Camera:
    """A framed camera for a named view (see :data:`VIEWS`) of a body with heading ``yaw``.

    ``points`` (N, 3) are what must be in the picture (e.g. a skeleton's landmarks and joints);
    ``elevation`` in degrees above the horizontal gives "elevated" views (e.g. 30).
    """
    return frame_points(points, view_direction(view, yaw, elevation), fill, width, height, fov_y)
