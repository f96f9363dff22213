"""``aligncheck review --cluster`` on a real Dask cluster started here: a ``dask scheduler`` and
two single-threaded ``dask worker`` processes on localhost (free ports, stopped after each test).

The cluster's results against the local pool's, a worker killed mid-clip, the scheduler stopped
mid-batch, a rerun that analyses nothing, and bad addresses. Clips are 3 s at 10 fps, 256 px
wide, cut from the bundled sample, so the whole file runs in well under a minute and a half.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import dask
import pytest
from distributed import Client

from aligncheck import review as review_module
from aligncheck.cli import main
from aligncheck.clipjob import DONE_NAME, PART_MARK
from aligncheck.review import INTERRUPTED_REASON, LOST_REASON

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "janu_sirsasana_right.mp4"
STARTS = (17.0, 18.5, 20.0, 21.5, 17.0, 6.2)  # the fold from several moments, and the upright
FAST_CONNECT = {"distributed.comm.timeouts.connect": "3s"}


def _clip(path: Path, start: float, seconds: float = 3.0, fps: int = 10, width: int = 256) -> Path:
    """``seconds`` of the sample from ``start`` at ``fps`` frames per second, ``width`` wide."""
    capture = cv2.VideoCapture(str(SAMPLE))
    rate = capture.get(cv2.CAP_PROP_FPS)
    first = round(start * rate)
    wanted = {first + round(n * rate / fps) for n in range(round(seconds * fps))}
    capture.set(cv2.CAP_PROP_POS_FRAMES, first)
    frames = []
    for index in range(first, max(wanted) + 1):
        ok, image = capture.read()
        if not ok:
            break
        if index in wanted:
            height = round(image.shape[0] * width / image.shape[1] / 2) * 2
            frames.append(cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA))
    capture.release()
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=Fraction(fps))
        stream.width, stream.height, stream.pix_fmt = width, frames[0].shape[0], "yuv420p"
        for image in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")))
        container.mux(stream.encode())
    return path


@pytest.fixture(scope="module")
def lesson(tmp_path_factory) -> Path:
    """Six students' clips in one folder; two of them (0 and 4) the same video."""
    root = tmp_path_factory.mktemp("lesson")
    for n, start in enumerate(STARTS):
        _clip(root / f"student{n}_janu.mp4", start)
    assert (root / "student0_janu.mp4").read_bytes() == (root / "student4_janu.mp4").read_bytes()
    return root


@pytest.fixture(scope="module")
def local_run(lesson, tmp_path_factory) -> Path:
    """The lesson reviewed by the local process pool, for comparison."""
    out = tmp_path_factory.mktemp("local")
    assert main(["review", str(lesson), "--out", str(out), "--jobs", "2"]) == 0
    return out


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class DaskCluster:
    """A scheduler and its workers, run as this test's child processes."""

    address: str
    scheduler: subprocess.Popen
    workers: list[subprocess.Popen]


@contextmanager
def _running_cluster(logs: Path, workers: int, nanny: bool) -> Iterator[DaskCluster]:
    """``dask scheduler`` and ``workers`` ``dask worker --nthreads 1`` on localhost, the
    scheduler set to retry a clip whose worker died at most twice (as docs/scale.md says);
    all stopped at the end (SIGTERM, so a nanny stops its worker; SIGKILL if that fails)."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ, DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="2")
    logs.mkdir()
    processes: list[subprocess.Popen] = []

    def start(name: str, args: list[str]) -> subprocess.Popen:
        with (logs / f"{name}.log").open("w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "dask", *args], env=env, stdout=log, stderr=log
            )
        processes.append(process)
        return process

    try:
        scheduler = start(
            "scheduler",
            ["scheduler", "--host", "127.0.0.1", "--port", str(port), "--dashboard-address", ":0"],
        )
        options = ["--nthreads", "1", "--host", "127.0.0.1", "--nanny" if nanny else "--no-nanny"]
        started = [start(f"worker{n}", ["worker", address, *options]) for n in range(workers)]
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(workers, timeout=60)
        yield DaskCluster(address, scheduler, started)
    finally:
        for process in reversed(processes):  # workers first
            if process.poll() is None:
                process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


@pytest.fixture
def dask_cluster(tmp_path) -> Iterator[DaskCluster]:
    """A scheduler and two workers without nannies (a killed worker stays dead)."""
    with _running_cluster(tmp_path / "dask-logs", 2, nanny=False) as cluster:
        yield cluster


def _index(out: Path) -> dict[str, dict[str, str]]:
    with (out / "index.csv").open(encoding="utf-8", newline="") as handle:
        return {row["clip"]: row for row in csv.DictReader(handle)}


def _summaries(out: Path) -> dict[str, dict]:
    return {
        folder.name: json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        for folder in (out / "clips").iterdir()
        if not folder.name.startswith(".")
    }


def _done(out: Path) -> dict[str, dict]:
    return {
        path.parent.name: json.loads(path.read_text(encoding="utf-8"))
        for path in (out / "clips").glob(f"*/{DONE_NAME}")
    }


def _watch(
    out: Path, seen: Callable[[Path], bool], act: Callable[[Path], None]
) -> threading.Thread:
    """A thread that calls ``act(entry)`` on the first entry of OUT/clips that ``seen``
    accepts (checking every 10 ms for at most 60 s)."""

    def run() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            clips = out / "clips"
            for entry in sorted(clips.iterdir()) if clips.is_dir() else []:
                if seen(entry):
                    act(entry)
                    return
            time.sleep(0.01)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _score(summary: dict) -> float | None:
    """A clip's score: its first pose's under --pose auto (the default), else its own."""
    if summary.get("kind") == "sequence":
        return next((part["summary"]["score"] for part in summary["parts"]), None)
    return summary["score"]


def test_cluster_gives_the_local_results_and_a_rerun_analyses_nothing(
    lesson, local_run, dask_cluster, tmp_path, capsys
):
    out = tmp_path / "out"
    argv = ["review", str(lesson), "--out", str(out), "--cluster", dask_cluster.address]
    assert main(argv) == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert f"Dask cluster {dask_cluster.address}: 2 workers" in printed
    assert "dashboard: http://" in printed
    local, remote = _summaries(local_run), _summaries(out)
    assert len(remote) == len(STARTS) and set(remote) == set(local)  # same folders, same keys
    for name, summary in local.items():
        assert remote[name] == summary, name  # verdicts, scores, phases: all identical
    assert len({_score(s) for s in remote.values()}) > 1  # the clips differ: not a trivial match
    # the index is the same whatever ran the clips
    assert (out / "index.csv").read_bytes() == (local_run / "index.csv").read_bytes()
    assert (out / "index.html").read_bytes() == (local_run / "index.html").read_bytes()
    assert not [p for p in (out / "clips").iterdir() if p.name.startswith(".")]
    workers = {marker["by"] for marker in _done(out).values()}
    assert len(workers) == 2  # both workers took clips
    before = {p: p.stat().st_mtime_ns for p in out.glob(f"clips/*/{DONE_NAME}")}
    assert main(argv) == 0
    assert {row["status"] for row in _index(out).values()} == {"cached"}
    assert {p: p.stat().st_mtime_ns for p in out.glob(f"clips/*/{DONE_NAME}")} == before


def test_a_worker_killed_mid_clip_is_retried_on_the_other(lesson, dask_cluster, tmp_path):
    out = tmp_path / "out"
    victim = dask_cluster.workers[0]
    killed: list[str] = []

    def analysed_by_victim(entry: Path) -> bool:
        return PART_MARK in entry.name and entry.name.endswith(f"-{victim.pid}")

    def kill(entry: Path) -> None:
        killed.append(entry.name.split(PART_MARK)[0][1:])  # the clip folder it was writing
        os.kill(victim.pid, signal.SIGKILL)  # our own child process, by its id

    watcher = _watch(out, analysed_by_victim, kill)
    argv = ["review", str(lesson), "--out", str(out), "--cluster", dask_cluster.address]
    assert main(argv) == 0
    watcher.join(timeout=5)
    assert killed and victim.wait(timeout=10) == -signal.SIGKILL
    rows = _index(out)
    assert len(rows) == len(STARTS) and {r["status"] for r in rows.values()} == {"analysed"}
    done = _done(out)
    entries = sorted(p.name for p in (out / "clips").iterdir())
    assert entries == sorted(done)  # every clip once, finished: no half-written or hidden folder
    assert len(done) == len(STARTS)
    survivor = {marker["by"] for marker in done.values()}
    assert len(survivor) == 1 and not survivor.pop().endswith(f"-{victim.pid}")
    assert killed[0] in done  # the clip it was analysing was finished by the other worker


def test_scheduler_stopped_mid_batch_keeps_finished_clips(lesson, dask_cluster, tmp_path, capsys):
    out = tmp_path / "out"
    scheduler = dask_cluster.scheduler

    def finished(entry: Path) -> bool:
        return (entry / DONE_NAME).is_file()

    watcher = _watch(out, finished, lambda _: os.kill(scheduler.pid, signal.SIGKILL))
    argv = ["review", str(lesson), "--out", str(out), "--cluster", dask_cluster.address]
    with dask.config.set(FAST_CONNECT):
        assert main(argv) == 2
    watcher.join(timeout=5)
    err = " ".join(capsys.readouterr().err.split())
    assert f"The Dask scheduler at {dask_cluster.address} went away" in err
    assert "Traceback" not in err and "rerun the same command" in err
    rows = _index(out)
    assert len(rows) == len(STARTS) and (out / "index.html").is_file()
    analysed = [r for r in rows.values() if r["status"] == "analysed"]
    lost = [r for r in rows.values() if r["status"] == "skipped"]
    assert analysed and lost and len(analysed) + len(lost) == len(STARTS)
    assert {r["reason"] for r in lost} == {LOST_REASON}
    for row in analysed:  # every clip listed as analysed is complete on disk
        folder = (out / row["report_href"]).parent
        assert (folder / DONE_NAME).is_file() and (folder / "summary.json").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cluster", "127.0.0.1:8786"], "Did you mean tcp://127.0.0.1:8786?"),
        (["--cluster", "dask.example.org"], "is not a cluster address; expected tcp://HOST"),
        (["--cluster", "local:0"], "needs at least 1 worker"),
        (["--cluster", "local:1", "--jobs", "2"], "Leave out --jobs"),
        (["--cluster", "tcp://127.0.0.1:{port}"], "Cannot reach a Dask scheduler"),
    ],
)
def test_bad_or_unreachable_cluster_fails_before_any_work(lesson, tmp_path, capsys, args, message):
    out = tmp_path / "out"
    argv = ["review", str(lesson / "student0_janu.mp4"), "--out", str(out)]
    with dask.config.set(FAST_CONNECT):
        assert main([*argv, *(a.format(port=_free_port()) for a in args)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert message in err and "Traceback" not in err
    assert not (out / "index.csv").exists()
    assert not (out / "clips").exists() or not any((out / "clips").iterdir())


def test_ctrl_c_on_a_local_cluster_keeps_finished_clips(lesson, tmp_path, monkeypatch, capsys):
    """``local:2`` starts its own Dask cluster; Ctrl-C after the first clip cancels the rest,
    stops the workers and keeps what finished; the next run (on the local pool) analyses only
    the rest."""
    out = tmp_path / "out"
    # six clips on two workers: at the interrupt one is done and at most two more are running
    # (they may finish while the cluster stops); the others are cancelled
    clips = [str(lesson / f"student{n}_janu.mp4") for n in range(len(STARTS))]
    original = review_module.RichReporter.finished

    def interrupt_after_first(self, row):
        original(self, row)
        raise KeyboardInterrupt

    monkeypatch.setattr(review_module.RichReporter, "finished", interrupt_after_first)
    assert main(["review", *clips, "--out", str(out), "--cluster", "local:2"]) == 130
    assert "Dask cluster local:2: 2 workers" in " ".join(capsys.readouterr().out.split())
    rows = _index(out)
    done = _done(out)
    analysed = [r for r in rows.values() if r["status"] == "analysed"]
    assert 1 <= len(analysed) == len(done) < len(clips)  # a clip finishing as it stopped counts
    assert {r["reason"] for r in rows.values() if r["status"] == "skipped"} == {INTERRUPTED_REASON}
    assert sorted(p.name for p in (out / "clips").iterdir()) == sorted(done)  # nothing partial
    monkeypatch.undo()  # the cache is the same for the pool: it finishes the rest
    assert main(["review", *clips, "--out", str(out), "--jobs", "2"]) == 0
    statuses = [r["status"] for r in _index(out).values()]
    assert statuses.count("cached") == len(done)
    assert statuses.count("analysed") == len(clips) - len(done)


def test_a_clip_whose_worker_always_dies_is_listed_failed_after_two_retries(lesson, tmp_path):
    """One worker under a nanny (which restarts it); the worker is killed each time it starts
    the second clip: three deaths, then that clip is a skipped row with the reason, and the
    other clip, analysed before, is kept."""
    innocent, doomed = lesson / "student0_janu.mp4", lesson / "student1_janu.mp4"
    out = tmp_path / "out"
    kills: list[int] = []

    def kill_on_doomed() -> None:
        deadline = time.monotonic() + 80
        while len(kills) < 3 and time.monotonic() < deadline:
            clips = out / "clips"
            for entry in (
                sorted(clips.glob(f".student1_janu-*{PART_MARK}*")) if clips.is_dir() else []
            ):
                pid = int(entry.name.rsplit("-", 1)[1])
                if pid not in kills:
                    kills.append(pid)
                    os.kill(pid, signal.SIGKILL)  # the worker our nanny started, by its id
            time.sleep(0.01)

    with _running_cluster(tmp_path / "dask-logs", 1, nanny=True) as cluster:
        watcher = threading.Thread(target=kill_on_doomed, daemon=True)
        watcher.start()
        argv = [
            "review",
            str(innocent),
            str(doomed),
            "--out",
            str(out),
            "--cluster",
            cluster.address,
        ]
        assert main(argv) == 0
        watcher.join(timeout=5)
    assert len(kills) == 3
    rows = _index(out)
    assert rows["student0_janu.mp4"]["status"] == "analysed"
    assert rows["student1_janu.mp4"]["status"] == "skipped"
    assert (
        "a worker died while analysing this clip, each of the 3 times"
        in (rows["student1_janu.mp4"]["reason"])
    )
    assert [p.name for p in (out / "clips").iterdir()] == [
        (out / rows["student0_janu.mp4"]["report_href"]).parent.name
    ]  # the dead attempts left nothing behind
