"""Evaluate a rule file's measures on a pose: pure functions, no state.

A measure is computed from its landmarks for the side being practised (mirrored when the pose
is done on the other side than written). If any landmark it needs is below the visibility
threshold, or outside the image for a 2D measure, the value is NaN and the reason names the
hidden landmarks: "not visible", never a made-up number. A ``back_curve`` is read from the
back's profile that the estimator took from the person's silhouette; without one, or where the
outline of the back was not found, it is NaN with a reason too.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from aligncheck import geometry
from aligncheck.core import PoseFrame
from aligncheck.landmarks import Landmark
from aligncheck.rules.schema import Measure


@dataclass(frozen=True)
class MeasureValue:
    """A measure's value (NaN if unmeasurable) and, when NaN, why."""

    value: float
    hidden: tuple[Landmark, ...] = ()
    why: str = ""

    @property
    def visible(self) -> bool:
        """True when the value was measured."""
        return math.isfinite(self.value)

    def reason(self) -> str:
        """Human words for why the value is missing ('' when measured)."""
        if self.visible:
            return ""
        if self.why:
            return self.why
        if self.hidden:
            names = ", ".join(lm.name.lower().replace("_", " ") for lm in self.hidden[:3])
            return f"not visible: {names}"
        return "not measurable in this position"


def _hidden(
    pose: PoseFrame, landmarks: tuple[Landmark, ...], image: bool, threshold: float
) -> tuple[Landmark, ...]:
    if not pose.detected:
        return landmarks
    width, height = pose.image_size
    hidden = []
    for lm in landmarks:
        x, y = pose.image_xy[lm]
        inside = (0 <= x < width and 0 <= y < height) if image else math.isfinite(x)
        if not pose.visibility[lm] >= threshold or not inside:
            hidden.append(lm)
    return tuple(hidden)


def _coords(points: tuple[tuple[Landmark, ...], ...], xyz: np.ndarray) -> list[np.ndarray]:
    return [xyz[p[0]] if len(p) == 1 else xyz[list(p)].mean(axis=0) for p in points]


Points = tuple[tuple[Landmark, ...], ...]


@functools.lru_cache(maxsize=4096)
def _resolved(
    measure: Measure, mirrored: bool, near: str
) -> tuple[Points, Points, tuple[Landmark, ...]]:
    """The measure's points and reference points for a side and a near side, and every
    landmark they need (sorted); the same for every frame, so worked out once."""
    points = tuple(p.resolve(mirrored, near) for p in measure.points)
    reference = tuple(p.resolve(mirrored, near) for p in measure.reference or ())
    needed = tuple(sorted({lm for p in points + reference for lm in p}))
    return points, reference, needed


def resolved_points(measure: Measure, mirrored: bool, near: str) -> tuple[Points, Points]:
    """The landmarks of the measure's points and reference points for a side and a near
    side (cached)."""
    points, reference, _ = _resolved(measure, bool(mirrored), near)
    return points, reference


def evaluate(
    measure: Measure, pose: PoseFrame, mirrored: bool, threshold: float, near: str = "LEFT"
) -> MeasureValue:
    """Value of ``measure`` on ``pose`` (degrees or body-relative units), before calibration.

    ``mirrored``: the pose is done on the other side than the rules are written for;
    ``threshold``: the default visibility threshold (a measure may set its own);
    ``near``: "LEFT" or "RIGHT", the side of the body nearer to the camera (for NEAR_/FAR_).
    """
    points, reference, needed = _resolved(measure, bool(mirrored), near)
    image = measure.space == "image"
    hidden = _hidden(pose, needed, image, measure.threshold(threshold))
    if hidden:
        return MeasureValue(float("nan"), hidden)
    xyz = pose.image_xy if image else pose.world_xyz
    p = _coords(points, xyz)
    ref = _coords(reference, xyz)
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
    elif kind == "distance":
        value = geometry.distance(p[0], p[1])
    elif kind == "relative_distance":
        value = geometry.relative_distance(p[0], p[1], ref[0], ref[1])
    elif kind == "relative_height":
        value = geometry.relative_height(p[0], p[1], ref[0], ref[1])
    elif kind == "line_offset":
        value = geometry.line_offset(p[0], p[1], p[2], p[3], ref[0], ref[1])
    elif kind == "back_curve":
        return _back_curve(pose)
    else:  # the loader only admits the types above
        raise ValueError(f"unknown measure type {kind!r}")
    return MeasureValue(float(value))


NO_SILHOUETTE = "not measured: no silhouette of the body in this run"
NO_BACK_OUTLINE = "not visible: the outline of the back (it merges with the background)"


def _back_curve(pose: PoseFrame) -> MeasureValue:
    if pose.back_profile is None:
        return MeasureValue(float("nan"), why=NO_SILHOUETTE)
    value = geometry.back_curve(pose.back_profile)
    return MeasureValue(value) if math.isfinite(value) else MeasureValue(value, why=NO_BACK_OUTLINE)


@dataclass(frozen=True)
class CameraView:
    """Where the camera looks at the person from.

    ``name``: the best description, "side", "diagonal", "front", "back" or "" (unknown);
    ``matches``: every view the camera is compatible with (views overlap, because the
    measurement is noisy: a camera 30 degrees off the front counts as front and diagonal);
    ``near``: "LEFT" or "RIGHT", the side of the body nearer the camera (in front/back views,
    the better-seen side); ``turned``: the width ratio behind the decision (about the cosine
    of the camera's angle from the body's front); ``unsure``: the trunk points towards or
    away from the camera, so its length in the picture is too short to compare the width
    with, and the view may be any (verdicts from it are weak evidence).
    """

    name: str
    near: str
    matches: frozenset[str] = frozenset()
    turned: float = math.nan
    unsure: bool = False


_L, _R = Landmark, Landmark
#: Width-ratio ranges of each view (they overlap; see camera_view).
VIEW_RANGES = {"side": (0.0, 0.55), "diagonal": (0.4, 1.1), "front": (0.75, 9.0)}
#: Below this share of its full length in the picture the trunk points too much towards or
#: away from the camera for the width ratio to tell the view (a half moon seen from the
#: side, head towards the lens, read as a front view): see :func:`trunk_foreshortening`.
FORESHORTENED = 0.45
#: Limb segments whose length in the picture against their 3D length gives the picture's
#: scale (the least foreshortened of them lies nearly across the picture).
_SEGMENTS = (
    (_L.LEFT_HIP, _L.LEFT_KNEE),
    (_L.RIGHT_HIP, _L.RIGHT_KNEE),
    (_L.LEFT_KNEE, _L.LEFT_ANKLE),
    (_L.RIGHT_KNEE, _L.RIGHT_ANKLE),
    (_L.LEFT_SHOULDER, _L.LEFT_ELBOW),
    (_L.RIGHT_SHOULDER, _L.RIGHT_ELBOW),
    (_L.LEFT_ELBOW, _L.LEFT_WRIST),
    (_L.RIGHT_ELBOW, _L.RIGHT_WRIST),
)


def trunk_foreshortening(pose: PoseFrame, threshold: float = 0.5) -> float:
    """The trunk's length in the picture as a share of what it would be across the picture
    (1: across, near 0: pointing at the camera). The picture's scale is the largest ratio of
    picture length to 3D length among the trunk and the visible limb segments (the one
    lying most nearly across the picture); NaN without a trunk."""

    def mid(xyz: np.ndarray, a: Landmark, b: Landmark) -> np.ndarray:
        return (xyz[a] + xyz[b]) / 2

    image, world = pose.image_xy, pose.world_xyz
    shoulders, hips = (_L.LEFT_SHOULDER, _L.RIGHT_SHOULDER), (_L.LEFT_HIP, _L.RIGHT_HIP)
    trunk_3d = float(np.linalg.norm(mid(world, *shoulders) - mid(world, *hips)))
    if trunk_3d <= 0:
        return math.nan
    trunk = float(np.linalg.norm(mid(image, *shoulders) - mid(image, *hips))) / trunk_3d
    scale = trunk
    for a, b in _SEGMENTS:
        if pose.visible(a, threshold) and pose.visible(b, threshold):
            length_3d = float(np.linalg.norm(world[a] - world[b]))
            if length_3d > 0.05:  # metres: a segment the model did not collapse
                scale = max(scale, float(np.linalg.norm(image[a] - image[b])) / length_3d)
    return trunk / scale if scale > 0 else math.nan


def camera_view(pose: PoseFrame, threshold: float = 0.5) -> CameraView:
    """Recognise the camera view from how wide the body looks.

    The width of shoulders plus hips in the image, relative to the torso's length in the image,
    is compared with the same ratio in MediaPipe's 3D world coordinates: their quotient is about
    the cosine of the angle between the body's front and the camera (about 1 from the front,
    about 0.2 from the side). On synthetic renders of seated poses it was 0.13-0.57 at 90
    degrees, 0.41-0.74 at 70, 0.42-1.07 at 45 and 0.8-1.4 at 0-20 degrees: too noisy for one
    answer, so the camera matches every view whose range holds the ratio (``VIEW_RANGES``)
    and ``name`` is the single best guess. Front and back differ in which hip is on the
    image's right. The near side comes from MediaPipe's depth of the left and right hip,
    shoulder and knee (in front and back views: the better-seen side).
    """
    if not pose.detected:
        return CameraView("", "LEFT")
    trunk = (_L.LEFT_SHOULDER, _L.RIGHT_SHOULDER, _L.LEFT_HIP, _L.RIGHT_HIP)
    left = [_L.LEFT_HIP, _L.LEFT_SHOULDER, _L.LEFT_KNEE]
    right = [_R.RIGHT_HIP, _R.RIGHT_SHOULDER, _R.RIGHT_KNEE]
    depth_left = float(np.mean(pose.world_xyz[left, 2]))
    depth_right = float(np.mean(pose.world_xyz[right, 2]))
    near = "LEFT" if depth_left <= depth_right else "RIGHT"
    if not all(pose.visible(lm, threshold) or lm in (_L.LEFT_HIP, _L.RIGHT_HIP) for lm in trunk):
        # one shoulder hidden: a side view, the visible one is near
        seen_left = pose.visibility[left].sum() >= pose.visibility[right].sum()
        return CameraView("side", "LEFT" if seen_left else "RIGHT", frozenset({"side"}))

    def ratio(xyz: np.ndarray) -> float:
        width = np.linalg.norm(xyz[_L.LEFT_SHOULDER] - xyz[_L.RIGHT_SHOULDER]) + np.linalg.norm(
            xyz[_L.LEFT_HIP] - xyz[_L.RIGHT_HIP]
        )
        shoulders = (xyz[_L.LEFT_SHOULDER] + xyz[_L.RIGHT_SHOULDER]) / 2
        hips = (xyz[_L.LEFT_HIP] + xyz[_L.RIGHT_HIP]) / 2
        length = np.linalg.norm(shoulders - hips)
        return float(width / length) if length > 0 else math.nan

    turned = ratio(pose.image_xy) / ratio(pose.world_xyz)
    if not math.isfinite(turned):
        return CameraView("", near)
    matches = {name for name, (low, high) in VIEW_RANGES.items() if low <= turned < high}
    facing = pose.image_xy[_L.LEFT_HIP, 0] > pose.image_xy[_L.RIGHT_HIP, 0]
    if "front" in matches and not facing:
        matches = (matches - {"front"}) | {"back"}
    if turned < 0.45:
        name = "side"
    elif turned < 0.85:
        name = "diagonal"
    else:
        name = "front" if facing else "back"
        seen_left = pose.visibility[left].sum() >= pose.visibility[right].sum()
        near = "LEFT" if seen_left else "RIGHT"
    unsure = trunk_foreshortening(pose, threshold) < FORESHORTENED
    return CameraView(name, near, frozenset(matches), turned, unsure)
