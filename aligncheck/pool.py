"""Running a review's clips on this machine: a pool of worker processes, each calling
:func:`aligncheck.clipjob.run_clip` on one clip at a time (the default of ``aligncheck review``).
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from aligncheck.clipjob import ClipJob, Outcome, remove_partials, run_clip

log = logging.getLogger(__name__)

#: Called with (the job's index in the list, how it ended) as each clip ends.
Done = Callable[[int, Outcome], None]

CRASHED = (
    "a worker process crashed while analysing this clip or one analysed beside it; "
    "review it again on its own with --jobs 1"
)


def _worker_init() -> None:
    """Workers leave Ctrl-C to the parent (which stops them) and log nowhere: what matters
    (a truncated file, nobody found) is in each clip's summary."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.getLogger().addHandler(logging.NullHandler())


def _stop_workers(executor: ProcessPoolExecutor, futures: Iterable[Future]) -> None:
    """Cancel the clips not started and end the worker processes still running one."""
    for future in futures:
        future.cancel()
    # The pool has no public way to stop a running call; these are our own child processes.
    processes = getattr(executor, "_processes", None) or {}
    for process in list(processes.values()):
        if process.is_alive():
            process.terminate()
    executor.shutdown(wait=True, cancel_futures=True)


def run_on_pool(jobs: Sequence[ClipJob], workers: int, done: Done) -> None:
    """Analyse ``jobs`` on ``workers`` processes; ``done`` is called as each clip ends.
    Raises KeyboardInterrupt after stopping the workers when interrupted."""
    context = multiprocessing.get_context("spawn")  # MediaPipe's threads do not survive fork
    executor = ProcessPoolExecutor(
        max_workers=min(workers, len(jobs)), mp_context=context, initializer=_worker_init
    )
    pending: dict[Future, int] = {}
    try:
        for index, job in enumerate(jobs):
            pending[executor.submit(run_clip, job)] = index
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                index = pending.pop(future)
                try:
                    outcome: Outcome = future.result()
                except BrokenProcessPool:
                    outcome = Outcome(CRASHED)
                except Exception as exc:  # a bug met by one clip must not end the whole batch
                    log.debug("analysing %s failed", jobs[index].clip, exc_info=exc)
                    outcome = Outcome(f"the analysis failed ({type(exc).__name__}: {exc})")
                remove_partials(jobs[index].folder)
                done(index, outcome)
    except KeyboardInterrupt:
        _stop_workers(executor, pending)
        for index in pending.values():
            remove_partials(jobs[index].folder)
        raise
    executor.shutdown(wait=True)
