"""One clip of a review, analysed where a worker runs it: the function that both the local
process pool (:mod:`aligncheck.pool`) and a Dask cluster (:mod:`aligncheck.cluster`) call.

:func:`run_clip` analyses the clip into a temporary folder beside its final one, named
``.<final name>.part-<host>-<pid>`` (hidden, so never taken for a clip folder), writes the
``done.json`` marker there last, and only then moves the whole folder into place. A worker
that dies mid-clip therefore leaves at most a hidden ``.part`` folder, which
:func:`remove_partials` clears once no attempt at that clip can still be running.

Everything a worker needs travels in the frozen :class:`ClipJob`: paths (absolute, on storage
every worker sees), the cache key, and the hashes and version the key was made from, so a
worker with other rules, another model or another aligncheck version refuses the clip instead
of filing different results under the same key.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from aligncheck import __version__
from aligncheck.errors import AligncheckError

DONE_NAME = "done.json"
PART_MARK = ".part-"


@dataclass(frozen=True)
class ClipJob:
    """What a worker needs to analyse one clip into ``folder``."""

    clip: Path
    folder: Path
    key: str
    rules_path: Path
    rules_sha256: str
    model: Path | None  # None: the bundled model of the worker's own installation
    required: tuple[str, ...]  # files a finished folder must hold
    version: str = __version__
    sample_fps: float | None = None  # poses a second (None: every frame)
    #: ``--pose auto``: every installed rule file (path, sha256); the poses are recognised
    #: among them. Empty: the clip is judged by ``rules_path`` alone.
    library: tuple[tuple[Path, str], ...] = ()


@dataclass(frozen=True)
class Outcome:
    """How a clip's analysis ended: ``error`` is '' when its folder is finished."""

    error: str = ""
    seconds: float = 0.0
    worker: str = ""  # host-pid of the process that ran it


def worker_name() -> str:
    """``host-pid`` of this process, safe in a file name."""
    host = re.sub(r"[^A-Za-z0-9._-]+", "_", socket.gethostname()) or "host"
    return f"{host}-{os.getpid()}"


def partials(folder: Path) -> list[Path]:
    """Temporary folders that attempts at ``folder`` left (finished attempts leave none)."""
    return sorted(folder.parent.glob(f".{folder.name}{PART_MARK}*"))


def remove_partials(folder: Path) -> None:
    """Delete what unfinished attempts at ``folder`` left; call only when none is running."""
    for partial in partials(folder):
        shutil.rmtree(partial, ignore_errors=True)


def _write_done(folder: Path, job: ClipJob, worker: str) -> None:
    marker = folder / DONE_NAME
    partial = folder / (DONE_NAME + ".part")
    text = json.dumps(
        {"key": job.key, "aligncheck": __version__, "files": list(job.required), "by": worker}
    )
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, marker)


def _move_into_place(work: Path, folder: Path) -> None:
    """Replace ``folder`` (an older result, or nothing) with the finished ``work`` folder."""
    old = folder.parent / f".{folder.name}.old-{worker_name()}"
    if folder.exists():
        shutil.rmtree(old, ignore_errors=True)
        os.replace(folder, old)
    os.replace(work, folder)
    shutil.rmtree(old, ignore_errors=True)


def _rules_file(rules_path: Path, rules_sha256: str) -> Path:
    """The rules file to judge with: the job's path, or this installation's bundled copy of it
    when that path is not on this machine; either way with the content the key was made from."""
    from aligncheck.estimate.model import sha256_of
    from aligncheck.rules.registry import BUNDLED_RULES

    for path in (rules_path, BUNDLED_RULES / rules_path.name):
        if path.is_file() and sha256_of(path) == rules_sha256:
            return path
    raise AligncheckError(
        f"the rules file {rules_path} is not on worker {worker_name()} (or differs there); "
        "put custom rules on storage every worker sees"
    )


def _check_worker(job: ClipJob) -> None:
    if job.version != __version__:
        raise AligncheckError(
            f"worker {worker_name()} runs aligncheck {__version__}, the review {job.version}; "
            "install the same version on every worker"
        )
    if not job.clip.is_file():
        raise AligncheckError(
            f"{job.clip} is not on worker {worker_name()}; put the clips on storage that every "
            "worker sees, under the same path"
        )


def run_clip(job: ClipJob) -> Outcome:
    """Analyse one clip into ``job.folder`` (see the module docstring); input problems come back
    as ``Outcome.error``, a bug as an exception."""
    from aligncheck.pipeline import AnalysisStopped, analyze_video
    from aligncheck.rules import load_rules

    start = time.perf_counter()
    worker = worker_name()
    work = job.folder.parent / f".{job.folder.name}{PART_MARK}{worker}"
    try:
        _check_worker(job)
        files = job.library or ((job.rules_path, job.rules_sha256),)
        library = [load_rules(_rules_file(path, digest)) for path, digest in files]
        shutil.rmtree(work, ignore_errors=True)  # an attempt of this same process, long gone
        work.mkdir(parents=True)
        if job.library:
            from aligncheck.sequence import analyze_auto

            analyze_auto(job.clip, library, work, model=job.model, sample_fps=job.sample_fps)
        else:
            analyze_video(job.clip, library[0], work, model=job.model, sample_fps=job.sample_fps)
        missing = [name for name in job.required if not (work / name).is_file()]
        if missing:
            return Outcome(f"the analysis did not write {', '.join(missing)}", worker=worker)
        _write_done(work, job, worker)
        _move_into_place(work, job.folder)
    except AnalysisStopped as exc:  # its partial files go with the unfinished folder
        return Outcome(exc.reason, worker=worker)
    except AligncheckError as exc:
        return Outcome(str(exc), worker=worker)
    except OSError as exc:
        return Outcome(f"{job.clip}: {exc.strerror or exc}", worker=worker)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Outcome("", time.perf_counter() - start, worker)
