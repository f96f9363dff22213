"""Throughput of ``aligncheck analyze`` against a bare MediaPipe loop, and its memory.

    python benchmarks/bench_analyze.py [VIDEO] [--rounds 2] [--skip-memory]
    python benchmarks/bench_analyze.py --long-minutes 30     # a long 720p recording, once

1. Speed, in one process run on the same clip, the two alternating ``--rounds`` times (the
   best round of each is kept, so a moment of other load on the machine does not decide):
   - the bare loop, the best honest baseline: OpenCV decode, colour conversion and MediaPipe
     VIDEO-mode inference for **one person**, nothing else, with the same model outputs the
     rules need (the person mask when a rule reads the back's outline; a landmarks-only loop
     is printed too);
   - ``analyze_video`` with every output on (rule engine, annotated H.264 video, per-frame
     JSONL, key frames, summary, HTML report) for the named pose, and with ``--sample-fps 15``
     and ``10``; and ``--pose auto`` (every installed pose recognised, two passes).
   Both include loading the model, as a user waits for it. Prints frame rates and ratios, and
   for the bare loop and the named-pose analysis the CPU they used (``--cpu``): cores busy on
   average, and how much of it ran on MediaPipe's own threads (read from ``/proc/self/task``),
   which shows how much of the second core is left beside the model.
2. Memory: peak resident memory of a child process analysing a short clip, a clip ten times
   longer (flat with length), and a 4K version of the short clip (scaled down at decode).
3. ``--long-minutes N``: generates an N-minute 720p clip (the sample looped) and analyses it
   once, printing the time, frames per second and peak memory, and the frame rate of each
   tenth of the run (time proportional to length).
"""

from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import sys
import tempfile
import threading
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
from aligncheck.rules.registry import find_pose, recognisable_poses
from aligncheck.sequence import analyze_auto

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "janu_sirsasana_right.mp4"
POSE = "janu_sirsasana"


def cut(
    video: Path, frames: int, repeat: int, out: Path, size: tuple[int, int] | None = None
) -> Path:
    """Write the first ``frames`` frames of ``video`` (scaled to ``size``), looped ``repeat``
    times, to ``out``."""
    capture = cv2.VideoCapture(str(video))
    fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
    images = []
    while len(images) < frames:
        ok, image = capture.read()
        if not ok:
            break
        images.append(cv2.resize(image, size) if size else image)
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


class CpuUse:
    """CPU time of this process's threads while the block runs, sampled from ``/proc`` every
    0.2 s (a thread's time is its last sample, so a thread that ends keeps what it used)."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[str, float]] = {}
        self._stop = threading.Event()
        self._tick = os.sysconf("SC_CLK_TCK")

    def _sample(self) -> None:
        for tid in os.listdir("/proc/self/task"):
            try:
                stat = Path(f"/proc/self/task/{tid}/stat").read_text()
            except OSError:
                continue
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2 :].split()
            self._seen[tid] = (name, (int(fields[11]) + int(fields[12])) / self._tick)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self._sample()

    def __enter__(self) -> CpuUse:
        self._sample()
        self._before = {tid: used for tid, (_, used) in self._seen.items()}
        self._start = time.perf_counter()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        self.wall = time.perf_counter() - self._start
        used = {tid: t - self._before.get(tid, 0.0) for tid, (_, t) in self._seen.items()}
        self.total = sum(used.values())
        # MediaPipe's calculator and inference threads are named "drishti" on Linux
        self.model = sum(t for tid, t in used.items() if self._seen[tid][0].startswith("drishti"))

    def line(self) -> str:
        return (
            f"{self.total:5.1f} s of CPU in {self.wall:5.1f} s = {self.total / self.wall:4.2f} "
            f"cores busy ({self.model:4.1f} s on MediaPipe's threads)"
        )


def bare_loop(video: Path, masks: bool) -> float:
    """Frames per second of model loading, decoding and one-person inference alone."""
    start = time.perf_counter()
    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(DEFAULT_MODEL)),
        running_mode=vision.RunningMode.VIDEO,
        num_poses=1,
        output_segmentation_masks=masks,
    )
    with captured_stderr():
        landmarker = vision.PoseLandmarker.create_from_options(options)
    capture = cv2.VideoCapture(str(video))
    fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
    count = 0
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


def analyze_fps(
    video: Path, out: Path, sample_fps: float | None = None, auto: bool = False
) -> float:
    """Video frames per second of analyze_video (or, with ``auto``, of ``--pose auto``: the
    poses recognised among every installed rule file) with every output on."""
    frames = int(cv2.VideoCapture(str(video)).get(cv2.CAP_PROP_FRAME_COUNT))
    start = time.perf_counter()
    if auto:
        analyze_auto(video, recognisable_poses(), out, sample_fps=sample_fps)
    else:
        analyze_video(video, find_pose(POSE), out, sample_fps=sample_fps)
    return frames / (time.perf_counter() - start)


# The child reads its peak from /proc/self/status (VmHWM, the peak of this process's own
# memory since it started the interpreter). ru_maxrss would also count what the parent held
# when it forked the child, which on Linux survives exec.
_CHILD = """
import sys, time
from aligncheck.pipeline import analyze_video
from aligncheck.rules.registry import find_pose
def peak_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0
marks = []
def progress(done, total):
    if total and done % max(1, total // 10) == 0:
        marks.append((done, time.perf_counter()))
        print(f"# {done}/{total} frames after {marks[-1][1] - start:.0f} s, "
              f"peak {peak_kb() // 1024} MB", file=sys.stderr, flush=True)
start = time.perf_counter()
analyze_video(sys.argv[1], find_pose(sys.argv[3]), sys.argv[2], progress=progress)
print(time.perf_counter() - start, peak_kb())
print(" ".join(f"{d}:{t - start:.2f}" for d, t in marks))
"""


def child_run(video: Path, out: Path) -> tuple[float, float, list[tuple[int, float]]]:
    """(seconds, peak resident memory in MB, progress marks) of a fresh child process
    analysing ``video``."""
    run = subprocess.run(
        [sys.executable, "-c", _CHILD, str(video), str(out), POSE],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    first, second = run.stdout.strip().splitlines()[-2:]
    seconds, rss = first.split()
    marks = [(int(d), float(t)) for d, t in (m.split(":") for m in second.split())]
    return float(seconds), int(rss) / 1024.0, marks


def speed(video: Path, folder: Path, rounds: int) -> None:
    masks = find_pose(POSE).needs_silhouette
    runs: dict[str, list[float]] = {}
    cpu: dict[str, CpuUse] = {}
    for r in range(rounds):
        with CpuUse() as use:
            runs.setdefault("bare", []).append(bare_loop(video, masks))
        cpu[f"bare loop, round {r + 1}"] = use
        with CpuUse() as use:
            runs.setdefault("analyze", []).append(analyze_fps(video, folder / f"a{r}"))
        cpu[f"analyze, round {r + 1}"] = use
        if masks:
            runs.setdefault("bare, landmarks only", []).append(bare_loop(video, False))
        for rate in (15, 10):
            key = f"analyze --sample-fps {rate}"
            runs.setdefault(key, []).append(analyze_fps(video, folder / f"s{rate}{r}", rate))
        auto = analyze_fps(video, folder / f"auto{r}", auto=True)
        runs.setdefault("analyze --pose auto", []).append(auto)
    best = {key: max(values) for key, values in runs.items()}
    outputs = "landmarks and person mask" if masks else "landmarks"
    print(f"bare MediaPipe loop, one person, {outputs}: {best['bare']:6.1f} frames/s")
    if masks:
        only = best["bare, landmarks only"]
        print(f"bare MediaPipe loop, one person, landmarks only: {only:6.1f} frames/s")
    keys = ("analyze", "analyze --sample-fps 15", "analyze --sample-fps 10", "analyze --pose auto")
    for key in keys:
        print(
            f"aligncheck {key:24s} all outputs on: {best[key]:6.1f} frames/s, "
            f"ratio {best[key] / best['bare']:.2f} to the bare loop"
            + (
                f" ({best[key] / best['bare, landmarks only']:.2f} to landmarks only)"
                if masks
                else ""
            )
        )
    print(f"(best of {rounds} alternating rounds; all rounds: {runs})")
    if sys.platform.startswith("linux"):
        print(f"CPU used ({os.cpu_count()} cores):")
        for name, use in cpu.items():
            print(f"  {name:20s} {use.line()}")


def memory(video: Path, folder: Path) -> None:
    short = cut(video, 300, 1, folder / "short.mp4")
    long = cut(video, 300, 10, folder / "long.mp4")
    uhd = cut(video, 300, 1, folder / "uhd.mp4", (3840, 2160))
    for name, clip in (("300 frames", short), ("3000 frames", long), ("300 frames of 4K", uhd)):
        seconds, peak, _ = child_run(clip, folder / f"m-{clip.stem}")
        frames = 3000 if clip is long else 300
        print(f"peak memory, {name}: {peak:6.0f} MB ({frames / seconds:.1f} frames/s)")


def long_run(video: Path, folder: Path, minutes: float) -> None:
    fps = cv2.VideoCapture(str(video)).get(cv2.CAP_PROP_FPS) or 30.0
    frames = int(cv2.VideoCapture(str(video)).get(cv2.CAP_PROP_FRAME_COUNT))
    repeat = max(1, round(minutes * 60 * fps / frames))
    clip = cut(video, frames, repeat, folder / "long720.mp4", (1280, 720))
    seconds, peak, marks = child_run(clip, folder / "long-out")
    total = frames * repeat
    print(
        f"{total / fps / 60:.1f} min of 720p ({total} frames): {seconds:.0f} s, "
        f"{total / seconds:.1f} frames/s, peak memory {peak:.0f} MB"
    )
    rates = [f"{(d1 - d0) / (t1 - t0):.1f}" for (d0, t0), (d1, t1) in itertools.pairwise(marks)]
    print(f"frames/s in each tenth of the run: {' '.join(rates)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", type=Path, default=SAMPLE)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--long-minutes", type=float, default=0.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"clip: {args.video.name}")
        if args.long_minutes:
            long_run(args.video, folder, args.long_minutes)
            return
        if not args.skip_speed:
            speed(args.video, folder, args.rounds)
        if not args.skip_memory:
            memory(args.video, folder)


if __name__ == "__main__":
    main()
