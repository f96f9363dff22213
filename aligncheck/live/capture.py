"""Live frame sources: always the newest frame, never a queue of stale ones.

A live session must judge what the practitioner is doing *now*. Both sources here hand out the
most recent frame only; frames that arrive while the previous one is still being processed are
dropped (and counted), so latency stays at one frame's processing time however slow the
machine is.

* :class:`CameraCapture`: a thread reads the camera continuously and keeps only the latest
  image, timestamped by a monotonic clock read at capture (seconds since the first frame).
* :class:`FileCapture`: a video file played like a camera. With ``realtime=True`` a thread
  delivers frames at the file's frame rate in real time and the ones processing could not keep
  up with are skipped; ``realtime=False`` hands out every frame in order (for tests). Timestamps
  are the file's own.

Each source yields :class:`Captured` items from :meth:`read`; when it ends (the file is over,
the camera was unplugged) ``read`` returns None and ``problem`` says why, if it was a failure.
Opening checks the input at once and raises :class:`~aligncheck.errors.SourceError`, so the
caller can say what is wrong before any window opens.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Generic, Protocol, TypeVar

import cv2

from aligncheck.core import Frame
from aligncheck.errors import SourceError
from aligncheck.quiet import captured_stderr
from aligncheck.sources import VideoSource

T = TypeVar("T")


@dataclass(frozen=True)
class Captured:
    """A frame and the monotonic clock reading (s) when it became available."""

    frame: Frame
    clock: float


class LiveSource(Protocol):
    """What the live loop reads from (see the module docstring)."""

    name: str
    fps: float
    size: tuple[int, int]
    dropped: int
    problem: str

    def read(self, timeout: float = 1.0) -> Captured | None: ...

    @property
    def ended(self) -> bool: ...

    def close(self) -> None: ...


class Latest(Generic[T]):
    """A one-slot mailbox: a writer thread replaces the item; the reader takes the newest.

    ``put(item, wait=True)`` instead waits until the previous item was taken (nothing is
    dropped: for tests that must see every frame).
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: T | None = None
        self._taken = True
        self.ended = False
        self.dropped = 0

    def put(self, item: T, wait: bool = False) -> None:
        with self._cond:
            if wait:
                self._cond.wait_for(lambda: self._taken or self.ended)
            if not self._taken:
                self.dropped += 1  # the reader never saw the previous item
            self._item, self._taken = item, False
            self._cond.notify_all()

    def end(self) -> None:
        with self._cond:
            self.ended = True
            self._cond.notify_all()

    def take(self, timeout: float) -> T | None:
        """The newest unseen item; None on timeout or once ended with nothing new."""
        with self._cond:
            self._cond.wait_for(lambda: not self._taken or self.ended, timeout)
            if self._taken:
                return None
            self._taken = True
            self._cond.notify_all()
            return self._item


class _ThreadedSource:
    """Common part of the threaded sources: the mailbox, the reader thread and closing."""

    def __init__(self, name: str, fps: float, size: tuple[int, int]) -> None:
        self.name, self.fps, self.size = name, fps, size
        self.problem = ""
        self._box: Latest[Captured] = Latest()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._guarded, name=f"capture {name}", daemon=True)

    def _guarded(self) -> None:
        try:
            self._produce()
        except SourceError as exc:
            self.problem = str(exc)
        except Exception as exc:  # a capture failure must end the session, not hang it
            self.problem = f"{self.name}: reading failed ({exc})."
        finally:
            self._box.end()

    def _produce(self) -> None:
        raise NotImplementedError

    @property
    def dropped(self) -> int:
        """Frames replaced by a newer one before they were read."""
        return self._box.dropped

    @property
    def ended(self) -> bool:
        """True once the source delivers no more frames."""
        return self._box.ended

    def read(self, timeout: float = 1.0) -> Captured | None:
        """The newest frame not yet read; None after ``timeout`` s or when the source ended."""
        return self._box.take(timeout)

    def close(self) -> None:
        """Stop the reader thread (idempotent)."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5.0)

    def __enter__(self) -> _ThreadedSource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class CameraCapture(_ThreadedSource):
    """The newest image of camera ``index``; opening fails at once if there is no camera."""

    def __init__(self, index: int = 0) -> None:
        with captured_stderr():
            capture = cv2.VideoCapture(index)
        if not capture.isOpened():
            capture.release()
            raise SourceError(
                f"No camera {index}: it does not exist or another program is using it. Plug a "
                "camera in, close other camera apps, or try another --camera index "
                "(or --source FILE to coach from a video)."
            )
        ok, first = capture.read()
        if not ok:
            capture.release()
            raise SourceError(f"Camera {index} opened but delivered no image.")
        fps = capture.get(cv2.CAP_PROP_FPS)
        rate = float(fps) if 0 < fps < 1000 else 30.0
        super().__init__(f"camera {index}", rate, (first.shape[1], first.shape[0]))
        self.index = index
        self._capture = capture
        self._thread.start()

    def _produce(self) -> None:
        start = time.monotonic()
        index = 0
        try:
            while not self._stop.is_set():
                ok, image = self._capture.read()
                now = time.monotonic()
                if not ok:
                    raise SourceError(
                        f"Camera {self.index} stopped delivering images (unplugged?)."
                    )
                self._box.put(Captured(Frame(image, index, now - start, self.name), now))
                index += 1
        finally:
            self._capture.release()


class FileCapture(_ThreadedSource):
    """A video file played like a camera (see the module docstring)."""

    def __init__(self, path: Path | str, realtime: bool = True) -> None:
        self.video = VideoSource(path)
        info = self.video.info
        super().__init__(self.video.name, info.fps, (info.width, info.height))
        self.realtime = realtime
        self._frames: Iterator[Frame] | None = None
        self._ended = False
        if realtime:
            self._thread.start()

    def _produce(self) -> None:
        frames = iter(self.video)
        try:
            start = time.monotonic()
            for frame in frames:
                due = start + frame.timestamp
                while not self._stop.is_set() and (wait := due - time.monotonic()) > 0:
                    self._stop.wait(wait)
                if self._stop.is_set():
                    return
                self._box.put(Captured(frame, time.monotonic()))
        finally:
            frames.close()  # type: ignore[attr-defined]
            self._note_truncation()

    def _note_truncation(self) -> None:
        if self.video.truncated:
            self.problem = (
                f"{self.name} ended after {self.video.frames_read} of "
                f"{self.video.info.frame_count} frames: the file looks truncated."
            )

    @property
    def ended(self) -> bool:
        """True once the file is over."""
        return self._ended if not self.realtime else self._box.ended

    def read(self, timeout: float = 1.0) -> Captured | None:
        """The next frame (every frame when not real time; the newest one when real time)."""
        if self.realtime:
            return super().read(timeout)
        if self._frames is None:
            self._frames = iter(self.video)
        frame = None if self._ended else next(self._frames, None)
        if frame is None:
            self._ended = True
            self._note_truncation()
            return None
        return Captured(frame, time.monotonic())

    def close(self) -> None:
        """Stop playing and release the file (idempotent)."""
        super().close()
        if self._frames is not None:
            self._frames.close()  # type: ignore[attr-defined]
            self._frames = None


def open_live_source(
    camera: int | None = None, source: Path | str | None = None, realtime: bool = True
) -> CameraCapture | FileCapture:
    """A file played like a camera when ``source`` is given, else camera ``camera`` (default 0)."""
    if source is not None:
        return FileCapture(source, realtime)
    return CameraCapture(0 if camera is None else camera)
