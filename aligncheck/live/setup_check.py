"""Is the camera set up well? A check of one frame before (and while) coaching begins.

:func:`check_setup` looks at a frame and the pose found in it and returns plain instructions,
most important first: nobody found; part of the body outside the picture (which part, at which
edge, and which way to move); the person too small or too close; the room too dark or the light
behind the person; and, for a one-sided pose whose rule file asks for a side or diagonal view,
a front view or a camera on the wrong side.

Left and right in the words are those of the picture as the camera records it; pass
``preview_mirrored=True`` when the picture is shown mirrored, so the words match the screen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from aligncheck import geometry
from aligncheck.core import DEFAULT_VISIBILITY_THRESHOLD, Frame, PoseFrame
from aligncheck.landmarks import Landmark
from aligncheck.rules.measures import CameraView, camera_view, evaluate
from aligncheck.rules.schema import RuleSet

L = Landmark

#: Body parts that must be in the picture, each with the landmarks of both sides. A landmark is
#: a joint centre: the top of the head and the soles lie beyond it, hence the margin below.
PARTS: tuple[tuple[str, tuple[Landmark, ...]], ...] = (
    ("head", (L.NOSE, L.LEFT_EAR, L.RIGHT_EAR)),
    ("shoulders", (L.LEFT_SHOULDER, L.RIGHT_SHOULDER)),
    ("hips", (L.LEFT_HIP, L.RIGHT_HIP)),
    ("knees", (L.LEFT_KNEE, L.RIGHT_KNEE)),
    ("feet", (L.LEFT_ANKLE, L.RIGHT_ANKLE, L.LEFT_HEEL, L.RIGHT_HEEL)),
)
#: Share of the image width/height kept free at each edge: the head's top lies about 0.1 m above
#: the ears and the feet reach past the ankles, a few percent of the frame at a 2-3 m distance.
EDGE_MARGIN = 0.02
#: Landmarks are joint centres: the top of the head and the soles lie beyond them, so on renders
#: the landmarks spanned 0.84-0.93 of the body's extent (the larger of its height and width as
#: shares of the frame's; width counts because a forward fold is long and low). The thresholds
#: below are on the landmarks' extent.
#: Too small: a body spanning under ~30% of the frame (landmarks under 27%); the README asks for
#: a third, and the model's landmarks get noisy on a person under about 200 of 720 pixels.
TOO_SMALL = 0.27
#: Too close: a body filling ~95% of the frame or more (landmarks above 83%: 0.84 on a render
#: filling the frame exactly, 0.82 at 90%), which leaves no room to fold forward.
TOO_CLOSE = 0.83
#: Mean luminance (0-255, BT.601) below which the frame is too dark: webcams raise the gain in
#: dim rooms and the noise makes the landmarks jitter; a lit room reads 90-180.
DARK_FRAME = 50.0
#: Mean luminance of the person's bounding box below which the person is in shadow, typically
#: lit from behind (a window behind the person) while the frame as a whole is bright enough.
DARK_PERSON = 45.0
#: A camera counts as in front when, besides the body's width (see ``camera_view``), the
#: straight leg is foreshortened to under this share of its 3D length (scaled by the torso): on
#: renders of seated poses it was 0.45-0.49 from the front, 0.57-0.71 at 20 degrees, 0.62-0.80
#: at 30 and 0.78-1.0 at 45. The width alone cannot tell a front view from a diagonal one.
FORESHORTENED = 0.6
#: The straighter leg counts as straight (and its foreshortening as telling) above this knee
#: angle in degrees (3D).
STRAIGHT_LEG = 150.0
#: A width ratio this large is a front (or back) view whatever the legs do.
SURELY_FRONT = 1.0
#: The role that should not be nearer the camera, and the one that should: in Janu Sirsasana
#: the folded leg hides behind the straight one when the camera is on the straight leg's side
#: (README, "Setting up the camera").
HIDING_ROLE = "straight"
SEEN_ROLE = "folded"

_EDGE_WORDS = {
    "top": "at the top of the picture",
    "bottom": "at the bottom of the picture",
    "left": "at the left edge of the picture",
    "right": "at the right edge of the picture",
}
_EDGE_MOVE = {
    "top": "Tilt the camera up or move back",
    "bottom": "Tilt the camera down or move back",
    "left": "Move towards the middle of the picture or move back",
    "right": "Move towards the middle of the picture or move back",
}


@dataclass(frozen=True)
class SetupCheck:
    """The verdict on the camera set-up: ``ok`` when there is nothing to fix.

    ``problems``: instructions in plain words, most important first; ``view``: the view
    recognised ("side", "diagonal", "front", "back"), '' when unknown.
    """

    ok: bool
    problems: tuple[str, ...]
    view: str


def check_setup(
    frame: Frame,
    pose: PoseFrame,
    rules: RuleSet | None = None,
    *,
    mirrored: bool | None = None,
    preview_mirrored: bool = False,
    threshold: float = DEFAULT_VISIBILITY_THRESHOLD,
) -> SetupCheck:
    """Check the framing, the light and the view of ``frame`` with the ``pose`` found in it.

    ``rules`` enables the view advice for the pose; ``mirrored`` is the side practised as the
    rule engine decided it (``Verdict.mirrored`` when ``Verdict.side`` is not empty), or None
    to judge from this pose alone, which names the side only when the legs clearly differ.
    """
    dark = _light(frame.image, pose)
    if not pose.detected:
        return SetupCheck(
            False, ("Nobody found: sit on your mat in view of the camera.", *dark), ""
        )
    view = camera_view(pose, threshold)
    framing = _framing(pose, preview_mirrored)
    advice = _view_advice(pose, view, rules, mirrored, threshold) if rules else ()
    problems = (*framing, *dark, *advice)
    return SetupCheck(not problems, problems, view.name)


# -- framing ------------------------------------------------------------------------------
def _edges(xy: np.ndarray, size: tuple[int, int]) -> set[str]:
    """Edges of the image beyond which the point ``xy`` lies (within the margin counts)."""
    width, height = size
    mx, my = EDGE_MARGIN * width, EDGE_MARGIN * height
    x, y = xy
    edges = set()
    if x < mx:
        edges.add("left")
    if x > width - mx:
        edges.add("right")
    if y < my:
        edges.add("top")
    if y > height - my:
        edges.add("bottom")
    return edges


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _framing(pose: PoseFrame, preview_mirrored: bool) -> tuple[str, ...]:
    """Which parts are cut off, at which edge, and what to do; else whether the person is too
    small or too close."""
    cut: dict[str, list[str]] = {}
    for part, landmarks in PARTS:
        points = [pose.image_xy[lm] for lm in landmarks if np.all(np.isfinite(pose.image_xy[lm]))]
        edges = set().union(*(_edges(p, pose.image_size) for p in points)) if points else set()
        if not points:
            edges = {"bottom"} if part in ("knees", "feet") else {"top"}  # not reported at all
        if preview_mirrored:
            swap = {"left": "right", "right": "left"}
            edges = {swap.get(e, e) for e in edges}
        for edge in sorted(edges):
            cut.setdefault(edge, []).append(part)
    if cut:
        if {"top", "bottom"} <= cut.keys() or {"left", "right"} <= cut.keys():
            parts = [p for p, _ in PARTS if any(p in names for names in cut.values())]
            verb = "is" if parts == ["head"] else "are"
            return (
                f"Move back, or move the camera further away: your {_join(parts)} {verb} "
                "outside the picture.",
            )
        out = []
        for edge in ("bottom", "top", "left", "right"):
            if edge in cut:
                parts = cut[edge]
                verb = "is" if parts == ["head"] else "are"
                out.append(
                    f"{_EDGE_MOVE[edge]}: your {_join(parts)} {verb} cut off {_EDGE_WORDS[edge]}."
                )
        return tuple(out)
    extent = _extent(pose)
    if extent > TOO_CLOSE:
        return ("Move back a little: you fill the whole picture; leave room to fold forward.",)
    if extent < TOO_SMALL:
        return ("Come closer to the camera: you look small in the picture.",)
    return ()


def _extent(pose: PoseFrame) -> float:
    """The larger of the landmarks' height and width as shares of the image's."""
    width, height = pose.image_size
    xy = pose.image_xy[np.all(np.isfinite(pose.image_xy), axis=1)]
    if len(xy) == 0:
        return math.nan
    span = xy.max(axis=0) - xy.min(axis=0)
    return float(max(span[0] / width, span[1] / height))


# -- light --------------------------------------------------------------------------------
def _luminance(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image.astype(float)
    return cv2.cvtColor(np.ascontiguousarray(image, dtype=np.uint8), cv2.COLOR_BGR2GRAY)


def _light(image: np.ndarray, pose: PoseFrame) -> tuple[str, ...]:
    """Advice when the frame, or the person in it, is too dark."""
    gray = _luminance(image)
    if gray.size == 0:
        return ()
    if float(gray.mean()) < DARK_FRAME:
        return ("Turn on a light or face a window: the room is too dark for the camera.",)
    if not pose.detected:
        return ()
    xy = pose.image_xy[np.all(np.isfinite(pose.image_xy), axis=1)]
    height, width = gray.shape[:2]
    if len(xy) == 0:
        return ()
    x0, y0 = np.clip(np.floor(xy.min(axis=0)), 0, [width - 1, height - 1]).astype(int)
    x1, y1 = np.clip(np.ceil(xy.max(axis=0)), 0, [width - 1, height - 1]).astype(int)
    region = gray[y0 : y1 + 1, x0 : x1 + 1]
    if region.size and float(region.mean()) < DARK_PERSON:
        return (
            "You are in shadow: turn on a light in front of you, or face the window rather "
            "than having it behind you.",
        )
    return ()


# -- view ---------------------------------------------------------------------------------
def _front_view(pose: PoseFrame, view: CameraView) -> bool:
    """True when the camera surely looks at the front (or back) of the body."""
    if not view.matches & {"front", "back"} or "side" in view.matches:
        return False
    if view.turned >= SURELY_FRONT:
        return True
    legs = []
    for hip, knee, ankle in (
        (L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE),
        (L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE),
    ):
        world = pose.world_xyz[[hip, knee, ankle]]
        angle = geometry.joint_angle(*world)
        if math.isfinite(angle) and angle >= STRAIGHT_LEG:
            legs.append((angle, hip, ankle))
    if not legs:
        return False
    _, hip, ankle = max(legs)
    return _foreshortening(pose, hip, ankle) < FORESHORTENED


def _foreshortening(pose: PoseFrame, start: Landmark, end: Landmark) -> float:
    """Image length of ``start``-``end`` over its 3D length, with the torso as the scale."""

    def mid(xyz: np.ndarray, a: Landmark, b: Landmark) -> np.ndarray:
        return (xyz[a] + xyz[b]) / 2.0

    torso_px = np.linalg.norm(
        mid(pose.image_xy, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
        - mid(pose.image_xy, L.LEFT_HIP, L.RIGHT_HIP)
    )
    torso_m = np.linalg.norm(
        mid(pose.world_xyz, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
        - mid(pose.world_xyz, L.LEFT_HIP, L.RIGHT_HIP)
    )
    leg_px = np.linalg.norm(pose.image_xy[start] - pose.image_xy[end])
    leg_m = np.linalg.norm(pose.world_xyz[start] - pose.world_xyz[end])
    if not (torso_m > 0 and leg_m > 0 and torso_px > 0):
        return math.nan
    return float(leg_px / (leg_m * torso_px / torso_m))


def _known_side(pose: PoseFrame, rules: RuleSet, near: str, threshold: float) -> bool | None:
    """The side practised, judged from this pose alone: None unless the legs clearly differ."""
    sides = rules.sides
    if sides is None:
        return None
    measure = rules.measures[sides.detect.measure]
    written = evaluate(measure, pose, False, threshold, near).value
    other = evaluate(measure, pose, True, threshold, near).value
    if not (math.isfinite(written) and math.isfinite(other)):
        # with one leg hidden the model also mixes up which leg is which (on a render from the
        # folded side it reported the straight leg bent at 40 degrees): like the rule engine in
        # a video, decide only once both legs are seen
        return None
    if abs(written - other) < sides.detect.margin:
        return None  # both legs alike (e.g. both straight): the side is not known yet
    return sides.detect.choose(written, other)


def _view_advice(
    pose: PoseFrame, view: CameraView, rules: RuleSet, mirrored: bool | None, threshold: float
) -> tuple[str, ...]:
    """For a one-sided pose seen best from the side or diagonally: a front view, or the camera
    on the side of the role the rule file does not want nearer (e.g. the straight leg)."""
    sides = rules.sides
    wanted = set(rules.pose.views)
    if sides is None or not wanted or wanted & {"front", "back"}:
        return ()
    if _front_view(pose, view):
        which = ", from the side of your bent leg" if SEEN_ROLE in sides.roles else ""
        return (f"Turn the camera (or yourself) to see you from the side{which}.",)
    if view.name not in ("side", "diagonal"):
        return ()
    side = mirrored if mirrored is not None else _known_side(pose, rules, view.near, threshold)
    if side is None:
        return ()  # which leg is which is not known yet: claim nothing
    near_role = next(
        (
            role
            for role, body_side in sides.roles.items()
            if (body_side if not side else ("RIGHT" if body_side == "LEFT" else "LEFT"))
            == view.near
        ),
        None,
    )
    if near_role == HIDING_ROLE:
        return (
            "The camera is on your straight leg's side, which hides the bent leg: turn so the "
            "camera sees you from the side of your bent leg.",
        )
    return ()
