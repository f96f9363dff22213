"""Running a review's clips on a Dask distributed cluster (``aligncheck review --cluster``).

Each clip is one Dask task calling :func:`aligncheck.clipjob.run_clip`, the function the local
pool runs, so a clip's folder is the same whatever ran it. Clips and the output folder must be
on storage every worker sees, under the same path (see ``docs/scale.md``).

Addresses: ``tcp://HOST:PORT`` (or ``tls://``) is a running scheduler; ``local:N`` starts a
Dask cluster of N single-threaded worker processes on this machine for the review's duration.

Failures:

* a worker that dies mid-clip: the scheduler runs the clip again on another worker; after
  ``distributed.scheduler.allowed-failures`` retries (:data:`RETRIES` on a ``local:N``
  cluster; set the scheduler's own configuration to the same, see ``docs/scale.md``) the clip
  is reported failed, with the reason, and the rest of the batch goes on;
* a scheduler that goes away: :class:`SchedulerLostError` (the review keeps every finished
  clip and writes the index before passing it on);
* Ctrl-C: the tasks not finished are cancelled (on ``local:N`` the workers are stopped), and
  KeyboardInterrupt goes on to the review.

Dask is an optional dependency (``pip install "aligncheck[cluster]"``); it is imported only
here, only when a cluster is asked for.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from aligncheck.clipjob import ClipJob, Outcome, remove_partials, run_clip
from aligncheck.errors import AligncheckError

#: Called with (the job's index in the list, how it ended) as each clip ends.
Done = Callable[[int, Outcome], None]

#: How many times a clip whose worker died is tried again on a ``local:N`` cluster.
RETRIES = 2
#: Settings of a ``local:N`` cluster: the retries, and Dask's own background work made rarer
#: (its sampling profiler every 10 ms, event-loop ticks every 20 ms, memory and system probes
#: several times a second cost an idle 2-worker cluster about 11 % of a core; these, about 2 %).
#: A clip takes seconds, so nothing here needs finer timing. docs/scale.md gives the same
#: settings for workers started by hand.
LOCAL_CONFIG = {
    "distributed.scheduler.allowed-failures": RETRIES,
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "200ms",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
}
_ADDRESS = re.compile(r"^(tcp|tls)://[^\s/:]+:\d{1,5}$")
_LOCAL = re.compile(r"^local:(\d+)$")
_EXAMPLES = "tcp://HOST:8786 (a running Dask scheduler) or local:N (N workers on this machine)"


class ClusterError(AligncheckError):
    """The cluster cannot be used: a bad address, Dask missing, or no scheduler there."""


class SchedulerLostError(ClusterError):
    """The scheduler went away during the review."""


@dataclass(frozen=True)
class Cluster:
    """A connected cluster: the Dask client, and where its dashboard is ('' if none)."""

    client: Any
    address: str
    dashboard: str
    workers: int  # when connected
    local: bool  # started for this review (``local:N``), stopped with it


def check_address(address: str) -> int | None:
    """Raise :class:`ClusterError` unless ``address`` is a scheduler address or ``local:N``;
    returns N for ``local:N``, None for a scheduler."""
    local = _LOCAL.match(address)
    if local:
        workers = int(local.group(1))
        if workers < 1:
            raise ClusterError(f"--cluster {address}: a local cluster needs at least 1 worker.")
        return workers
    if _ADDRESS.match(address):
        return None
    hint = f" Did you mean tcp://{address}?" if re.match(r"^[^\s/:]+:\d+$", address) else ""
    raise ClusterError(
        f"--cluster {address!r} is not a cluster address; expected {_EXAMPLES}.{hint}"
    )


def _import_dask() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise ClusterError(
            f"--cluster needs Dask distributed, which is not installed ({exc}). "
            'Install it with: pip install "aligncheck[cluster]"'
        ) from exc
    return distributed


@contextmanager
def _quiet_dask() -> Iterator[None]:
    """Keep Dask's own log lines (reconnect attempts, tracebacks of a lost connection) off the
    terminal: what they mean reaches the user as one aligncheck message."""
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


@contextmanager
def connect(address: str) -> Iterator[Cluster]:
    """Connect to the scheduler at ``address`` (or start ``local:N``) for a ``with`` block.

    Raises :class:`ClusterError` when the address is bad, Dask is not installed or no
    scheduler answers within Dask's connect timeout (``distributed.comm.timeouts.connect``).
    """
    local_workers = check_address(address)
    distributed = _import_dask()
    import dask

    with _quiet_dask():
        cluster = None
        try:
            if local_workers is not None:
                with dask.config.set(LOCAL_CONFIG):
                    cluster = distributed.LocalCluster(
                        n_workers=local_workers,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=":0",
                        silence_logs=logging.CRITICAL,
                    )
                client = distributed.Client(cluster)
            else:
                client = distributed.Client(address)
        except (OSError, TimeoutError) as exc:
            if cluster is not None:
                cluster.close()
            timeout = dask.config.get("distributed.comm.timeouts.connect")
            raise ClusterError(
                f"Cannot reach a Dask scheduler at {address} (waited {timeout}: {exc}). "
                "Start one (dask scheduler) or correct the address; nothing was analysed."
            ) from exc
        try:
            info = client.scheduler_info()
            dashboard = client.dashboard_link if "dashboard" in info.get("services", {}) else ""
            workers = len(info.get("workers", {}))
            yield Cluster(client, address, dashboard or "", workers, cluster is not None)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def _killed(exc: Exception) -> str:
    tries = getattr(exc, "allowed_failures", RETRIES) + 1
    return (
        f"a worker died while analysing this clip, each of the {tries} times it was tried "
        "(killed, out of memory or its machine lost); review it again on its own"
    )


def _failed(exc: Exception) -> str:
    if isinstance(exc, ModuleNotFoundError) and "aligncheck" in str(exc):
        return (
            "aligncheck is not installed on the worker that took this clip; pip install "
            '"aligncheck[cluster]" on every worker (docs/scale.md)'
        )
    return f"the analysis failed ({type(exc).__name__}: {exc})"


def _lost(cluster: Cluster, exc: BaseException) -> bool:
    """Whether ``exc`` from a task's future means the scheduler is gone."""
    from distributed.client import FutureCancelledError
    from distributed.comm.core import CommClosedError

    gone = cluster.client.status not in ("running", "newly-created")
    return gone or isinstance(exc, (FutureCancelledError, CommClosedError))


def run_on_cluster(cluster: Cluster, jobs: Sequence[ClipJob], done: Done) -> None:
    """Analyse ``jobs`` as one task each; ``done`` is called as each clip ends.

    Raises :class:`SchedulerLostError` when the scheduler goes away (the clips still out are
    left: their folders are finished or absent) and KeyboardInterrupt after cancelling the
    tasks not finished.
    """
    from distributed import KilledWorker, as_completed

    client = cluster.client
    batch = uuid.uuid4().hex[:8]
    pending: dict[Any, int] = {}
    with _quiet_dask():
        try:
            for index, job in enumerate(jobs):  # one key per clip folder: copies are tasks too
                name = f"aligncheck-{job.folder.name}-{index}-{batch}"
                pending[client.submit(run_clip, job, key=name, pure=False)] = index
            for future in as_completed(list(pending)):
                index = pending[future]
                try:
                    outcome: Outcome = future.result()
                except KilledWorker as exc:
                    outcome = Outcome(_killed(exc))
                except Exception as exc:  # one clip's failure must not end the whole batch
                    if _lost(cluster, exc):
                        raise SchedulerLostError(
                            f"The Dask scheduler at {cluster.address} went away during the "
                            f"review ({type(exc).__name__})."
                        ) from exc
                    outcome = Outcome(_failed(exc))
                del pending[future]
                remove_partials(jobs[index].folder)  # no attempt at it is running any more
                done(index, outcome)
        except KeyboardInterrupt:
            if pending and client.status == "running":
                client.cancel(list(pending))
            raise
