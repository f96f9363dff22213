"""How ``aligncheck review`` scales with worker processes, measured in one run.

A folder of N copies of one clip is reviewed with ``--jobs 1``, ``--jobs 2`` and (when the
machine has more cores) ``--jobs <cores>``, each into a fresh output folder so nothing is
cached. Prints clips per minute for each and the speed-up over one worker. Worker start-up
(spawning Python, importing MediaPipe, loading the model) is part of the time, as it is for a
teacher.

    python benchmarks/review_scaling.py [--clip VIDEO] [--copies 8] [--seconds 6] [--width 480]

Default clip: ``--seconds`` of the bundled sample from its fold, scaled to ``--width`` pixels.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import cv2

from aligncheck.review import review_clips

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "janu_sirsasana_right.mp4"


def excerpt(path: Path, start: float, seconds: float, width: int) -> Path:
    """Write ``seconds`` of the bundled sample from ``start`` as an H.264 MP4 ``width`` wide."""
    capture = cv2.VideoCapture(str(SAMPLE))
    fps = round(capture.get(cv2.CAP_PROP_FPS) or 30)
    capture.set(cv2.CAP_PROP_POS_FRAMES, round(start * fps))
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=Fraction(fps))
        sized = False
        for _ in range(round(seconds * fps)):
            ok, image = capture.read()
            if not ok:
                break
            height = round(image.shape[0] * width / image.shape[1] / 2) * 2
            image = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)
            if not sized:
                stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
                sized = True
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")))
        container.mux(stream.encode())
    capture.release()
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clip", type=Path, help="a video to copy (default: sample excerpt)")
    parser.add_argument("--copies", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--width", type=int, default=480)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    counts = sorted({1, 2, cores})
    with tempfile.TemporaryDirectory(prefix="review-scaling-") as tmp:
        work = Path(tmp)
        clips = work / "clips"
        clips.mkdir()
        clip = args.clip or excerpt(work / "source.mp4", 20.0, args.seconds, args.width)
        for n in range(args.copies):
            shutil.copy(clip, clips / f"student{n:02d}_janu{clip.suffix}")
        capture = cv2.VideoCapture(str(clip))
        frames = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        size = f"{int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))}x"
        size += f"{int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))}"
        capture.release()
        print(f"{args.copies} copies of {clip.name} ({frames} frames, {size}); {cores} CPU cores")
        print(f"{'jobs':>4}  {'seconds':>8}  {'clips/min':>9}  {'speed-up':>8}")
        base = None
        for jobs in counts:
            start = time.perf_counter()
            result = review_clips([clips], work / f"out-{jobs}", jobs=jobs)
            seconds = time.perf_counter() - start
            if result.count("analysed") != args.copies:
                raise SystemExit(f"jobs={jobs}: only {result.count('analysed')} clips analysed")
            base = base or seconds
            rate = args.copies / seconds * 60
            print(f"{jobs:>4}  {seconds:>8.1f}  {rate:>9.1f}  {base / seconds:>7.2f}x")


if __name__ == "__main__":
    main()
