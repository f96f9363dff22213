"""The inputs of ``analyze --pose auto`` (:mod:`aligncheck.sequence`): the video or the
recorded frame log, checked and described before any model is loaded, and the frames with
their poses, estimated now or read back."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from aligncheck.core import Frame, PoseFrame
from aligncheck.errors import SourceError
from aligncheck.inputs import Inputs, sampled
from aligncheck.prefetch import prefetched
from aligncheck.sources import VideoSource

if TYPE_CHECKING:
    from aligncheck.estimate import PoseEstimator


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
    last: PoseFrame | None = None
    for frame, ready in prefetched(
        sampled(source, estimator, sample_fps), name="aligncheck-decode"
    ):
        if ready is not None or last is None:
            last = estimator.estimate(frame, ready)
            yield frame, last
        else:
            yield frame, replace(last, timestamp=frame.timestamp, index=frame.index)


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
