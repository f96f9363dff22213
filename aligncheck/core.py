"""Frozen values that flow through aligncheck: ``Frame`` from a source, ``PoseFrame`` from the
estimator, ``Verdict`` (with a ``RuleResult`` per rule) from the rule engine. Nothing here
knows about MediaPipe, OpenCV windows or files.

Array conventions (all float64 unless stated):

* ``Frame.image``: (H, W, 3) uint8, **BGR** (OpenCV order).
* ``PoseFrame.image_xy``: (33, 2) landmark positions in image pixels, x to the right, y down.
* ``PoseFrame.world_xyz``: (33, 3) MediaPipe world coordinates in metres, origin between the
  hips, x to the image's right, y **down**, z away from the camera (towards the scene).
* ``PoseFrame.visibility``: (33,) MediaPipe's visibility score in [0, 1].
* ``PoseFrame.back_profile``: (K,) the back's outline beside the hips-to-shoulders line, in
  lengths of that line (see :mod:`aligncheck.estimate.silhouette`), or None when no person
  mask was computed; NaN at a station where the outline was not found.

A landmark the model did not report is NaN in every array, never 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

import numpy as np

from aligncheck.landmarks import NUM_LANDMARKS, Landmark

#: Below this visibility score a landmark counts as "not visible" (shown hollow, never judged).
DEFAULT_VISIBILITY_THRESHOLD = 0.5


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.array(array, dtype=float)  # a private copy: the caller's array stays writable
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class Frame:
    """One image from a source.

    ``timestamp`` is in seconds from the start of the source: ``index / fps`` for video files
    (fps as a float), a monotonic clock read at capture for cameras, 0.0 for still images.
    """

    image: np.ndarray
    index: int
    timestamp: float
    source: str = ""

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        height, width = self.image.shape[:2]
        return width, height


@dataclass(frozen=True, eq=False)
class PoseFrame:
    """The pose of one person in one frame, or the explicit absence of a person.

    Use :meth:`empty` for "no person"; ``detected`` is then False and all arrays are NaN.
    ``people`` is how many people the model found; when it is more than one, ``chosen_by``
    says by which rule this one was picked. ``back_profile`` is None unless the estimator was
    asked for the person's silhouette (only rules that measure the back's curve need it).
    """

    image_xy: np.ndarray
    world_xyz: np.ndarray
    visibility: np.ndarray
    timestamp: float
    image_size: tuple[int, int]
    people: int = 1
    chosen_by: str = ""
    index: int = 0
    extras: dict[str, float] = field(default_factory=dict)
    back_profile: np.ndarray | None = None

    def __post_init__(self) -> None:
        for name, cols in (("image_xy", 2), ("world_xyz", 3)):
            array = _frozen(getattr(self, name))
            if array.shape != (NUM_LANDMARKS, cols):
                raise ValueError(
                    f"{name} must have shape ({NUM_LANDMARKS}, {cols}), got {array.shape}"
                )
            object.__setattr__(self, name, array)
        vis = _frozen(self.visibility)
        if vis.shape != (NUM_LANDMARKS,):
            raise ValueError(f"visibility must have shape ({NUM_LANDMARKS},), got {vis.shape}")
        object.__setattr__(self, "visibility", vis)
        if self.back_profile is not None:
            profile = _frozen(self.back_profile)
            if profile.ndim != 1 or profile.size < 3:
                raise ValueError(
                    f"back_profile must have shape (K,) with K >= 3, got {profile.shape}"
                )
            object.__setattr__(self, "back_profile", profile)

    @classmethod
    def empty(cls, timestamp: float, image_size: tuple[int, int], index: int = 0) -> PoseFrame:
        """A frame in which nobody was found."""
        nan2 = np.full((NUM_LANDMARKS, 2), np.nan)
        nan3 = np.full((NUM_LANDMARKS, 3), np.nan)
        return cls(
            nan2, nan3, np.zeros(NUM_LANDMARKS), timestamp, image_size, people=0, index=index
        )

    @property
    def detected(self) -> bool:
        """True when a person was found."""
        return self.people > 0

    def visible(self, landmark: Landmark, threshold: float = DEFAULT_VISIBILITY_THRESHOLD) -> bool:
        """True when ``landmark`` was reported with visibility of at least ``threshold``."""
        return self.detected and bool(self.visibility[landmark] >= threshold)

    def xy(self, landmark: Landmark, threshold: float | None = None) -> np.ndarray:
        """Pixel position of ``landmark``; NaN when not visible at ``threshold`` (if given)."""
        if threshold is not None and not self.visible(landmark, threshold):
            return np.full(2, np.nan)
        return self.image_xy[landmark]

    def xyz(self, landmark: Landmark, threshold: float | None = None) -> np.ndarray:
        """World position of ``landmark`` in metres; NaN when not visible at ``threshold``."""
        if threshold is not None and not self.visible(landmark, threshold):
            return np.full(3, np.nan)
        return self.world_xyz[landmark]

    def masked(self, threshold: float = DEFAULT_VISIBILITY_THRESHOLD) -> PoseFrame:
        """A copy in which landmarks below ``threshold`` are NaN (so geometry yields NaN)."""
        hidden = ~(self.visibility >= threshold)
        image_xy = np.array(self.image_xy)
        world_xyz = np.array(self.world_xyz)
        image_xy[hidden] = np.nan
        world_xyz[hidden] = np.nan
        return PoseFrame(
            image_xy,
            world_xyz,
            self.visibility,
            self.timestamp,
            self.image_size,
            self.people,
            self.chosen_by,
            self.index,
            dict(self.extras),
            self.back_profile,
        )


class Status(str, Enum):
    """A rule's verdict for one frame. ``UNRELIABLE``: the skeleton the pose model returned
    cannot be a human body (see :mod:`aligncheck.plausibility`), so nothing was judged."""

    OK = "ok"
    CLOSE = "close"
    OFF = "off"
    NOT_VISIBLE = "not visible"
    NOT_APPLICABLE = "not applicable"
    UNRELIABLE = "not read reliably"

    @property
    def judged(self) -> bool:
        """True for ok / close / off: the rule was actually measured."""
        return self in (Status.OK, Status.CLOSE, Status.OFF)


@dataclass(frozen=True)
class RuleResult:
    """One rule's status in one frame, with the measured value and the target.

    ``value`` is NaN unless the rule was measured; ``reason`` explains a not-visible or
    not-applicable status in words (which landmark was hidden, which phase applies).
    """

    rule_id: str
    title: str
    status: Status
    value: float
    unit: str
    ok: tuple[float, float]
    close: tuple[float, float]
    priority: int
    cue: str
    reason: str = ""
    modification: str = ""
    level_up: str = ""
    #: Landmarks the rule's measure uses on the side practised; ``anchor`` is where its value is
    #: drawn (the joint of an angle), or None.
    landmarks: tuple[Landmark, ...] = ()
    anchor: Landmark | None = None


@dataclass(frozen=True)
class Verdict:
    """Everything the rule engine concluded about one frame; annotators only read this.

    ``side`` names the side practised (e.g. "right leg straight") or is "" when unknown;
    ``phase`` is a phase id or "" when the body is in none of the pose's phases.
    ``hold_time`` is the continuous time (s) in the pose's hold phase; ``good_time`` the part
    of it with no rule off. ``measures`` maps measure ids to values (NaN = not visible).
    ``reliability`` is "" when the skeleton is plausible, else why it was not read reliably
    (then every rule is :attr:`Status.UNRELIABLE`, ``top`` is None, ``suggestion`` says
    what to change, e.g. where to put the camera, and ``reliability_check`` names the check
    that failed, a key of :data:`aligncheck.plausibility.CHECK_LABELS`).
    """

    timestamp: float
    index: int
    pose_id: str
    detected: bool
    people: int
    side: str
    mirrored: bool
    phase: str
    phase_label: str
    view: str
    measures: dict[str, float]
    results: tuple[RuleResult, ...]
    top: RuleResult | None
    hold_time: float = 0.0
    good_time: float = 0.0
    notes: tuple[str, ...] = ()
    reliability: str = ""
    suggestion: str = ""
    reliability_check: str = ""

    @property
    def reliable(self) -> bool:
        """False when the pose was not read reliably (see ``reliability``)."""
        return not self.reliability

    def result(self, rule_id: str) -> RuleResult:
        """The result of rule ``rule_id``."""
        return next(r for r in self.results if r.rule_id == rule_id)
