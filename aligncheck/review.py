"""Reviewing many clips at once: what ``aligncheck review`` runs, for a teacher's folder of
student videos.

:func:`review_clips` finds the clips (folders are searched recursively for video suffixes),
checks the output folder, the rules and the model *before* any work, then analyses each clip
(:func:`aligncheck.clipjob.run_clip`) on a local worker process (:mod:`aligncheck.pool`) or as
a task on a Dask cluster (:mod:`aligncheck.cluster`) into
``OUT/clips/<safe stem>-<12 hex of the cache key>/`` and writes ``OUT/index.html`` and
``OUT/index.csv`` with one row per input clip, skipped ones included. The index is the same
whatever ran the clips.

**Nothing stops the batch.** A file that is not a video, is empty, cannot be read or decoded, or
fails during analysis becomes a *skipped* row with the reason; a clip where nobody is found or
the pose is not recognised is *analysed* and its row says so (with no score).

**Inputs that do not exist** stop the review before any work, all of them named at once: a
path that is not there is most likely a typing mistake, and a long review should not run on
the wrong set of clips (nor leave an index that silently lacks them). Nothing is written.

**Student names.** From a sidecar file next to the clip, first ``<clip stem>.json`` holding
``{"student": "..."}``, then the first non-empty line of ``<clip stem>.txt``. Without a sidecar
the name comes from the file name: the stem is split at ``_``, ``-``, ``.`` and spaces, and the
first piece made only of letters that is not a camera prefix (``IMG``, ``VID``, ``PXL``, ...) is
the name, as written: ``anna_janu_2024-05-01.mp4`` gives ``anna``. No such piece gives
``unknown``.

**Cache.** A clip's key is the sha256 over the clip's content sha256, the rules file's sha256,
the model's sha256 and the aligncheck version. A clip folder counts as finished only when its
``done.json`` marker (written last, by an atomic rename) holds the same key and the files it
lists (``summary.json``, and ``report.html`` when reports are available) exist; such a clip is
not analysed again (status *cached*) unless ``force``. A clip is written into a hidden
temporary folder and moved into place when complete, so an interrupted clip leaves no folder
and is analysed again next time.

**A cluster's scheduler that goes away** ends the review like Ctrl-C (finished clips kept, the
index written), then :class:`~aligncheck.cluster.SchedulerLostError` says so (exit status 2).

**Ctrl-C** cancels the clips not started, stops the ones running, keeps every finished clip,
still writes the index (unfinished clips are skipped rows) and returns with ``interrupted``
set; the CLI then exits with status 130.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from aligncheck import __version__
from aligncheck.clipjob import DONE_NAME, ClipJob, Outcome, remove_partials
from aligncheck.errors import AligncheckError
from aligncheck.pipeline import REPORT_NAME, SUMMARY_NAME, file_sha256
from aligncheck.recognise import NO_POSE
from aligncheck.review_inputs import (  # noqa: F401  (names of the review's public API)
    CAMERA_PREFIXES,
    ClipInput,
    ReviewError,
    find_clips,
    require_existing,
    safe_stem,
    student_name,
)
from aligncheck.review_rows import describe, sides_text, thumbnail
from aligncheck.review_sequence import sequence_row
from aligncheck.rules.schema import RuleSet
from aligncheck.session import summary_from_json
from aligncheck.sinks import ensure_output_dir
from aligncheck.sources import EMPTY_FILE, VIDEO_SUFFIXES, VideoSource

if TYPE_CHECKING:
    from aligncheck.cluster import Cluster
    from aligncheck.estimate.model import ModelInfo
    from aligncheck.report import IndexRow

log = logging.getLogger(__name__)

CLIPS_DIR = "clips"
INDEX_HTML = "index.html"
INDEX_CSV = "index.csv"

ANALYSED, CACHED, SKIPPED = "analysed", "cached", "skipped"
INTERRUPTED_REASON = "not analysed: the review was interrupted (Ctrl-C) before this clip finished"
LOST_REASON = "not analysed: the cluster's scheduler went away before this clip finished"


def cache_key(
    clip_sha256: str,
    rules_sha256: str,
    model_sha256: str,
    version: str,
    sample_fps: float | None = None,
) -> str:
    """Hex sha256 over what decides a clip's results (see the module docstring)."""
    parts = ["aligncheck-review-1", clip_sha256, rules_sha256, model_sha256, version]
    if sample_fps is not None:  # keys of full-rate runs stay as they were
        parts.append(f"sample-fps {sample_fps:g}")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- progress


class Reporter(Protocol):
    """What :func:`review_clips` tells about its progress."""

    def start(self, total: int) -> None:
        """``total`` clips are to be reviewed."""

    def finished(self, row: IndexRow) -> None:
        """One clip is done (analysed, cached or skipped)."""

    def message(self, text: str) -> None:
        """A line to show above the progress (where the clips run)."""

    def close(self) -> None:
        """The review is over (also after Ctrl-C)."""


class RichReporter:
    """A rich progress bar over clips (clips per minute, ETA), with a line per clip as it
    finishes, whatever runs the clips."""

    _STYLE: ClassVar[dict[str, str]] = {ANALYSED: "green", CACHED: "cyan", SKIPPED: "yellow"}

    def __init__(self, console: Any = None) -> None:
        from rich.console import Console
        from rich.progress import Progress

        from aligncheck.progress import rate_columns

        self.console = console or Console()
        self._progress = Progress(
            "[progress.description]{task.description}",
            *rate_columns("clips/min", 60.0),
            console=self.console,
            transient=True,
        )
        self._task: Any = None

    def start(self, total: int) -> None:
        self._progress.start()
        self._task = self._progress.add_task("Reviewing clips", total=total)

    def finished(self, row: IndexRow) -> None:
        from rich.markup import escape

        score = "" if row.score is None else f"score {row.score:.0f}"
        detail = " · ".join(x for x in (row.student, score, row.top_fault, row.reason) if x)
        style = self._STYLE.get(row.status, "")
        self._progress.console.print(
            f"[{style}]{row.status:8}[/] {escape(row.clip)}  [dim]{escape(detail)}[/]",
            highlight=False,
            markup=True,
            soft_wrap=True,
        )
        if self._task is not None:
            self._progress.advance(self._task)

    def message(self, text: str) -> None:
        self.console.print(text, highlight=False, markup=False, soft_wrap=True)

    def close(self) -> None:
        self._progress.stop()


# --------------------------------------------------------------------------- the review


@dataclass(frozen=True)
class Review:
    """The outcome of a review: one row per input clip, and the index files."""

    out_dir: Path
    rows: list[IndexRow]
    index_html: Path
    index_csv: Path
    interrupted: bool = False
    seconds: float = 0.0

    def count(self, status: str) -> int:
        """How many rows have ``status``."""
        return sum(1 for row in self.rows if row.status == status)


@dataclass
class _Clip:
    """A clip's state while the review runs."""

    source: ClipInput
    student: str
    status: str = ""
    reason: str = ""
    folder: Path | None = None
    key: str = ""


def _is_done(folder: Path, key: str, required: Sequence[str]) -> bool:
    try:
        marker = json.loads((folder / DONE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(marker, dict) or marker.get("key") != key:
        return False
    return all((folder / name).is_file() for name in (*required, *marker.get("files", ())))


def _prepare(clip: _Clip, clips_dir: Path, key_parts: tuple[str, str, str, float | None]) -> None:
    """Decide what to do with a clip: skip it (with the reason), use its cache, or analyse it."""
    path = clip.source.path
    if not path.exists():
        clip.status, clip.reason = SKIPPED, "no such file"
        return
    if not path.is_file():
        clip.status, clip.reason = SKIPPED, "not a file"
        return
    if path.suffix.lower() not in VIDEO_SUFFIXES:
        clip.status = SKIPPED
        clip.reason = f"not a video file (expected {', '.join(sorted(VIDEO_SUFFIXES))})"
        return
    try:
        if path.stat().st_size == 0:
            clip.status, clip.reason = SKIPPED, EMPTY_FILE
            return
        digest = file_sha256(path)
    except OSError as exc:
        clip.status, clip.reason = SKIPPED, f"cannot be read ({exc.strerror or exc})"
        return
    clip.key = cache_key(digest, *key_parts)
    clip.folder = clips_dir / f"{safe_stem(path)}-{clip.key[:12]}"


def _probe(path: Path) -> str:
    """Why ``path`` cannot be analysed as a video ('' when it opens and decodes a frame)."""
    try:
        VideoSource(path)
    except AligncheckError as exc:
        return _short(str(exc), path)
    return ""


def _short(message: str, path: Path) -> str:
    """An error message without the leading ``path: `` (the index already names the clip)."""
    for prefix in (f"{path}: ", f"{path.name}: "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


def _row(clip: _Clip, out_dir: Path, pose_name: str) -> IndexRow:
    from aligncheck.report import IndexRow

    summary = None
    folder = clip.folder if clip.status in (ANALYSED, CACHED) else None
    if folder is not None:
        try:
            data = json.loads((folder / SUMMARY_NAME).read_text(encoding="utf-8"))
            if data.get("kind") == "sequence":
                return sequence_row(
                    (clip.source.label, clip.student, clip.status),
                    folder,
                    data,
                    out_dir,
                    lambda sub, found: thumbnail(sub, found, clip.source.path),
                )
            summary = summary_from_json(data)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            clip.status, clip.reason = SKIPPED, f"its summary cannot be read ({exc})"
            folder = None
    report = folder / REPORT_NAME if folder is not None else None
    faults = summary.corrections(1) if summary is not None else []
    return IndexRow(
        clip=clip.source.label,
        student=clip.student,
        pose=summary.pose.get("english", pose_name) if summary else pose_name,
        sides=sides_text(summary) if summary else "",
        hold_time=summary.hold_time if summary else 0.0,
        score=summary.score if summary else None,
        top_fault=faults[0].title if faults else "",
        status=clip.status,
        reason=describe(summary) if summary and not clip.reason else clip.reason,
        report_href=report.relative_to(out_dir).as_posix()
        if report is not None and report.is_file()
        else "",
        thumbnail=thumbnail(folder, summary, clip.source.path) if clip.status != SKIPPED else b"",
    )


def _report_files() -> tuple[str, ...]:
    """Files a finished clip folder must hold (``report.html`` once reports exist)."""
    try:
        from aligncheck.report import write_report  # noqa: F401
    except ImportError:
        return (SUMMARY_NAME,)
    return (SUMMARY_NAME, REPORT_NAME)


def _jobs(
    todo: Sequence[_Clip],
    library: Sequence[RuleSet],
    auto: bool,
    model: ModelInfo,
    required: tuple[str, ...],
    sample_fps: float | None = None,
) -> list[ClipJob]:
    """What the workers get: absolute paths (a cluster's workers have other working folders),
    and no model path for the bundled model (each worker has its own copy). With ``auto`` the
    poses are recognised among all of ``library``."""
    files = tuple((r.path.resolve(), file_sha256(r.path)) for r in library)
    model_path = None if model.is_default else model.path.resolve()
    return [
        ClipJob(
            c.source.path.resolve(),
            (c.folder or Path()).resolve(),  # _prepare sets it for every clip to analyse
            c.key,
            files[0][0],
            files[0][1],
            model_path,
            required,
            sample_fps=sample_fps,
            library=files if auto else (),
        )
        for c in todo
    ]


def review_clips(
    inputs: Sequence[Path | str],
    out_dir: Path | str,
    pose: str = "auto",
    rules_dir: Path | str | None = None,
    model: Path | str | None = None,
    jobs: int | None = None,
    force: bool = False,
    reporter: Reporter | None = None,
    title: str | None = None,
    cluster: str | None = None,
    sample_fps: float | None = None,
) -> Review:
    """Review every clip in ``inputs`` (folders and files) into ``out_dir``; see the module
    docstring. ``jobs`` worker processes (default: the number of CPU cores), or each clip a
    task on the Dask ``cluster`` (an address or ``local:N``, see :mod:`aligncheck.cluster`).
    ``sample_fps``: poses estimated on that many frames a second (default: every frame); it is
    part of the cache key.

    Raises :class:`AligncheckError` before any work when the output folder is not writable,
    the pose's rules or the model are bad, ``jobs`` is below 1 (or given with a cluster), the
    cluster cannot be reached, no input was given or an input does not exist; and
    :class:`~aligncheck.cluster.SchedulerLostError` after writing the index when the cluster's
    scheduler goes away during the review.
    """
    from aligncheck.cluster import SchedulerLostError, check_address
    from aligncheck.estimate.model import check_model
    from aligncheck.report import write_index, write_index_csv
    from aligncheck.rules.registry import resolve_pose

    started = time.perf_counter()
    if cluster is not None and jobs is not None:
        raise ReviewError(
            "--jobs sets the processes of the local pool; with --cluster the cluster's workers "
            "analyse the clips. Leave out --jobs."
        )
    if cluster is not None:
        check_address(cluster)
    if jobs is None:
        jobs = os.cpu_count() or 1
    if jobs < 1:
        raise ReviewError(f"--jobs must be at least 1, not {jobs}.")
    if sample_fps is not None and not (math.isfinite(sample_fps) and sample_fps > 0):
        raise ReviewError(f"--sample-fps must be a positive number, not {sample_fps}.")
    if not inputs:
        raise ReviewError("Nothing to review: name clip files or folders holding them.")
    require_existing(inputs)
    out = ensure_output_dir(out_dir)
    clips_dir = ensure_output_dir(out / CLIPS_DIR)
    found = resolve_pose(pose, rules_dir)
    library = [found] if isinstance(found, RuleSet) else found
    auto = not isinstance(found, RuleSet)
    pose_name = NO_POSE if auto else library[0].pose.english
    model_info = check_model(model)
    rules_key = "|".join(file_sha256(r.path) for r in library) + ("|auto" if auto else "")
    key_parts = (rules_key, model_info.sha256, __version__, sample_fps)
    required = _report_files()
    clips = [_Clip(c, student_name(c.path)) for c in find_clips(inputs, exclude=out)]
    if not clips:
        names = ", ".join(str(i) for i in inputs)
        raise ReviewError(
            f"No video files in {names} (looked for {', '.join(sorted(VIDEO_SUFFIXES))})."
        )
    rows: dict[int, IndexRow] = {}
    order = {id(c): n for n, c in enumerate(clips)}

    def finish(clip: _Clip) -> None:
        row = _row(clip, out, pose_name)
        rows[order[id(clip)]] = row
        if reporter is not None:
            reporter.finished(row)

    interrupted = False
    lost: SchedulerLostError | None = None
    todo: list[_Clip] = []
    with ExitStack() as stack:
        session = _connect(stack, cluster, reporter)
        if reporter is not None:
            reporter.start(len(clips))
        try:
            twins = _sort_out(clips, clips_dir, key_parts, required, force, todo, finish)
            if todo:
                work = _jobs(todo, library, auto, model_info, required, sample_fps)
                _analyse(todo, work, jobs, session, finish)
            for clip, first in twins:  # same name and content as ``first``: share its results
                if clip.folder is not None and _is_done(clip.folder, clip.key, required):
                    clip.status = CACHED
                else:
                    clip.status, clip.reason = SKIPPED, first.reason or INTERRUPTED_REASON
                finish(clip)
        except KeyboardInterrupt:
            interrupted = True
        except SchedulerLostError as exc:
            lost = exc
        finally:
            if reporter is not None:
                reporter.close()
    if cluster is not None and cluster.startswith("local:"):  # its workers are stopped now
        for clip in todo:
            if clip.folder is not None:
                remove_partials(clip.folder)
    for n, clip in enumerate(clips):
        if n in rows:
            continue
        if clip.folder is not None and _is_done(clip.folder, clip.key, required):
            clip.status = ANALYSED  # finished on a worker, but not yet reported when stopped
        else:
            clip.status, clip.reason = SKIPPED, LOST_REASON if lost else INTERRUPTED_REASON
        rows[n] = _row(clip, out, pose_name)
    ordered = [rows[n] for n in range(len(clips))]
    what = "Poses" if auto else library[0].pose.english
    heading = title or f"{what}: review of {len(clips)} clips"
    html = write_index(ordered, out / INDEX_HTML, heading)
    table = write_index_csv(ordered, out / INDEX_CSV)
    if lost is not None:
        kept = sum(1 for row in ordered if row.status in (ANALYSED, CACHED))
        raise SchedulerLostError(
            f"{lost} The {kept} clips finished are kept and listed in {html} (the other "
            f"{len(ordered) - kept} as not analysed). Start the scheduler again and rerun the "
            "same command: finished clips are not analysed again."
        ) from lost
    return Review(out, ordered, html, table, interrupted, time.perf_counter() - started)


def _connect(stack: ExitStack, address: str | None, reporter: Reporter | None) -> Cluster | None:
    """Connect to the cluster at ``address`` for the life of ``stack`` (None: no cluster)."""
    if address is None:
        return None
    from aligncheck.cluster import connect

    session = stack.enter_context(connect(address))
    if reporter is not None:
        where = f"; dashboard: {session.dashboard}" if session.dashboard else ""
        waiting = "" if session.workers else " (clips wait until a worker joins)"
        reporter.message(f"Dask cluster {address}: {session.workers} workers{waiting}{where}")
    return session


def _sort_out(
    clips: list[_Clip],
    clips_dir: Path,
    key_parts: tuple[str, str, str, float | None],
    required: tuple[str, ...],
    force: bool,
    todo: list[_Clip],
    finish: Callable[[_Clip], None],
) -> list[tuple[_Clip, _Clip]]:
    """Skip, take from the cache or queue (in ``todo``) each clip; returns the twins: clips
    with the same name and content as an earlier one (clip, the earlier clip)."""
    twins: list[tuple[_Clip, _Clip]] = []
    claimed: dict[Path, _Clip] = {}
    for clip in clips:
        _prepare(clip, clips_dir, key_parts)
        if clip.folder is not None and clip.folder in claimed:
            twins.append((clip, claimed[clip.folder]))
            continue
        if clip.folder is not None:
            claimed[clip.folder] = clip
        if not clip.status and not force and _is_done(clip.folder, clip.key, required):
            clip.status = CACHED
        elif not clip.status:
            reason = _probe(clip.source.path)
            if reason:
                clip.status, clip.reason = SKIPPED, reason
        if clip.status:
            finish(clip)
        else:
            todo.append(clip)
    return twins


def _analyse(
    todo: list[_Clip],
    jobs: list[ClipJob],
    workers: int,
    session: Cluster | None,
    finish: Callable[[_Clip], None],
) -> None:
    """Analyse ``todo`` on the local pool (``workers`` processes) or on the cluster."""
    from aligncheck.cluster import run_on_cluster
    from aligncheck.pool import run_on_pool

    def ended(index: int, outcome: Outcome) -> None:
        clip = todo[index]
        if outcome.error:
            clip.status, clip.reason = SKIPPED, _short(outcome.error, clip.source.path)
        else:
            clip.status = ANALYSED
        finish(clip)

    if session is None:
        run_on_pool(jobs, workers, ended)
    else:
        run_on_cluster(session, jobs, ended)
