"""Clips per core-hour of ``aligncheck review``: the numbers behind docs/scale.md's cost model.

Measured, on this machine, in core-seconds (user + system CPU time of the review's process and
its worker, so a busy machine slows the wall clock but not the count much):

1. a review (``--jobs 1``, nothing cached) of the bundled sample (a real 29 s clip, 960x540,
   30 fps) and of the sample looped ``--loops`` times, giving a fixed cost per clip (worker
   start, MediaPipe import, model load, index) and a cost per frame, from the two lengths;
2. the share of that per-frame cost spent in MediaPipe's pose inference (the sample's frames
   decoded first, then only ``PoseEstimator.estimate`` timed).

From these it prints clips per core-hour for 30 s and 5 min clips at the full frame rate and,
measured the same way, with ``--sample-fps`` (poses on that many frames a second; decoding,
drawing and the annotated video stay per frame).

    python benchmarks/review_throughput.py [--loops 2] [--sample-fps 10]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import cv2

from aligncheck.core import Frame
from aligncheck.estimate import PoseEstimator
from aligncheck.review import review_clips

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "janu_sirsasana_right.mp4"


def _cpu() -> float:
    """User + system seconds of this process and its finished children."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def looped(path: Path, loops: int) -> Path:
    """The sample played ``loops`` times in a row, as H.264 at its own size and rate."""
    with av.open(str(SAMPLE)) as source, av.open(str(path), "w") as target:
        rate = source.streams.video[0].average_rate or Fraction(30)
        frames = [frame.to_ndarray(format="bgr24") for frame in source.decode(video=0)]
        stream = target.add_stream("libx264", rate=rate)
        stream.height, stream.width = frames[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        for _ in range(loops):
            for image in frames:
                target.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")))
        target.mux(stream.encode())
    return path


def review_cost(
    clip: Path, out: Path, sample_fps: float | None = None
) -> tuple[float, float, float]:
    """(core-seconds, wall seconds, MB written) of reviewing ``clip`` alone with one worker."""
    cpu, wall = _cpu(), time.perf_counter()
    result = review_clips([clip], out, jobs=1, sample_fps=sample_fps)
    if result.count("analysed") != 1:
        raise SystemExit(f"{clip.name} was not analysed: {result.rows[0].reason}")
    cpu, wall = _cpu() - cpu, time.perf_counter() - wall
    return cpu, wall, sum(f.stat().st_size for f in out.rglob("*") if f.is_file()) / 1e6


def inference_per_frame() -> float:
    """Core-seconds of pose inference per frame of the sample (frames decoded beforehand)."""
    capture = cv2.VideoCapture(str(SAMPLE))
    fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
    images = []
    while True:
        ok, image = capture.read()
        if not ok:
            break
        images.append(image)
    capture.release()
    with PoseEstimator(mode="video") as estimator:
        estimator.estimate(Frame(images[0], 0, 0.0))  # the first call sets MediaPipe up
        start = time.process_time()
        for index, image in enumerate(images[1:], start=1):
            estimator.estimate(Frame(image, index, index / fps))
        return (time.process_time() - start) / (len(images) - 1)


def per_hour(fixed: float, per_frame: float, frames: float) -> float:
    """Clips per core-hour for clips of ``frames`` frames."""
    return 3600.0 / (fixed + per_frame * frames)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loops", type=int, default=2)
    parser.add_argument("--sample-fps", type=float, default=10.0)
    args = parser.parse_args()
    capture = cv2.VideoCapture(str(SAMPLE))
    frames, fps = capture.get(cv2.CAP_PROP_FRAME_COUNT), capture.get(cv2.CAP_PROP_FPS)
    capture.release()
    costs = {}
    with tempfile.TemporaryDirectory(prefix="review-throughput-") as tmp:
        work = Path(tmp)
        long = looped(work / "sample_looped.mp4", args.loops)
        for rate in (None, args.sample_fps):
            name = "full" if rate is None else f"{rate:g}"
            short = review_cost(SAMPLE, work / f"out-short-{name}", rate)
            longer = review_cost(long, work / f"out-long-{name}", rate)
            per_frame = (longer[0] - short[0]) / (frames * (args.loops - 1))
            costs[rate] = (short, longer, per_frame, short[0] - per_frame * frames)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    inference = inference_per_frame()
    print(f"sample: {frames:.0f} frames at {fps:.0f} fps; looped x{args.loops}")
    print(f"peak memory of a worker process: {peak:.0f} MB")
    print(f"inference per frame (every frame): {inference * 1000:6.1f} core-ms")
    print(f"{'':<22} {'fixed':>8} {'per frame':>10} {'30 s clip':>10} {'5 min clip':>11}")
    for rate, (short, _longer, per_frame, fixed) in costs.items():
        label = f"full rate ({fps:.0f} fps)" if rate is None else f"--sample-fps {rate:g}"
        rates = [per_hour(fixed, per_frame, seconds * fps) for seconds in (30, 300)]
        print(
            f"{label:<22} {fixed:6.2f} s {per_frame * 1000:7.1f} ms {rates[0]:>10.1f} "
            f"{rates[1]:>11.1f}   (clips per core-hour; review of the sample {short[0]:.1f} "
            f"core-s, {short[1]:.0f} s wall, {short[2]:.1f} MB)"
        )


if __name__ == "__main__":
    main()
