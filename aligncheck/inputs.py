"""What an analysis reads, checked and described before any model is loaded: the video (scaled
down at decode to what estimation and drawing need) or a recorded frame log, the output folder,
and which frames the model is to run on (``--sample-fps``). Used by the single-pose pipeline
(:mod:`aligncheck.pipeline`) and by ``--pose auto`` (:mod:`aligncheck.sequence`)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from aligncheck import __version__
from aligncheck.core import Frame, PoseFrame
from aligncheck.errors import SourceError
from aligncheck.estimate.model import sha256_of as file_sha256
from aligncheck.recording import read_frame_log
from aligncheck.sinks import ensure_output_dir
from aligncheck.sources import ANALYSIS_MAX_SIDE, VideoSource

if TYPE_CHECKING:
    from aligncheck.estimate import PoseEstimator


@dataclass(frozen=True, eq=False)
class Inputs:
    """What an analysis reads: the video (or None), the recorded poses when re-judging a
    frame log (else None), the output folder, the source's description and the frame log's
    header (without the poses' fields), the frame size, rate and expected frame count."""

    video: Path | str | None
    source: VideoSource | None
    poses: Iterator[PoseFrame] | None
    folder: Path
    described: dict
    header: dict
    size: tuple[int, int]
    fps: float
    total: int
    model: Path | str | None
    #: Frames larger than this are scaled down at decode (the size the poses refer to).
    max_side: int = ANALYSIS_MAX_SIDE

    def video_again(self) -> VideoSource | None:
        """The video opened anew (pass 2), delivering frames of the same size as the first."""
        return VideoSource(self.video, self.max_side) if self.source is not None else None


def open_inputs(
    video: Path | str | None,
    out_dir: Path | str,
    model: Path | str | None = None,
    from_landmarks: Path | str | None = None,
    until: float | None = None,
    sample_fps: float | None = None,
) -> Inputs:
    """Check the inputs and the output folder (before any model is loaded) and describe them."""
    check_sample_fps(sample_fps)
    header: dict = {}
    poses = None
    if from_landmarks is not None:
        header, poses = read_frame_log(Path(from_landmarks))
        if video is None and header.get("source", {}).get("path"):
            candidate = Path(header["source"]["path"])
            video = candidate if candidate.is_file() else None
    # a replay draws on frames of the size its landmarks were recorded at
    max_side = max(int(header["width"]), int(header["height"])) if header else ANALYSIS_MAX_SIDE
    source = VideoSource(video, max_side) if video is not None else None
    if source is None and poses is None:
        raise SourceError("Nothing to analyse: give a video or --from-landmarks.")
    folder = ensure_output_dir(out_dir)
    info = source.info if source is not None else None
    width = info.width if info else int(header["width"])
    height = info.height if info else int(header["height"])
    fps = info.fps if info else float(header.get("fps", 30.0))
    described = {
        "name": Path(video).name if video is not None else header.get("source", {}).get("name", ""),
        "path": str(Path(video).resolve()) if video is not None else "",
        "fps": fps,
        "width": info.source_size[0] if info else width,
        "height": info.source_size[1] if info else height,
        "frames": info.frame_count if info else 0,
        "duration": round(info.duration, 3) if info else 0.0,
        "sha256": file_sha256(Path(video))
        if video is not None
        else header.get("source", {}).get("sha256", ""),
    }
    from aligncheck.estimate import check_model

    model_sha = header.get("model_sha256") if poses is not None else check_model(model).sha256
    run_header = {
        "aligncheck": __version__,
        "source": described,
        "fps": fps,
        "width": width,
        "height": height,
        "model_sha256": model_sha,
        "from_landmarks": str(from_landmarks) if from_landmarks else None,
        "sample_fps": header.get("sample_fps") if poses is not None else sample_fps,
    }
    total = info.frame_count if info else 0
    if until is not None and info is not None:
        total = min(total, int(until * fps) + 1)
    return Inputs(
        video,
        source,
        poses,
        folder,
        described,
        run_header,
        (width, height),
        fps,
        total,
        model,
        max_side,
    )


def check_sample_fps(sample_fps: float | None) -> None:
    """Refuse a sampling rate that is not a positive number."""
    if sample_fps is not None and not (math.isfinite(sample_fps) and sample_fps > 0):
        raise SourceError(
            f"--sample-fps must be a positive number of frames a second, not {sample_fps}."
        )


class Sampler:
    """Which frames to estimate a pose on: every frame (``fps`` None), or about ``fps`` a
    second of video, evenly spread (a frame is due once its time reaches the next slot)."""

    def __init__(self, fps: float | None) -> None:
        self.step = 1.0 / fps if fps else 0.0
        self._next = -np.inf

    def due(self, timestamp: float) -> bool:
        """True for a frame to estimate; call once per frame, in order."""
        if timestamp < self._next - 0.05 * self.step:
            return False
        following = self._next + self.step
        self._next = following if following > timestamp else timestamp + self.step
        return True


def sampled(
    frames: Iterable[Frame], estimator: PoseEstimator, sample_fps: float | None
) -> Iterator[tuple[Frame, object | None]]:
    """Each frame with the model's input when its pose is due (see :class:`Sampler`), else
    None. Run on the decoding thread, so the conversion for the model happens ahead of it."""
    sampler = Sampler(sample_fps)
    for frame in frames:
        yield frame, (estimator.prepare(frame) if sampler.due(frame.timestamp) else None)
