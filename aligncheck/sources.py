"""Where frames come from: image files, video files and cameras, each an iterable of ``Frame``.

Opening a source checks it at once (the file exists, it decodes, the camera delivers a frame) and
raises :class:`~aligncheck.errors.SourceError` naming the input before any work starts.
Timestamps are honest: ``index / fps`` (fps as a float) for video files, a monotonic clock read
at capture (seconds since the first frame) for cameras, 0.0 for stills.

Why a file cannot be used is worded here and nowhere else (``analyze``, ``review``, ``check``
and ``angles`` all say it the same way): :data:`EMPTY_FILE` for a 0-byte file and
:func:`video_problem` for a video that does not open or decode. The native decoders' own
warnings (libjpeg's "Corrupt JPEG data", FFmpeg's per-packet complaints) are kept off the
terminal; aligncheck says what matters in one sentence instead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np

from aligncheck.core import Frame
from aligncheck.errors import SourceError
from aligncheck.quiet import captured_stderr

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp"})
VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm"})
#: How every command describes a 0-byte input file.
EMPTY_FILE = "the file is empty (0 bytes)"


def _existing_file(path: Path | str) -> Path:
    file = Path(path).expanduser()
    if not file.exists():
        raise SourceError(f"{file}: no such file.")
    if not file.is_file():
        raise SourceError(f"{file}: is not a file.")
    return file


def read_image(path: Path | str) -> np.ndarray:
    """Read an image file as (H, W, 3) uint8 BGR; raise ``SourceError`` if it cannot be decoded."""
    file = _existing_file(path)
    try:
        data = np.fromfile(file, dtype=np.uint8)
    except OSError as exc:
        raise SourceError(f"{file}: cannot be read ({exc.strerror or exc}).") from exc
    if not data.size:
        raise SourceError(f"{file}: {EMPTY_FILE}.")
    with captured_stderr() as decoder_log:  # libjpeg and libpng print their complaints
        image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if image is None:
        raise SourceError(
            f"{file}: cannot be read as an image; it is damaged or not an image "
            f"(expected {', '.join(sorted(IMAGE_SUFFIXES))})."
        )
    if decoder_log.text.strip():
        log.debug("%s: decoder said: %s", file, decoder_log.tail())
        log.warning("%s: the image data is damaged; the picture may be incomplete.", file)
    return image


class ImageSource:
    """Still images, one ``Frame`` each (timestamp 0.0, index = position in the list).

    Every file is checked to exist when the source is created; decoding happens while iterating.
    """

    def __init__(self, paths: Sequence[Path | str]) -> None:
        self.paths = [_existing_file(p) for p in paths]
        self.name = ", ".join(p.name for p in self.paths)

    def __iter__(self) -> Iterator[Frame]:
        for index, path in enumerate(self.paths):
            yield Frame(read_image(path), index, 0.0, str(path))


#: Frames of a video analysed larger than this (pixels, longer side) are scaled down once, at
#: decode: the pose model looks at 256 pixels and the annotated video needs no more than 720p,
#: so 4K and phone videos cost about what 720p does in time and memory.
ANALYSIS_MAX_SIDE = 1280


@dataclass(frozen=True)
class VideoInfo:
    """What a video file's container says about it. ``width`` and ``height`` are the size of
    the frames delivered (after any scaling down); ``source_size`` is the decoded size."""

    fps: float
    frame_count: int
    width: int
    height: int
    source_size: tuple[int, int] = (0, 0)

    @property
    def duration(self) -> float:
        """Length in seconds (0 when the container does not tell)."""
        return self.frame_count / self.fps if self.fps > 0 else 0.0


def video_problem(path: Path, opened: bool = False) -> str:
    """Why ``path`` cannot be used as a video, as the end of a sentence starting with its name.

    Called once OpenCV has failed to open it (or, with ``opened``, to decode its first frame);
    PyAV then looks inside to tell an empty file, a file with no video stream (audio only), a
    video stream without frames and a damaged or unknown file apart.
    """
    try:
        if path.stat().st_size == 0:
            return f"{EMPTY_FILE}."
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})."
    damaged = (
        "cannot be opened as a video; it is corrupt, truncated or in an unsupported format "
        f"(expected {', '.join(sorted(VIDEO_SUFFIXES))})."
    )
    undecodable = "no frame could be decoded; the video is corrupt or its codec is not supported."
    with captured_stderr():  # FFmpeg logs every complaint about a damaged file
        try:
            container = av.open(str(path), metadata_errors="ignore")
        except (av.error.FFmpegError, OSError, UnicodeDecodeError):
            return damaged
        try:
            if not container.streams.video:
                kinds = {stream.type for stream in container.streams}
                only = " (it holds only audio)" if kinds == {"audio"} else ""
                return f"has no video stream{only}; give a video file."
            try:
                frame = next(container.decode(video=0), None)
            except (av.error.FFmpegError, ValueError):
                return undecodable
            if frame is None:
                return "its video stream holds no frames."
        finally:
            container.close()
    return undecodable if opened else damaged


class VideoSource:
    """Frames of a video file, decoded one at a time (never held in memory).

    Rotation metadata (phone videos) is applied by OpenCV, so frames are upright and ``info``
    gives the upright size. Timestamps are ``index / fps`` for a constant frame rate and each
    frame's presentation time for a variable one. If the file ends before the frame count its
    container announced, iteration stops early and ``truncated`` becomes True: the frames that
    did decode are kept. With ``max_side``, frames whose longer side is larger are scaled down
    to it (area interpolation) as they are decoded.
    """

    DEFAULT_FPS = 30.0

    def __init__(self, path: Path | str, max_side: int | None = None) -> None:
        self.path = _existing_file(path)
        self.max_side = max_side
        self.name = self.path.name
        self.truncated = False
        self.frames_read = 0
        capture = self._open()
        try:
            with captured_stderr():
                ok, first = capture.read()
            if not ok:
                raise SourceError(f"{self.path}: {video_problem(self.path, opened=True)}")
            fps = capture.get(cv2.CAP_PROP_FPS)
            if not np.isfinite(fps) or fps <= 0 or fps > 1000:
                log.warning(
                    "%s does not state a usable frame rate; assuming %g fps",
                    self.path,
                    self.DEFAULT_FPS,
                )
                fps = self.DEFAULT_FPS
            decoded = (int(first.shape[1]), int(first.shape[0]))  # the upright size
            self._scaled = _scaled_size(decoded, max_side)
            self.info = VideoInfo(
                fps=float(fps),
                frame_count=max(0, int(capture.get(cv2.CAP_PROP_FRAME_COUNT))),
                width=(self._scaled or decoded)[0],
                height=(self._scaled or decoded)[1],
                source_size=decoded,
            )
        finally:
            capture.release()

    def _open(self) -> cv2.VideoCapture:
        with captured_stderr():
            capture = cv2.VideoCapture(str(self.path))
        if not capture.isOpened():
            capture.release()
            raise SourceError(f"{self.path}: {video_problem(self.path)}")
        return capture

    def _timestamp(self, capture: cv2.VideoCapture, index: int, last: float) -> float:
        """``index / fps`` for a constant frame rate; the frame's own presentation time when
        the file's frames are unevenly spaced (variable frame rate, e.g. phone videos)."""
        nominal = index / self.info.fps
        pts = capture.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
        if np.isfinite(pts) and pts > last and abs(pts - nominal) > 0.002:
            return float(pts)  # not just the container's rounding of the nominal time
        return max(nominal, last + 1e-6) if last >= 0 else nominal

    def __iter__(self) -> Iterator[Frame]:
        capture = self._open()
        index = 0
        ended = False
        try:
            last = -1.0
            while True:
                ok, image = capture.read()
                if not ok:
                    ended = True
                    break
                last = self._timestamp(capture, index, last)
                if self._scaled is not None and image.shape[1::-1] != self._scaled:
                    image = cv2.resize(image, self._scaled, interpolation=cv2.INTER_AREA)
                index += 1
                self.frames_read = index
                yield Frame(image, index - 1, last, str(self.path))
        finally:
            capture.release()
            # Containers round their frame counts; a shortfall of a few frames is not damage.
            short = index < self.info.frame_count - max(2, self.info.fps / 2)
            if ended and self.info.frame_count and short:
                self.truncated = True
                log.warning(
                    "%s ended after %d of %d frames: the file looks truncated; results cover "
                    "the frames that could be read.",
                    self.path,
                    index,
                    self.info.frame_count,
                )


def _scaled_size(size: tuple[int, int], max_side: int | None) -> tuple[int, int] | None:
    """``size`` scaled so its longer side is ``max_side`` (even numbers, aspect kept), or None
    when it is not larger."""
    if max_side is None or max(size) <= max_side:
        return None
    scale = max_side / max(size)
    return tuple(max(2, 2 * round(side * scale / 2)) for side in size)  # type: ignore[return-value]


class CameraSource:
    """Frames from a camera by index, timestamped by a monotonic clock at capture."""

    def __init__(self, index: int = 0) -> None:
        self.index = index
        self.name = f"camera {index}"
        with captured_stderr():
            self._capture = cv2.VideoCapture(index)
        if not self._capture.isOpened():
            self._capture.release()
            raise SourceError(
                f"Camera {index} could not be opened: no camera with that index, or it is in use "
                "by another program. Try another --camera index or close other camera apps."
            )
        ok, _ = self._capture.read()
        if not ok:
            self._capture.release()
            raise SourceError(f"Camera {index} opened but delivered no image.")

    def __iter__(self) -> Iterator[Frame]:
        start = time.monotonic()
        index = 0
        try:
            while True:
                ok, image = self._capture.read()
                if not ok:
                    raise SourceError(
                        f"Camera {self.index} stopped delivering images (unplugged?)."
                    )
                yield Frame(image, index, time.monotonic() - start, self.name)
                index += 1
        finally:
            self._capture.release()


Source = ImageSource | VideoSource | CameraSource


def open_source(spec: str | int | Path | Sequence[Path | str]) -> Source:
    """Open images (a list or an image path), a video file, or a camera (an int or digit string)."""
    if isinstance(spec, int) or (isinstance(spec, str) and spec.isdigit()):
        return CameraSource(int(spec))
    if isinstance(spec, (str, Path)):
        path = Path(spec)
        if path.suffix.lower() in IMAGE_SUFFIXES:
            return ImageSource([path])
        return VideoSource(path)
    return ImageSource(list(spec))
