"""Writers for a session's files: the annotated video and the per-frame data log.

Both are context managers that write as frames arrive (nothing is held in memory) and close
their file properly even when the run is interrupted, so partial results stay readable.

* :class:`AnnotatedVideo`: H.264 in an MP4 (yuv420p, ``+faststart``) through PyAV's libx264,
  which browsers play. Frames are encoded on a background thread, overlapping with pose
  estimation.
* :class:`FrameLog`: JSON Lines. The first line is a header (schema version, source, model and
  rules checksums); then one line per frame with the landmarks, the back's profile when the
  silhouette was measured (``back``: one number or null per station), side, phase, measures and
  rule statuses, and, for a frame whose skeleton was not read reliably, ``unreliable`` with the
  failed check, the reason and the suggestion. :func:`read_frame_log` reads it back (for
  ``--from-landmarks``).
"""

from __future__ import annotations

import json
import math
import queue
import threading
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any

import av
import cv2
import numpy as np

from aligncheck.core import PoseFrame, Verdict
from aligncheck.errors import OutputError, SourceError
from aligncheck.landmarks import NUM_LANDMARKS

FRAME_LOG_SCHEMA_VERSION = 1


class AnnotatedVideo:
    """Encode BGR frames to a browser-playable H.264 MP4."""

    def __init__(self, path: Path, fps: float, width: int, height: int, crf: int = 26) -> None:
        self.path = path
        # libx264 with yuv420p needs even sizes: crop the odd pixel, or pad a 1-pixel side to 2
        self.width, self.height = _even(width), _even(height)
        try:
            self._container = av.open(str(path), mode="w", options={"movflags": "+faststart"})
        except (OSError, av.error.FFmpegError) as exc:
            raise OutputError(f"{path}: cannot be written ({exc}).") from exc
        rate = Fraction(fps).limit_denominator(1001) if fps > 0 else Fraction(30)
        self._stream = self._container.add_stream("libx264", rate=rate)
        self._stream.width, self._stream.height = self.width, self.height
        self._stream.pix_fmt = "yuv420p"
        # one encoder thread: the pose model needs the other core more than x264 does
        self._stream.codec_context.thread_count = 1
        self._stream.options = {"crf": str(crf), "preset": "veryfast", "threads": "1"}
        # millisecond timestamps, so a variable frame rate input keeps its timing
        self._stream.codec_context.time_base = Fraction(1, 1000)
        self._last_pts = -1
        self._queue: queue.Queue[tuple[np.ndarray, int] | None] = queue.Queue(maxsize=8)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._encode, name="aligncheck-encoder", daemon=True)
        self._thread.start()
        self.frames = 0

    def _encode(self) -> None:
        try:
            while (item := self._queue.get()) is not None:
                image, pts = item
                # OpenCV converts to the encoder's YUV 4:2:0 without holding the GIL, faster
                # and closer to the source colours than the conversion PyAV would do
                planes = cv2.cvtColor(image, cv2.COLOR_BGR2YUV_I420)
                frame = av.VideoFrame.from_ndarray(planes, format="yuv420p")
                frame.pts, frame.time_base = pts, Fraction(1, 1000)
                for packet in self._stream.encode(frame):
                    self._container.mux(packet)
        except BaseException as exc:
            self._error = exc
            while self._queue.get() is not None:  # drain so writers never block
                pass

    def write(self, image: np.ndarray, timestamp: float | None = None) -> None:
        """Queue one BGR frame (cut or padded to even size) shown at ``timestamp`` seconds
        (default: the next frame at the nominal rate)."""
        if self._error is not None:
            raise OutputError(f"{self.path}: encoding failed ({self._error}).")
        if timestamp is None:
            timestamp = self.frames / float(self._stream.average_rate or 30)
        pts = max(round(timestamp * 1000.0), self._last_pts + 1)
        self._last_pts = pts
        image = image[: self.height, : self.width]
        short = (self.height - image.shape[0], self.width - image.shape[1])
        if any(short):
            image = np.pad(image, ((0, short[0]), (0, short[1]), (0, 0)), mode="edge")
        self._queue.put((np.ascontiguousarray(image), pts))
        self.frames += 1

    def close(self) -> None:
        """Finish encoding and close the file (idempotent)."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if self._container is not None:
            try:
                if self._error is None:
                    for packet in self._stream.encode():
                        self._container.mux(packet)
            finally:
                self._container.close()
                self._container = None
        if self._error is not None:
            raise OutputError(f"{self.path}: encoding failed ({self._error}).")

    def __enter__(self) -> AnnotatedVideo:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _even(size: int) -> int:
    """The even size a frame side is encoded at: one pixel less, or 2 for a 1-pixel side."""
    return max(2, size - size % 2)


def _num(value: float, digits: int) -> float | None:
    return round(float(value), digits) if math.isfinite(value) else None


def _landmark_rows(pose: PoseFrame) -> list[list[float | None]]:
    """One row per landmark: image x, y (pixels, 1 decimal), world x, y, z (metres, 4
    decimals) and visibility (3 decimals); a value that is not finite is None. Rounded as
    whole arrays: this runs on every frame, beside the pose model."""
    table = np.empty((NUM_LANDMARKS, 6), dtype=float)
    table[:, 0:2] = np.round(pose.image_xy[:NUM_LANDMARKS], 1)
    table[:, 2:5] = np.round(pose.world_xyz[:NUM_LANDMARKS], 4)
    table[:, 5] = np.round(pose.visibility[:NUM_LANDMARKS], 3)
    rows = table.tolist()
    if not np.isfinite(table).all():
        rows = [[v if math.isfinite(v) else None for v in row] for row in rows]
    return rows


def _back(pose: PoseFrame) -> dict[str, list[float | None]]:
    """``{"back": [...]}`` when the pose carries the back's profile, else nothing."""
    if not pose.detected or pose.back_profile is None:
        return {}
    return {"back": [_num(v, 4) for v in pose.back_profile]}


class FrameLog:
    """Write one JSON line per frame after a header line."""

    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        self.path = path
        try:
            self._file = path.open("w", encoding="utf-8")
        except OSError as exc:
            raise OutputError(f"{path}: cannot be written ({exc.strerror or exc}).") from exc
        head = {"type": "header", "schema_version": FRAME_LOG_SCHEMA_VERSION, **header}
        self._file.write(json.dumps(head, ensure_ascii=False) + "\n")

    def write(self, pose: PoseFrame, verdict: Verdict, recognised: dict | None = None) -> None:
        """Append one frame; ``recognised`` (with ``--pose auto``): the pose recognised in
        this very frame and the segment of the video it belongs to."""
        landmarks = _landmark_rows(pose) if pose.detected else None
        line = {
            "t": round(pose.timestamp, 4),
            "i": pose.index,
            "people": pose.people,
            "landmarks": landmarks,
            **_back(pose),
            "pose": verdict.pose_id or None,
            "side": verdict.side or None,
            "phase": verdict.phase or None,
            "hold": round(verdict.hold_time, 2),
            "measures": {k: _num(v, 3) for k, v in verdict.measures.items()},
            "status": {r.rule_id: r.status.value for r in verdict.results},
            "why": {r.rule_id: r.reason for r in verdict.results if r.reason},
            "top": verdict.top.rule_id if verdict.top else None,
        }
        if recognised is not None:
            line["recognised"] = recognised
        if not verdict.reliable:
            line["unreliable"] = {
                "check": verdict.reliability_check,
                "reason": verdict.reliability,
                "suggestion": verdict.suggestion,
            }
        self._file.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")

    def close(self) -> None:
        """Flush and close (idempotent)."""
        if not self._file.closed:
            self._file.close()

    def __enter__(self) -> FrameLog:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _profile(values: list[float | None] | None) -> np.ndarray | None:
    """The back's profile recorded as ``back`` (None when the line has none)."""
    if not values:
        return None
    return np.array([math.nan if v is None else float(v) for v in values], dtype=float)


def read_frame_log(path: Path) -> tuple[dict[str, Any], Iterator[PoseFrame]]:
    """The header and the recorded poses of a frame log (a damaged last line is skipped)."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise SourceError(f"{path}: cannot be read ({exc.strerror or exc}).") from exc
    first = handle.readline()
    try:
        header = json.loads(first)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        handle.close()
        raise SourceError(f"{path}: not an aligncheck frame log (bad header line).") from exc
    if (
        not isinstance(header, dict)
        or header.get("type") != "header"
        or header.get("schema_version") != FRAME_LOG_SCHEMA_VERSION
    ):
        handle.close()
        raise SourceError(
            f"{path}: not an aligncheck frame log of schema version {FRAME_LOG_SCHEMA_VERSION}."
        )
    try:
        size = (int(header["width"]), int(header["height"]))
    except (KeyError, TypeError, ValueError) as exc:
        handle.close()
        raise SourceError(f"{path}: the header has no valid width and height.") from exc

    def poses() -> Iterator[PoseFrame]:
        with handle:
            for number, text in enumerate(handle, start=2):
                try:
                    line = json.loads(text)
                except json.JSONDecodeError:
                    break  # an interrupted run may leave half a line at the end
                try:
                    pose = _pose_from_line(line, size)
                except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
                    raise SourceError(
                        f"{path}: line {number} is not a frame of an aligncheck frame log "
                        f"({type(exc).__name__}: {exc})."
                    ) from exc
                yield pose

    return header, poses()


def _pose_from_line(line: dict[str, Any], size: tuple[int, int]) -> PoseFrame:
    """The pose recorded on one frame line (raises on a line of the wrong shape)."""
    t, index = float(line["t"]), int(line["i"])
    landmarks = line.get("landmarks")
    if not landmarks:
        return PoseFrame.empty(t, size, index)
    array = np.array(
        [[math.nan if v is None else float(v) for v in row] for row in landmarks], dtype=float
    )
    if array.shape != (NUM_LANDMARKS, 6):
        raise ValueError(f"{array.shape[0]} landmarks of {array.shape[1:]} values")
    return PoseFrame(
        array[:, 0:2],
        array[:, 2:5],
        np.nan_to_num(array[:, 5]),
        t,
        size,
        people=int(line.get("people", 1)),
        index=index,
        back_profile=_profile(line.get("back")),
    )
