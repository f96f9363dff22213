"""Latency and frame rate of ``aligncheck live`` with a 720p video file as the camera.

    python benchmarks/live_latency.py [VIDEO] [--seconds 15] [--width 1280 --height 720]

The video (default: the bundled sample) is scaled to 720p and played in real time like a
camera (:class:`~aligncheck.live.capture.FileCapture`, ``realtime=True``): frames that the
loop could not keep up with are skipped. Per processed frame, the latency runs from the moment
the frame became available (capture) to the moment its overlay was drawn (pose estimation,
rule engine, guide, coach and the mirrored overlay); the window itself is not opened. Prints
the median and 90th percentile latency, the frames drawn per second, the frames skipped, and
the CPU load (other work on the machine slows the loop down). Targets on a 2-core machine:
median latency under 40 ms, 90th percentile under 60 ms, at least 28 frames drawn per second.
``--pose auto`` coaches whichever installed pose is recognised (the ``live`` default);
the default here is Janu Sirsasana by name, like ``live --pose janu_sirsasana``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import cv2
import numpy as np

from aligncheck.live.loop import run_live
from aligncheck.live.values import LiveOptions
from aligncheck.live.voice import SilentVoice
from aligncheck.rules.registry import find_pose, recognisable_poses
from aligncheck.sources import VideoSource
from aligncheck.synth.clips import write_mp4

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "janu_sirsasana_right.mp4"


def scaled_clip(video: Path, size: tuple[int, int], seconds: float, out: Path) -> Path:
    """The first ``seconds`` of ``video`` scaled to ``size``, at its frame rate."""
    source = VideoSource(video)

    def frames():
        for frame in source:
            if frame.timestamp > seconds:
                break
            yield cv2.resize(frame.image, size, interpolation=cv2.INTER_LINEAR)

    return write_mp4(out, frames(), source.info.fps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", type=Path, default=SAMPLE)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--pose", default="janu_sirsasana", help="a pose id, or auto")
    args = parser.parse_args()
    rules = recognisable_poses() if args.pose == "auto" else find_pose(args.pose)
    with tempfile.TemporaryDirectory() as tmp:
        clip = scaled_clip(
            args.video, (args.width, args.height), args.seconds, Path(tmp) / "camera.mp4"
        )
        info = VideoSource(clip).info
        load_before = os.getloadavg()
        result = run_live(
            rules,
            source=clip,
            options=LiveOptions(window=False, realtime=True),
            voice=SilentVoice(),
        )
        load_after = os.getloadavg()
    latency = np.array([t.latency_ms for t in result.ticks[10:]])  # after the model warmed up
    print(
        f"pose: {args.pose}; source: {info.width}x{info.height} at {info.fps:g} fps, "
        f"{info.duration:.1f} s"
    )
    print(
        f"latency capture -> overlay drawn: median {np.median(latency):.1f} ms, "
        f"p90 {np.percentile(latency, 90):.1f} ms, max {latency.max():.1f} ms"
    )
    print(
        f"drawn: {result.frames} frames in {result.seconds:.1f} s = {result.fps:.1f} fps; "
        f"skipped (not kept up with): {result.dropped}"
    )
    print(
        f"cpu: {os.cpu_count()} cores; load average (1 min) {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after"
    )


if __name__ == "__main__":
    main()
