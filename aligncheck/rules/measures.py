"""Evaluate a rule file's measures on a pose: pure functions, no state.

A measure is computed from its landmarks for the side being practised (mirrored when the pose
is done on the other side than written). If any landmark it needs is below the visibility
threshold, or outside the image for a 2D measure, the value is NaN and the reason names the
hidden landmarks: "not visible", never a made-up number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from aligncheck import geometry
from aligncheck.core import PoseFrame
from aligncheck.landmarks import MIRROR, Landmark
from aligncheck.rules.schema import Measure, Point


@dataclass(frozen=True)
class MeasureValue:
    """A measure's value (NaN if unmeasurable) and, when NaN, why."""

    value: float
    hidden: tuple[Landmark, ...] = ()

    @property
    def visible(self) -> bool:
        """True when the value was measured."""
        return math.isfinite(self.value)

    def reason(self) -> str:
        """Human words for why the value is missing ('' when measured)."""
        if self.visible:
            return ""
        if self.hidden:
            names = ", ".join(lm.name.lower().replace("_", " ") for lm in self.hidden[:3])
            return f"not visible: {names}"
        return "not measurable in this position"


def _hidden(
    pose: PoseFrame, landmarks: frozenset[Landmark], image: bool, threshold: float
) -> tuple[Landmark, ...]:
    width, height = pose.image_size
    hidden = []
    for lm in sorted(landmarks):
        x, y = pose.image_xy[lm]
        inside = (0 <= x < width and 0 <= y < height) if image else math.isfinite(x)
        if not pose.detected or not pose.visibility[lm] >= threshold or not inside:
            hidden.append(lm)
    return tuple(hidden)


def _coords(points: tuple[Point, ...], xyz: np.ndarray) -> list[np.ndarray]:
    return [np.mean([xyz[lm] for lm in p.landmarks], axis=0) for p in points]


def evaluate(measure: Measure, pose: PoseFrame, mirrored: bool, threshold: float) -> MeasureValue:
    """Value of ``measure`` on ``pose`` (degrees or body-relative units), before calibration."""
    points = measure.points
    reference = measure.reference
    if mirrored:
        points = tuple(p.mirrored(MIRROR) for p in points)
        reference = tuple(p.mirrored(MIRROR) for p in reference) if reference else None
    needed = frozenset(measure.landmarks(MIRROR if mirrored else None))
    image = measure.space == "image"
    hidden = _hidden(pose, needed, image, threshold)
    if hidden:
        return MeasureValue(float("nan"), hidden)
    xyz = pose.image_xy if image else pose.world_xyz
    p = _coords(points, xyz)
    ref = _coords(reference, xyz) if reference else []
    kind = measure.type
    if kind == "joint_angle":
        value = geometry.joint_angle(*p)
    elif kind == "flexion":
        value = geometry.flexion(*p)
    elif kind == "angle_between":
        value = geometry.angle_between(*p)
    elif kind == "inclination":
        value = geometry.inclination_from_vertical(*p)
    elif kind == "elevation":
        value = geometry.elevation(*p)
    elif kind == "twist":
        value = geometry.twist(*p)
        value = -value if mirrored else value
    elif kind == "relative_distance":
        value = geometry.relative_distance(p[0], p[1], ref[0], ref[1])
    elif kind == "relative_height":
        value = geometry.relative_height(p[0], p[1], ref[0], ref[1])
    else:  # the loader only admits the types above
        raise ValueError(f"unknown measure type {kind!r}")
    return MeasureValue(float(value))


def camera_view(pose: PoseFrame, threshold: float = 0.5) -> str:
    """Where the camera looks at the person from: 'front', 'back', 'side' or 'diagonal'.

    Uses the hip line (or, if the hips are hidden, the shoulder line) in MediaPipe's world
    coordinates: its angle against the image plane is near 0 from the front or back, near 90
    from the side. Front and back differ in which hip is on the image's right. '' if unknown.
    """
    for left, right in (
        (Landmark.LEFT_HIP, Landmark.RIGHT_HIP),
        (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
    ):
        if pose.visible(left, threshold) or pose.visible(right, threshold):
            line = pose.world_xyz[left] - pose.world_xyz[right]
            if np.all(np.isfinite(line)) and np.hypot(line[0], line[2]) > 0:
                turn = math.degrees(math.atan2(abs(line[2]), abs(line[0])))
                if turn >= 60:
                    return "side"
                if turn >= 30:
                    return "diagonal"
                return "front" if line[0] > 0 else "back"
    return ""
