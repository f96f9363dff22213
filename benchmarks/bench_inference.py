"""Time bare MediaPipe pose inference per frame (IMAGE and VIDEO mode) on this machine.

Frames are decoded into memory first, so only inference is timed. For comparison, the same
frames go through aligncheck's ``PoseEstimator`` (colour conversion, conversion to a PoseFrame),
and the ratio of the two throughputs is printed, measured in the same run.

The cost of the person silhouette (``PoseEstimator(silhouette=True)``: MediaPipe's segmentation
mask plus the back's profile taken from it) is measured on the same frames in both modes, the
runs with and without it alternating ``--rounds`` times so that a busy machine slows both alike;
the profile alone is timed on one mask.

    python benchmarks/bench_inference.py [VIDEO] [--frames 150] [--model PATH] [--rounds 3]

Default VIDEO: the bundled sample clip.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import cv2
import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision

from aligncheck.core import Frame
from aligncheck.estimate import DEFAULT_MODEL, PoseEstimator
from aligncheck.quiet import captured_stderr

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VIDEO = ROOT / "samples" / "janu_sirsasana_right.mp4"


def load_frames(path: Path, count: int) -> tuple[list[np.ndarray], float]:
    """The first ``count`` frames of ``path`` as BGR arrays, and the clip's fps."""
    capture = cv2.VideoCapture(str(path))
    fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
    frames = []
    while len(frames) < count:
        ok, image = capture.read()
        if not ok:
            break
        frames.append(image)
    capture.release()
    if not frames:
        raise SystemExit(f"{path}: no frames could be read")
    return frames, fps


def bare_loop(frames: list[np.ndarray], fps: float, model: Path, video: bool) -> list[float]:
    """Per-frame seconds of MediaPipe alone (BGR->RGB conversion included, as any caller needs)."""
    mode = vision.RunningMode.VIDEO if video else vision.RunningMode.IMAGE
    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model)), running_mode=mode, num_poses=2
    )
    times = []
    with captured_stderr():
        landmarker = vision.PoseLandmarker.create_from_options(options)
    try:
        for index, bgr in enumerate(frames):
            start = time.perf_counter()
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
            if video:
                landmarker.detect_for_video(image, int(index * 1000 / fps))
            else:
                landmarker.detect(image)
            times.append(time.perf_counter() - start)
    finally:
        with captured_stderr():
            landmarker.close()
    return times


def estimator_loop(
    frames: list[np.ndarray], fps: float, model: Path, video: bool, silhouette: bool = False
) -> list[float]:
    """Per-frame seconds of aligncheck's PoseEstimator on the same frames."""
    times = []
    mode = "video" if video else "image"
    with PoseEstimator(model, mode=mode, silhouette=silhouette) as estimator:
        for index, bgr in enumerate(frames):
            start = time.perf_counter()
            estimator.estimate(Frame(bgr, index, index / fps))
            times.append(time.perf_counter() - start)
    return times


def silhouette_cost(
    frames: list[np.ndarray], fps: float, model: Path, video: bool, rounds: int
) -> dict[bool, list[float]]:
    """Per-frame seconds without and with the silhouette, runs alternating ``rounds`` times
    (each run's first 3 frames left out)."""
    times: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(rounds):
        for silhouette in (False, True):
            times[silhouette] += estimator_loop(frames, fps, model, video, silhouette)[3:]
    return times


def profile_cost(frame: np.ndarray, model: Path, repeat: int = 200) -> float:
    """Milliseconds to take the back's profile from one frame's mask (median of ``repeat``)."""
    from aligncheck.estimate.silhouette import back_profile
    from aligncheck.landmarks import Landmark as L

    with PoseEstimator(model, mode="image", silhouette=True) as estimator:
        pose = estimator.estimate(Frame(frame, 0, 0.0))
    if not pose.detected:
        return float("nan")
    xy = pose.image_xy
    height, width = frame.shape[:2]
    mask = np.zeros((height, width), np.float32)
    hips = (xy[L.LEFT_HIP] + xy[L.RIGHT_HIP]) / 2
    shoulders = (xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER]) / 2
    knees = (xy[L.LEFT_KNEE] + xy[L.RIGHT_KNEE]) / 2
    cv2.circle(mask, tuple(int(v) for v in (hips + shoulders) / 2), int(height / 4), 1.0, -1)
    spent = []
    for _ in range(repeat):
        start = time.perf_counter()
        back_profile(mask, hips, shoulders, knees)
        spent.append(time.perf_counter() - start)
    return statistics.median(spent) * 1000


def summary(times: list[float]) -> str:
    steady = times[3:] or times  # the first calls include start-up work
    ms = [t * 1000 for t in steady]
    return (
        f"median {statistics.median(ms):6.1f} ms  p90 {np.percentile(ms, 90):6.1f} ms  "
        f"-> {1000 / statistics.mean(ms):5.1f} frames/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", type=Path, default=DEFAULT_VIDEO)
    parser.add_argument("--frames", type=int, default=150)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--rounds", type=int, default=3, help="alternations, silhouette cost")
    parser.add_argument("--only-silhouette", action="store_true", help="skip the bare timing")
    args = parser.parse_args()

    frames, fps = load_frames(args.video, args.frames)
    height, width = frames[0].shape[:2]
    print(f"{args.video.name}: {len(frames)} frames, {width}x{height}, model {args.model.name}")
    for video in () if args.only_silhouette else (False, True):
        label = "VIDEO" if video else "IMAGE"
        bare = bare_loop(frames, fps, args.model, video)
        ours = estimator_loop(frames, fps, args.model, video)
        ratio = statistics.mean(bare[3:]) / statistics.mean(ours[3:])
        print(f"{label} bare mediapipe     {summary(bare)}")
        print(f"{label} PoseEstimator      {summary(ours)}   throughput ratio {ratio:.2f}")
    print(f"\nSilhouette cost, {args.rounds} alternating runs of each")
    for video in (False, True):
        label = "VIDEO" if video else "IMAGE"
        cost = silhouette_cost(frames, fps, args.model, video, args.rounds)
        without, with_mask = (statistics.median(cost[k]) * 1000 for k in (False, True))
        mean_gap = (statistics.mean(cost[True]) - statistics.mean(cost[False])) * 1000
        print(
            f"{label} without {without:6.1f} ms  with {with_mask:6.1f} ms (medians)  "
            f"extra {with_mask - without:+5.1f} ms median, {mean_gap:+5.1f} ms mean"
        )
    print(f"back profile from a mask alone: {profile_cost(frames[0], args.model):.2f} ms")


if __name__ == "__main__":
    main()
