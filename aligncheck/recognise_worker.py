"""Pose recognition on a thread of its own, beside the pose model (pass 1 of ``--pose auto``).

Recognising a pose among every installed rule file costs a few milliseconds a frame; done on
the estimating thread it would add to every frame's time. Here it runs while the model works on
the next frame (the model releases the GIL). Answers come back in order. A skeleton that could
not be a body is told to the estimator through :class:`~aligncheck.hindsight.Hindsight`, a
fixed number of frames later, so two runs of the same video give the same result.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence

from aligncheck.core import PoseFrame
from aligncheck.hindsight import Hindsight
from aligncheck.recognise import RecogniseSettings, Recognition, recognise
from aligncheck.rules.schema import RuleSet


class RecogniseWorker:
    """Recognises the poses put in, in order, on a background thread."""

    def __init__(
        self,
        library: Sequence[RuleSet],
        settings: RecogniseSettings,
        done: Callable[[int], None] | None = None,
    ) -> None:
        self.library, self.settings, self._done = library, settings, done
        self.found: list[Recognition] = []
        self.hindsight = Hindsight()
        self._queue: queue.Queue[PoseFrame | None] = queue.Queue(maxsize=4)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="aligncheck-recognise", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while (pose := self._queue.get()) is not None:
                found = recognise(self.library, pose, self.settings)
                self.found.append(found)
                self.hindsight.judged(bool(found.check))
                if self._done is not None:
                    self._done(len(self.found))
        except BaseException as exc:  # re-raised by put() / finish()
            self._error = exc
            self.hindsight.close()
            while self._queue.get() is not None:
                pass

    def put(self, pose: PoseFrame) -> None:
        """Queue the next pose; re-raises a failure of the thread."""
        if self._error is not None:
            raise self._error
        self._queue.put(pose)

    def finish(self) -> list[Recognition]:
        """Recognise what is queued, stop the thread and return every answer, in order."""
        self._queue.put(None)
        self._thread.join()
        self.hindsight.close()
        if self._error is not None:
            raise self._error
        return self.found
