"""When a video's tracked person needs a look for other people: the lookout's schedule.

Asking MediaPipe's landmarker for more than one person makes it run its person detector on every
frame instead of tracking the one it found, which costs about 40 % of the throughput. So in a
video one person is tracked, and a second landmarker that asks for several people looks at a
frame only now and then:

* every :data:`LOOK_EVERY` seconds of video (and on the first frame);
* when the tracked person is lost (a body was seen, then none);
* when the body jumps: its centre moves by more than its own size, or its size changes more
  than twofold, between two frames; the tracker may have swapped to someone else.

When the skeleton the tracker follows cannot be a body (the rule engine's plausibility check,
which the caller reports with :meth:`PoseEstimator.look_again`), tracking is restarted: a
tracker that lost the body in a fold can stay stuck on a garbled skeleton, where a fresh
detection finds the body again. If the skeleton is garbled again soon after a restart (the
body is in a position the tracker cannot follow), every frame gets a fresh detection for a
while, then tracking is tried again; each time tracking fails again straight away, the while
doubles (from :data:`LOOK_EVERY` up to :data:`DETECT_AT_MOST` seconds), and it is back to its
shortest after :data:`DETECT_AT_MOST` seconds of tracking without a garbled skeleton.

Once the lookout sees more than one person, every frame is measured for everybody (as the
single landmarker did before, so the largest body is chosen) until one person alone has been
seen for :data:`LOOK_EVERY` seconds; then tracking one person resumes.

This module holds only the decision (pure, testable without a model); the landmarkers are in
:mod:`aligncheck.estimate.landmarker`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from aligncheck.core import DEFAULT_VISIBILITY_THRESHOLD, PoseFrame

#: Seconds of video between two looks for other people while one person is tracked.
LOOK_EVERY = 1.0
#: A body whose centre moves further than this many times its own size between two frames,
#: or whose size changes by more than :data:`JUMP_SCALE`, counts as a jump.
JUMP_DISTANCE = 1.0
JUMP_SCALE = 2.0
#: The longest stretch (seconds of video) of fresh detections on every frame after tracking
#: failed repeatedly.
DETECT_AT_MOST = 8.0


@dataclass(frozen=True)
class Box:
    """The box around a body's visible landmarks, in pixels."""

    cx: float
    cy: float
    size: float

    @classmethod
    def of(cls, pose: PoseFrame) -> Box | None:
        """The box of ``pose``'s visible landmarks, or None with fewer than two of them."""
        if not pose.detected:
            return None
        seen = pose.image_xy[pose.visibility >= DEFAULT_VISIBILITY_THRESHOLD]
        seen = seen[np.all(np.isfinite(seen), axis=1)]
        if len(seen) < 2:
            return None
        low, high = seen.min(axis=0), seen.max(axis=0)
        centre = (low + high) / 2.0
        return cls(float(centre[0]), float(centre[1]), float(max(np.hypot(*(high - low)), 1.0)))

    def jumped_to(self, other: Box) -> bool:
        """True when ``other`` is too far or too different in size to be the same body one
        frame later."""
        moved = math.hypot(other.cx - self.cx, other.cy - self.cy) / self.size
        scale = max(other.size / self.size, self.size / other.size)
        return moved > JUMP_DISTANCE or scale > JUMP_SCALE


class Lookout:
    """Decides, frame by frame, whether the landmarker for several people must look."""

    def __init__(self, every: float = LOOK_EVERY) -> None:
        self.every = float(every)
        self.crowd = False  # more than one person seen lately: measure everybody every frame
        self._next_look = -math.inf
        self._alone_since: float | None = None
        self._box: Box | None = None
        self._was_seen = False
        self._restarted = -math.inf
        self._detect_until = -math.inf
        self._detect_for = self.every

    def detecting(self, timestamp: float) -> bool:
        """True while every frame gets a fresh detection (tracking failed lately)."""
        return timestamp < self._detect_until

    def garbled(self, timestamp: float) -> bool:
        """The skeleton could not be a body: True to restart tracking now; soon after another
        restart, detect afresh on every frame for a while instead (and return False)."""
        if timestamp < self._detect_until:
            return False
        since = min(timestamp - self._restarted, timestamp - self._detect_until)
        if since < 2.0 * self.every:  # failed again soon after a restart or detecting stretch
            if self._detect_until > self._restarted:
                self._detect_for = min(2.0 * self._detect_for, DETECT_AT_MOST)
            self._detect_until = timestamp + self._detect_for
            return False
        if since > DETECT_AT_MOST:
            self._detect_for = self.every
        self._restarted, self._box = timestamp, None
        return True

    def due(self, tracked: PoseFrame) -> bool:
        """Whether to look for others on the frame whose tracked pose is ``tracked`` (only
        asked while not in a crowd)."""
        t = tracked.timestamp
        box = Box.of(tracked)
        lost = self._was_seen and not tracked.detected
        jumped = box is not None and self._box is not None and self._box.jumped_to(box)
        self._box, self._was_seen = box, tracked.detected
        if t >= self._next_look or lost or jumped:
            self._next_look = t + self.every
            return True
        return False

    def looked(self, people: int, timestamp: float) -> None:
        """What a look (or, in a crowd, a frame measured for everybody) found."""
        if people > 1:
            self.crowd, self._alone_since = True, None
            return
        if not self.crowd:
            return
        if self._alone_since is None:
            self._alone_since = timestamp
        elif timestamp - self._alone_since >= self.every:
            self.crowd, self._alone_since = False, None
            self._next_look = timestamp + self.every
            self._box = None
