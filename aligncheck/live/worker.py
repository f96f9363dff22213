"""Pose estimation on its own thread, always on the newest captured frame."""

from __future__ import annotations

import threading

from aligncheck.core import PoseFrame
from aligncheck.hindsight import Hindsight
from aligncheck.live.capture import Captured, Latest, LiveSource


class PoseWorker:
    """Estimates poses on a thread of its own, always from the newest frame.

    Pose estimation is most of a frame's time. Done here, it overlaps with the judging and
    drawing of the previous frame, so the next frame is picked up as soon as it arrives rather
    than waiting for the drawing: lower latency and a higher frame rate. ``lossless`` hands on
    every frame (tests); otherwise a pose the loop had no time for is replaced by a newer one.
    """

    def __init__(self, capture: LiveSource, estimator: object, lossless: bool = False) -> None:
        self.capture, self.estimator, self.lossless = capture, estimator, lossless
        #: Lossless only (every pose is judged, in order): poses that could not be a body,
        #: told back a fixed number of poses later so a run is repeatable. Otherwise
        #: :meth:`garbled` tells the estimator at once.
        self.hindsight = Hindsight() if lossless else None
        self.error: BaseException | None = None
        self.paused = threading.Event()
        self._box: Latest[tuple[Captured, PoseFrame]] = Latest()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="aligncheck-pose", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        estimated = 0
        try:
            while not self._stop.is_set():
                if self.paused.is_set():
                    self._stop.wait(0.02)
                    continue
                captured = self.capture.read(timeout=0.05)
                if captured is None:
                    if self.capture.ended:
                        return
                    continue
                if self.hindsight is not None and self.hindsight.garbled(estimated):
                    self.estimator.look_again()  # type: ignore[attr-defined]
                estimated += 1
                pose = self.estimator.estimate(captured.frame)  # type: ignore[attr-defined]
                self._box.put((captured, pose), wait=self.lossless)
        except BaseException as exc:  # re-raised in the loop's thread by read()
            self.error = exc
        finally:
            self._box.end()

    def judged(self, garbled: bool) -> None:
        """The loop judged the pose it took; ``garbled``: the skeleton could not be a body, and
        the estimator should restart tracking."""
        if self.hindsight is not None:
            self.hindsight.judged(garbled)
        elif garbled:
            self.estimator.look_again()  # type: ignore[attr-defined]

    @property
    def ended(self) -> bool:
        """True once no more poses will come."""
        return self._box.ended

    @property
    def dropped(self) -> int:
        """Poses replaced by a newer one before the loop took them."""
        return self._box.dropped

    def read(self, timeout: float) -> tuple[Captured, PoseFrame] | None:
        """The newest pose with its frame; None on timeout or at the end."""
        item = self._box.take(timeout)
        if item is None and self.error is not None:
            raise self.error
        return item

    def close(self) -> None:
        """Stop the thread (idempotent)."""
        self._stop.set()
        if self.hindsight is not None:
            self.hindsight.close()
        self._box.end()
        self._thread.join(timeout=10.0)
