"""Typed, frozen model of a pose's rule file. Built only by :mod:`aligncheck.rules.loader`.

A rule file is written for one side of the body. Landmarks are named either directly
(``NOSE``, ``LEFT_HIP``) or through a *role* (``STRAIGHT_KNEE`` = the knee of the leg playing
the "straight" role, which is the right leg as written when ``roles: {straight: RIGHT}``). When
the practitioner does the pose on the other side, every landmark is mirrored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from aligncheck.landmarks import MIRROR, Landmark

SCHEMA_VERSION = 1

Space = Literal["image", "world"]
VIEWS: tuple[str, ...] = ("side", "front", "back", "diagonal")

#: Measure types, the number of points each takes, and whether it needs a reference segment.
MEASURE_TYPES: dict[str, tuple[int, bool]] = {
    "joint_angle": (3, False),
    "flexion": (3, False),
    "angle_between": (4, False),
    "inclination": (2, False),
    "elevation": (2, False),
    "twist": (4, False),
    "relative_distance": (2, True),
    "relative_height": (2, True),
    "distance": (2, False),
    "line_offset": (4, True),
    "back_curve": (2, False),
}
#: Measure types whose sign flips when the pose is mirrored (rotation about the vertical).
CHIRAL_TYPES = frozenset({"twist"})
#: Measure types that only make sense on image coordinates, or only on world coordinates.
IMAGE_ONLY = frozenset({"line_offset", "back_curve"})
WORLD_ONLY = frozenset({"twist"})
ANGLE_TYPES = frozenset(
    {"joint_angle", "flexion", "angle_between", "inclination", "elevation", "twist"}
)
#: Measure types read from the person's silhouette (the estimator must be asked for a mask).
SILHOUETTE_TYPES = frozenset({"back_curve"})
#: Measure types whose points are fixed, as sets of landmarks (the order of a mid() is free):
#: the back's profile is taken along the hips-to-shoulders chord at estimation time.
FIXED_POINTS: dict[str, tuple[frozenset[Landmark], ...]] = {
    "back_curve": (
        frozenset({Landmark.LEFT_HIP, Landmark.RIGHT_HIP}),
        frozenset({Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER}),
    ),
}


Relative = Literal["", "near", "far"]


@dataclass(frozen=True)
class Point:
    """A landmark, or the midpoint of two landmarks, as written (before mirroring).

    ``relative`` has one entry per landmark: "" for a fixed or role landmark (mirrored with the
    side practised), "near" / "far" for ``NEAR_X`` / ``FAR_X`` (stored as ``LEFT_X``), the body
    part on the side nearer to / further from the camera, whichever side that is.
    """

    landmarks: tuple[Landmark, ...]
    text: str
    relative: tuple[Relative, ...] = ()

    def resolve(self, mirrored: bool, near: str) -> tuple[Landmark, ...]:
        """The landmarks for the side practised (``mirrored``) and the camera's ``near`` side
        ("LEFT" or "RIGHT")."""
        relative = self.relative or ("",) * len(self.landmarks)
        resolved = []
        for lm, rel in zip(self.landmarks, relative, strict=True):
            flip = mirrored if rel == "" else (near == "RIGHT") == (rel == "near")
            resolved.append(MIRROR[lm] if flip else lm)
        return tuple(resolved)


@dataclass(frozen=True)
class Calibration:
    """Compare the measure with its own median over the first ``seconds`` of ``phase``.

    ``mode`` "ratio" divides by that reference, "difference" subtracts it. Until the phase has
    been seen (and for single photos) ``fallback`` is the reference, a typical value documented
    in the rule file; without a fallback the measure stays unmeasured until calibrated.
    """

    phase: str
    fallback: float | None
    seconds: float = 2.0
    mode: Literal["ratio", "difference"] = "ratio"

    def apply(self, value: float, reference: float | None) -> float:
        """``value`` relative to ``reference`` (NaN if there is none)."""
        if reference is None:
            return float("nan")
        if self.mode == "difference":
            return value - reference
        return value / reference if reference else float("nan")


@dataclass(frozen=True)
class Measure:
    """A named quantity computed from landmarks with one geometry primitive.

    ``views`` names the camera views from which it is reliable: "side", "diagonal", "front",
    "back", or a view with the role that must be nearer the camera, e.g. "side/folded" (a side
    view from the folded leg's side).
    """

    id: str
    type: str
    points: tuple[Point, ...]
    space: Space
    views: frozenset[str]
    label: str
    reference: tuple[Point, Point] | None = None
    calibrate: Calibration | None = None
    line: int = 0
    #: Visibility score from which its landmarks count as seen (None: the engine's default).
    #: Set from measurements of position error against visibility, per measure.
    min_visibility: float | None = None

    def threshold(self, default: float) -> float:
        """The visibility threshold this measure uses, given the engine's default."""
        return default if self.min_visibility is None else self.min_visibility

    @property
    def unit(self) -> str:
        """'deg' for angles, 'ratio' for calibrated ratios, 'body' for body-relative lengths,
        'px' / 'm' for plain distances in image pixels / world metres."""
        if self.calibrate is not None and self.calibrate.mode == "ratio":
            return "ratio"
        if self.type == "distance":
            return "px" if self.space == "image" else "m"
        return "deg" if self.type in ANGLE_TYPES else "body"

    @property
    def needs_silhouette(self) -> bool:
        """True when the value is read from the person's silhouette (a segmentation mask)."""
        return self.type in SILHOUETTE_TYPES

    @property
    def chiral(self) -> bool:
        """True when the value's sign flips for the mirrored side."""
        return self.type in CHIRAL_TYPES

    def reliable_from(self, view: str, near_role: str | None) -> bool:
        """True when ``views`` lists ``view`` plainly, or as ``view/role`` with ``near_role``
        the role on the camera's side."""
        return view in self.views or (near_role is not None and f"{view}/{near_role}" in self.views)

    def landmarks(
        self, mirrored: bool = False, near: str = "LEFT", reference: bool = True
    ) -> tuple[Landmark, ...]:
        """Every landmark this measure needs, resolved for the side and the camera; without
        ``reference``, only the measured body parts (not the ruler segment)."""
        points = self.points + (self.reference or () if reference else ())
        return tuple(dict.fromkeys(lm for p in points for lm in p.resolve(mirrored, near)))

    def anchor(self, mirrored: bool = False, near: str = "LEFT") -> Landmark | None:
        """The landmark at which the value is shown: the vertex of a joint angle, else the
        first single-landmark point."""
        index = 1 if self.type in ("joint_angle", "flexion") else 0
        for point in [self.points[index], *self.points]:
            if len(point.landmarks) == 1:
                return point.resolve(mirrored, near)[0]
        return None


@dataclass(frozen=True)
class Band:
    """An inclusive range ``[low, high]``."""

    low: float
    high: float

    def __contains__(self, value: float) -> bool:
        return self.low <= value <= self.high

    def distance(self, value: float) -> float:
        """How far ``value`` lies outside the band (0 inside)."""
        return max(self.low - value, value - self.high, 0.0)

    def __str__(self) -> str:
        return f"{self.low:g}–{self.high:g}"


@dataclass(frozen=True)
class Condition:
    """``measure`` above and/or below a value (both bounds inclusive).

    With ``if_visible`` the condition only counts when the measure can be taken from this
    view: unknown is then no objection (a phase still needs one condition that truly holds).
    """

    measure: str
    above: float | None = None
    below: float | None = None
    if_visible: bool = False

    def holds(self, value: float) -> bool | None:
        """True/False, or None when ``value`` is NaN (unknown)."""
        if value != value:  # NaN
            return None
        if self.above is not None and value < self.above:
            return False
        return not (self.below is not None and value > self.below)


#: The natural scale of each unit: how far past a recognition condition's bound a value must
#: be to count as a clear margin of 1 (see :class:`Recognition`).
NATURAL_SCALES: dict[str, float] = {"deg": 15.0, "body": 0.25, "ratio": 0.15, "m": 0.1, "px": 40.0}


@dataclass(frozen=True)
class Recognition:
    """How to tell that a person is in this pose at all (``recognise:``), for ``--pose auto``.

    Every condition must hold. ``scales`` has one entry per condition: the distance from the
    bound that counts as a margin of 1 (default: the natural scale of the measure's unit,
    :data:`NATURAL_SCALES`), so that margins of different measures compare.
    """

    when: tuple[Condition, ...]
    scales: tuple[float, ...]
    line: int = 0


@dataclass(frozen=True)
class Phase:
    """A named stage of the pose, entered when all its conditions hold."""

    id: str
    label: str
    when: tuple[Condition, ...]
    line: int = 0


@dataclass(frozen=True)
class Rule:
    """One alignment cue: a measure with an ok band and a close band, in some phases."""

    id: str
    title: str
    measure: str
    phases: frozenset[str]
    ok: Band
    close: Band
    priority: int
    cue: str
    source: str
    why: str
    modification: str = ""
    level_up: str = ""
    line: int = 0


@dataclass(frozen=True)
class GuideStep:
    """One step of the guided entry into the pose: what to say, and when it is done.

    The step is done once the body has been in one of ``phases`` for ``hold`` seconds with
    every rule of ``rules_ok`` ok (or not visible: what the camera cannot see cannot hold
    the practitioner back).
    """

    id: str
    say: str
    source: str
    phases: frozenset[str]
    rules_ok: tuple[str, ...] = ()
    hold: float = 1.0
    line: int = 0


@dataclass(frozen=True)
class Guidance:
    """A cue no camera can check, kept as text for reports; never judged. ``why`` says, for
    an alignment point a rule could name but the camera cannot judge reliably, why not."""

    title: str
    text: str
    source: str
    why: str = ""


@dataclass(frozen=True)
class NearCue:
    """Tell the side from the limb nearer the camera, which the model sees best: when
    ``measure`` (written with ``NEAR_`` points) is above ``above`` the near side plays
    ``role_above``; below ``below`` it plays ``role_below``; in between, no decision."""

    measure: str
    above: float
    below: float
    role_above: str
    role_below: str

    def near_role(self, value: float) -> str | None:
        """The role of the body side nearer the camera, or None if the value does not tell."""
        if value != value:
            return None
        if value > self.above:
            return self.role_above
        if value < self.below:
            return self.role_below
        return None


@dataclass(frozen=True)
class SideDetection:
    """How to tell which side is practised: evaluate ``measure`` as written and mirrored; the
    assignment where it is ``prefer``-red (larger or smaller) wins, by at least ``margin``.

    When only one assignment can be measured (a limb hidden), it wins if its value is beyond
    ``threshold`` in the preferred direction, and loses if it is beyond it the other way by
    ``margin``; without a threshold the side stays unknown.
    """

    measure: str
    prefer: Literal["larger", "smaller"]
    margin: float
    threshold: float | None = None
    near: NearCue | None = None

    def choose(self, written: float, mirrored: float) -> bool | None:
        """True if the mirrored assignment wins, False if the written one does, None if unsure.

        The margin is not applied here: callers use it for hysteresis between frames.
        """
        sign = 1.0 if self.prefer == "larger" else -1.0
        if math.isfinite(written) and math.isfinite(mirrored):
            return sign * (mirrored - written) > 0
        if self.threshold is None:
            return None
        if math.isfinite(written):
            score = sign * (written - self.threshold)
            return False if score > 0 else True if score < -self.margin else None
        if math.isfinite(mirrored):
            score = sign * (mirrored - self.threshold)
            return True if score > 0 else False if score < -self.margin else None
        return None


@dataclass(frozen=True)
class Sides:
    """Roles of a one-sided pose and the names of its two sides."""

    roles: dict[str, Literal["LEFT", "RIGHT"]]
    written: str
    mirrored: str
    detect: SideDetection


@dataclass(frozen=True)
class PoseCard:
    """What the pose is, for people."""

    id: str
    english: str
    sanskrit: str
    family: str
    description: str
    views: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class RuleSet:
    """A validated rule file."""

    path: Path
    schema_version: int
    pose: PoseCard
    measures: dict[str, Measure]
    phases: tuple[Phase, ...]
    rules: tuple[Rule, ...]
    guidance: tuple[Guidance, ...] = ()
    guide: tuple[GuideStep, ...] = ()
    sides: Sides | None = None
    hold_phase: str | None = None
    hold_phases: tuple[str, ...] = ()
    recognise: Recognition | None = None
    extras: dict[str, str] = field(default_factory=dict)

    def holds(self, phase_id: str) -> bool:
        """True when ``phase_id`` counts as holding the pose (``hold_phase``: one phase or a
        list; ``hold_phase`` alone, the first of them, names the hold in reports)."""
        return bool(phase_id) and (phase_id in self.hold_phases or phase_id == self.hold_phase)

    def phase(self, phase_id: str) -> Phase:
        """The phase called ``phase_id``."""
        return next(p for p in self.phases if p.id == phase_id)

    @property
    def needs_silhouette(self) -> bool:
        """True when a rule or a phase uses a measure read from the person's silhouette, so
        the estimator must compute it (it costs time on every frame; other poses skip it)."""
        used = {r.measure for r in self.rules}
        used |= {c.measure for p in self.phases for c in p.when}
        if self.recognise is not None:
            used |= {c.measure for c in self.recognise.when}
        if self.sides is not None:
            used.add(self.sides.detect.measure)
        return any(self.measures[m].needs_silhouette for m in used if m in self.measures)


def fixed_points_problem(kind: str, points: tuple[Point, ...]) -> str:
    """What is wrong with the points of a measure type whose points are fixed ('' if fine)."""
    fixed = FIXED_POINTS.get(kind)
    if fixed is None or tuple(frozenset(p.landmarks) for p in points) == fixed:
        return ""
    return (
        f"a {kind} measure takes exactly [mid(LEFT_HIP, RIGHT_HIP), "
        "mid(LEFT_SHOULDER, RIGHT_SHOULDER)]: the back's outline is measured along that line"
    )
