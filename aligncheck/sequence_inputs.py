"""The inputs of ``analyze --pose auto`` (:mod:`aligncheck.sequence`): the video or the
recorded frame log, checked and described before any model is loaded, and the frames with
their poses, estimated now or read back."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from aligncheck import __version__
from aligncheck.core import Frame, PoseFrame
from aligncheck.errors import SourceError
from aligncheck.estimate.model import sha256_of as file_sha256
from aligncheck.pipeline import Sampler
from aligncheck.prefetch import prefetched
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
) -> Inputs:
    """Check the inputs and the output folder (before any model is loaded) and describe them."""
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


def paired(
    source: Iterable[Frame] | None, poses: Iterator[PoseFrame], size: tuple[int, int]
) -> Iterator[tuple[Frame, PoseFrame]]:
    """Recorded poses with the video's frames, one frame each in order (a grey picture where
    there is no video or it ended)."""
    frames = iter(source) if source is not None else iter(())
    for pose in poses:
        frame = next(frames, None)
        if frame is None:
            blank = np.full((size[1], size[0], 3), 48, np.uint8)
            frame = Frame(blank, pose.index, pose.timestamp)
        yield frame, pose


def _estimated(
    source: VideoSource, estimator: PoseEstimator, sample_fps: float | None
) -> Iterator[tuple[Frame, PoseFrame]]:
    """Each frame with its pose, decoded a few frames ahead on a thread of its own; with
    ``sample_fps`` the model runs on about that many frames a second and the frames between
    keep the latest pose (at their own time)."""
    sampler = Sampler(sample_fps)
    last: PoseFrame | None = None
    for frame in prefetched(source, name="aligncheck-decode"):
        if last is None or sampler.due(frame.timestamp):
            last = estimator.estimate(frame)
            yield frame, last
        else:
            yield frame, replace(last, timestamp=frame.timestamp, index=frame.index)


def check_sample_fps(sample_fps: float | None) -> None:
    """Refuse a sampling rate that is not a positive number."""
    if sample_fps is not None and not (math.isfinite(sample_fps) and sample_fps > 0):
        raise SourceError(
            f"--sample-fps must be a positive number of frames a second, not {sample_fps}."
        )


def pose_pairs(
    inputs: Inputs, estimator: PoseEstimator | None, sample_fps: float | None = None
) -> Iterator[tuple[Frame, PoseFrame]]:
    """The frames with their poses: recorded (``estimator`` None), or estimated now (every
    frame, or about ``sample_fps`` a second)."""
    if inputs.poses is not None or estimator is None:
        return paired(inputs.source, inputs.poses or iter(()), inputs.size)
    if inputs.source is None:  # open_inputs refuses to have neither
        raise SourceError("Nothing to analyse: give a video or --from-landmarks.")
    return _estimated(inputs.source, estimator, sample_fps)
