"""Throughput of ``aligncheck analyze`` against a bare MediaPipe loop, and its memory.

    python benchmarks/bench_analyze.py [VIDEO] [--frames 300] [--repeat 10]

1. Speed, in one process run on the same clip: a bare loop (OpenCV decode + MediaPipe VIDEO
   mode inference, nothing else) and ``analyze_video`` with every output on (rule engine,
   annotated H.264 video, per-frame JSONL, key frames, summary, HTML report). Prints both
   frame rates and their ratio (target: at least 0.9).
2. Memory: peak resident memory of a child process analysing a short clip (``--frames``) and
   a clip ``--repeat`` times longer (the short one looped), to show it does not grow with the
   length of the video.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import cv2
import mediapipe as mp
from mediapipe.tasks.python import BaseOptions, vision

from aligncheck.estimate import DEFAULT_MODEL
from aligncheck.pipeline import analyze_video
from aligncheck.quiet import captured_stderr
from aligncheck.rules.registry import find_pose

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "janu_sirsasana_right.mp4"


def cut(video: Path, frames: int, repeat: int, out: Path) -> Path:
    """Write the first ``frames`` frames of ``video``, looped ``repeat`` times, to ``out``."""
    capture = cv2.VideoCapture(str(video))
    fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
    images = []
    while len(images) < frames:
        ok, image = capture.read()
        if not ok:
            break
        images.append(image)
    capture.release()
    with av.open(str(out), "w") as container:
        stream = container.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
        stream.height, stream.width = images[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "26", "preset": "veryfast"}
        for _ in range(repeat):
            for image in images:
                for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")):
                    container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out


def bare_loop(video: Path) -> float:
    """Frames per second of decode + MediaPipe inference alone."""
    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(DEFAULT_MODEL)),
        running_mode=vision.RunningMode.VIDEO,
        num_poses=2,
    )
    with captured_stderr():
        landmarker = vision.PoseLandmarker.create_from_options(options)
    capture = cv2.VideoCapture(str(video))
    fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
    count = 0
    start = time.perf_counter()
    try:
        while True:
            ok, bgr = capture.read()
            if not ok:
                break
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
            landmarker.detect_for_video(image, int(count * 1000 / fps))
            count += 1
    finally:
        capture.release()
        with captured_stderr():
            landmarker.close()
    return count / (time.perf_counter() - start)


def analyze_fps(video: Path, out: Path) -> float:
    """Frames per second of analyze_video with every output on."""
    start = time.perf_counter()
    result = analyze_video(video, find_pose("janu_sirsasana"), out)
    return result.summary.frames / (time.perf_counter() - start)


def peak_memory_mb(video: Path, out: Path) -> float:
    """Peak resident memory (MB) of a fresh child process analysing ``video``."""
    code = (
        "import resource, sys; from aligncheck.pipeline import analyze_video; "
        "from aligncheck.rules.registry import find_pose; "
        "analyze_video(sys.argv[1], find_pose('janu_sirsasana'), sys.argv[2]); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(video), str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(run.stdout.split()[-1]) / 1024.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", type=Path, default=SAMPLE)
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"clip: {args.video.name}")
        bare = bare_loop(args.video)
        ours = analyze_fps(args.video, folder / "speed")
        print(f"bare MediaPipe loop (decode + inference): {bare:6.1f} frames/s")
        print(f"aligncheck analyze, all outputs on:        {ours:6.1f} frames/s")
        print(f"throughput ratio: {ours / bare:.2f} (target >= 0.9)")
        if args.skip_memory:
            return
        short = cut(args.video, args.frames, 1, folder / "short.mp4")
        long = cut(args.video, args.frames, args.repeat, folder / "long.mp4")
        # each in a fresh child so the peaks do not mix (ru_maxrss of children is a maximum)
        short_mb = peak_memory_mb(short, folder / "m1")
        long_mb = peak_memory_mb(long, folder / "m2")
        print(f"peak memory, {args.frames} frames: {short_mb:6.0f} MB")
        print(f"peak memory, {args.frames * args.repeat} frames: {long_mb:6.0f} MB")


if __name__ == "__main__":
    main()
