"""Telling the pose estimator, a fixed number of frames later, which poses could not be a body.

The rule engine judges poses on a thread of its own (:mod:`aligncheck.pipeline`), a few frames
behind the estimator. When it finds a skeleton that cannot be a body, the estimator should
restart tracking (:meth:`~aligncheck.estimate.PoseEstimator.look_again`). Told "as soon as
known", the restart would land on whichever frame the estimator happened to be at, and two runs
of the same video would differ. So the news is delivered exactly :data:`LAG` estimated frames
later: before estimating its n-th pose, the estimator asks about pose n - LAG, waiting for the
engine to have judged it if need be (it almost never has to: the queue between them is
shorter than the lag).
"""

from __future__ import annotations

import threading

#: Estimated frames between a pose and the moment the estimator hears how it was judged.
LAG = 2


class Hindsight:
    """The judged poses' "could not be a body" flags, shared by the estimating and the judging
    thread."""

    def __init__(self, lag: int = LAG) -> None:
        self.lag = lag
        self._cond = threading.Condition()
        self._judged = 0  # poses judged so far
        self._garbled: set[int] = set()
        self._closed = False

    def judged(self, garbled: bool) -> None:
        """The engine judged the next pose (in order); ``garbled``: it could not be a body."""
        with self._cond:
            if garbled:
                self._garbled.add(self._judged)
            self._judged += 1
            self._cond.notify_all()

    def close(self) -> None:
        """No more poses will be judged (the judging thread ended); wakes any waiter."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def garbled(self, pose: int) -> bool:
        """Whether estimated pose number ``pose - lag`` could not be a body (False before the
        lag has passed); waits until that pose is judged."""
        asked = pose - self.lag
        if asked < 0:
            return False
        with self._cond:
            while self._judged <= asked and not self._closed:
                self._cond.wait(0.1)
            found = asked in self._garbled
            self._garbled.discard(asked)
            return found
