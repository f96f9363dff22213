"""A video's poses in order: per-frame recognitions smoothed into segments.

Each frame has a raw label, the pose recognised in it or "" (no known pose, see
:mod:`aligncheck.recognise`). Single frames are noisy, so the labels are smoothed:

1. a stretch shorter than ``gap`` seconds between two stretches of the same pose belongs to
   that pose (a frame or two misread, a hand passing the knee);
2. a pose must hold for ``hold`` seconds to make a segment; shorter stretches count as no
   known pose;
3. what lies between poses is a **transition** when it is short (up to ``transition``
   seconds) and borders a pose, else a stretch of **no known pose**.

:func:`segment_labels` works on a whole recording; :class:`PoseTracker` makes the same
decision frame by frame, as it happens (``live``), where a pose is only reported once it has
held for ``hold`` seconds.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from aligncheck.recognise import NO_POSE

Kind = Literal["pose", "transition", "none"]
#: Words for a segment that is not a pose.
KIND_LABELS = {"transition": "transition", "none": NO_POSE}


@dataclass(frozen=True)
class SegmentSettings:
    """Smoothing of the per-frame decision (seconds)."""

    hold: float = 1.0
    gap: float = 0.5
    transition: float = 3.0


@dataclass(frozen=True)
class Segment:
    """A stretch of the video: one pose (``kind`` "pose", ``pose_id`` set), a transition
    between poses, or no known pose. ``start``/``end`` in seconds (end exclusive: the next
    frame's time), ``first``/``last`` the positions of its first and last frame in the list of
    frames given."""

    kind: Kind
    pose_id: str
    start: float
    end: float
    first: int
    last: int

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.end - self.start

    @property
    def label(self) -> str:
        """The pose id, "transition" or "no known pose"."""
        return self.pose_id if self.kind == "pose" else KIND_LABELS[self.kind]


@dataclass
class _Run:
    label: str
    first: int
    last: int


def _ends(times: Sequence[float]) -> list[float]:
    """Each frame's end: the next frame's time (the last frame lasts a typical frame)."""
    steps = sorted(b - a for a, b in itertools.pairwise(times) if b > a)
    step = steps[len(steps) // 2] if steps else 0.0
    return [*times[1:], times[-1] + step] if times else []


def _merge(runs: list[_Run]) -> list[_Run]:
    merged: list[_Run] = []
    for run in runs:
        if merged and merged[-1].label == run.label:
            merged[-1].last = run.last
        else:
            merged.append(_Run(run.label, run.first, run.last))
    return merged


def segment_labels(
    times: Sequence[float], labels: Sequence[str], settings: SegmentSettings | None = None
) -> list[Segment]:
    """The segments of a recording from its frames' times and raw labels ("" = none)."""
    settings = settings or SegmentSettings()
    if len(times) != len(labels):
        raise ValueError("one label per frame time is needed")
    if not times:
        return []
    ends = _ends(times)

    def length(run: _Run) -> float:
        return ends[run.last] - times[run.first]

    runs = _merge([_Run(label, i, i) for i, label in enumerate(labels)])
    for i, run in enumerate(runs):  # 1. short interruptions of one pose
        if not run.label:
            continue
        for j in range(i + 1, len(runs)):
            if times[runs[j].first] - ends[run.last] >= settings.gap:
                break
            if runs[j].label == run.label:
                for between in runs[i + 1 : j]:
                    between.label = run.label
                break
    runs = _merge(runs)
    for run in runs:  # 2. a pose must hold
        if run.label and length(run) < settings.hold:
            run.label = ""
    runs = _merge(runs)
    segments = []
    for i, run in enumerate(runs):  # 3. transitions and no known pose
        start, end = times[run.first], ends[run.last]
        if run.label:
            segments.append(Segment("pose", run.label, start, end, run.first, run.last))
            continue
        near_pose = (i > 0 and runs[i - 1].label) or (i + 1 < len(runs) and runs[i + 1].label)
        kind: Kind = "transition" if near_pose and end - start <= settings.transition else "none"
        segments.append(Segment(kind, "", start, end, run.first, run.last))
    return segments


class PoseTracker:
    """The pose of a live stream, frame by frame: a new pose is reported once it has been
    recognised for ``hold`` seconds (give or take interruptions shorter than ``gap``), and the
    current pose is kept until it has not been seen for ``gap`` seconds."""

    def __init__(self, settings: SegmentSettings | None = None) -> None:
        self.settings = settings or SegmentSettings()
        self.current = ""
        self._candidate = ""
        self._since = 0.0
        self._seen: dict[str, float] = {}

    def update(self, t: float, label: str) -> str:
        """The pose id to judge at time ``t`` ("" for none) given this frame's raw label."""
        gap, hold = self.settings.gap, self.settings.hold
        if label:
            self._seen[label] = t
        if self._candidate and t - self._seen[self._candidate] > gap:
            self._candidate = ""
        if self.current and t - self._seen[self.current] > gap:
            self.current = ""
        if label and label != self.current:
            if label != self._candidate:
                self._candidate, self._since = label, t
            elif t - self._since >= hold:
                self.current, self._candidate = label, ""
        return self.current
