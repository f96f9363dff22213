"""The local process pool against a local Dask cluster with as many workers, on the same clips.

A folder of N copies of one clip is reviewed with ``--jobs W`` (the pool) and with
``--cluster local:W`` (W single-threaded Dask workers), each into a fresh output folder so
nothing is cached, alternating the two ``--rounds`` times to spread the machine's other load
over both. Everything a teacher waits for is timed: starting the workers (and, for Dask, the
scheduler), importing MediaPipe, analysing, writing the index, stopping the workers. Prints
clips per minute of each run, the median of each and the ratio cluster / pool (goal >= 0.95),
and the CPU time (user + system, of all processes) per clip, which a busy machine disturbs
less than the wall clock.

    python benchmarks/review_cluster.py [--clip VIDEO] [--copies 8] [--seconds 6] [--width 480]
                                        [--workers 2] [--rounds 2]

Default clip: ``--seconds`` of the bundled sample from its fold, scaled to ``--width`` pixels
(the clip of ``benchmarks/review_scaling.py``).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from review_scaling import excerpt  # the sibling benchmark's clip

from aligncheck.review import review_clips


def _cpu() -> float:
    """User + system seconds of this process and its finished children (the workers)."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(clips: Path, out: Path, copies: int, **how: object) -> tuple[float, float]:
    """(clips per minute, core-seconds per clip) of one review of ``clips`` into ``out``."""
    cpu, start = _cpu(), time.perf_counter()
    result = review_clips([clips], out, **how)  # type: ignore[arg-type]
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    if result.count("analysed") != copies:
        raise SystemExit(f"{how}: only {result.count('analysed')} of {copies} clips analysed")
    return copies / seconds * 60, cpu / copies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clip", type=Path, help="a video to copy (default: sample excerpt)")
    parser.add_argument("--copies", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--width", type=int, default=480)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    rates: dict[str, list[float]] = {"pool": [], "cluster": []}
    costs: dict[str, list[float]] = {"pool": [], "cluster": []}
    with tempfile.TemporaryDirectory(prefix="review-cluster-") as tmp:
        work = Path(tmp)
        clips = work / "clips"
        clips.mkdir()
        clip = args.clip or excerpt(work / "source.mp4", 20.0, args.seconds, args.width)
        for n in range(args.copies):
            shutil.copy(clip, clips / f"student{n:02d}_janu{clip.suffix}")
        print(f"{args.copies} copies of {clip.name}, {args.workers} workers, {args.rounds} rounds")
        print(f"{'round':>5}  {'pool':>26}  {'cluster':>26}")
        for n in range(args.rounds):
            runs = [
                ("pool", {"jobs": args.workers}),
                ("cluster", {"cluster": f"local:{args.workers}"}),
            ]
            for name, how in runs if n % 2 == 0 else runs[::-1]:
                rate, cost = timed(clips, work / f"out-{name}-{n}", args.copies, **how)
                rates[name].append(rate)
                costs[name].append(cost)
            cells = [f"{rates[k][-1]:5.1f} clips/min {costs[k][-1]:5.1f} core-s" for k in rates]
            print(f"{n + 1:>5}  {cells[0]:>26}  {cells[1]:>26}")
    pool, cluster = statistics.median(rates["pool"]), statistics.median(rates["cluster"])
    print(
        f"median: pool {pool:.1f} clips/min, {statistics.median(costs['pool']):.1f} core-s a clip; "
        f"cluster {cluster:.1f} clips/min, {statistics.median(costs['cluster']):.1f} core-s a clip"
    )
    print(f"cluster / pool throughput: {cluster / pool:.2f} (goal >= 0.95)")


if __name__ == "__main__":
    main()
