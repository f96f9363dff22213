"""Run an iterator on a thread of its own, a few items ahead of its consumer.

Video decoding releases the GIL, so decoding the next frames while the pose model works on
the current one takes it off the inference thread's time. The queue is short, so memory stays
flat; stopping early (``until``, Ctrl-C, an error downstream) stops the thread and lets the
iterator close its file.
"""

from __future__ import annotations

import contextlib
import queue
import sys
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


class _Ended:
    """The producer's last item: the end, or the exception that ended it."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


def prefetched(
    items: Iterable[T], depth: int = 3, name: str = "aligncheck-prefetch"
) -> Iterator[T]:
    """Yield ``items`` in order, produced by a background thread at most ``depth`` ahead.

    An exception raised while producing is re-raised here, at the point of the item it
    replaced.
    """
    box: queue.Queue = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()

    def offer(item: object) -> bool:
        while not stop.is_set():
            try:
                box.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        iterator = iter(items)
        try:
            for item in iterator:
                if not offer(item):
                    break
        except BaseException as exc:  # handed to the consumer
            offer(_Ended(exc))
            return
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()
        offer(_Ended())

    thread = threading.Thread(target=produce, name=name, daemon=True)
    thread.start()
    try:
        while True:
            item = box.get()
            if isinstance(item, _Ended):
                if item.error is not None:
                    raise item.error
                return
            yield item
    finally:
        stop.set()
        thread.join()


#: Seconds a thread may hold the GIL while another waits for it, during an analysis.
SWITCH_INTERVAL = 0.001


@contextlib.contextmanager
def quick_switching(interval: float = SWITCH_INTERVAL) -> Iterator[None]:
    """Let threads take turns at the GIL more often for the duration (Python's default is
    5 ms): when the pose model returns a result, the estimating thread gets the interpreter
    back from the judging thread sooner, so the model is not left waiting."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, interval))
    try:
        yield
    finally:
        sys.setswitchinterval(before)
