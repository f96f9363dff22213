"""Skeleton plausibility on synthetic renders: how often each check fires on right and on
wrong skeletons, and the statistics its limit was chosen from.

    python benchmarks/plausibility_synth.py [--grid tuning|held-out|both] [--cache DIR]

Renders every pose of :data:`aligncheck.synth.skeletons.POSES` for the grid's bodies and
camera views, runs the bundled pose model, grades each skeleton against the render's truth
(:func:`aligncheck.synth.skeletons.skeleton_error`: right up to 0.5 body lengths, clearly
wrong beyond 1.0) and runs the plausibility checks. Limits are chosen on ``tuning`` and
reported on ``held-out`` (other bodies, azimuths and camera heights). ``--cache`` keeps the
model's landmarks so a second run with other limits takes seconds. The proportions check
(video only) is emulated per body: its renders in a fixed shuffled order, as if a video.
"""

from __future__ import annotations

import argparse
import math
import random
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np

from aligncheck.core import Frame, PoseFrame
from aligncheck.estimate import PoseEstimator
from aligncheck.plausibility import (
    CHECK_LABELS,
    BodyHistory,
    SkeletonStats,
    findings,
    skeleton_stats,
)
from aligncheck.synth import load_poses, render
from aligncheck.synth.skeletons import CLEARLY_WRONG, HELD_OUT, RIGHT_LIMIT, TUNING, Case, Grid

GRIDS = {"tuning": TUNING, "held-out": HELD_OUT}


def _detect(grid: Grid) -> Iterator[tuple[Case, PoseFrame, float]]:
    from aligncheck.synth.skeletons import skeleton_error

    library = load_poses()
    with PoseEstimator(mode="image") as estimator:
        for case in grid.cases():
            shot = render(
                library.pose(case.pose),
                view=case.azimuth,
                elevation=case.elevation,
                body=case.body,
            )
            pose = estimator.estimate(Frame(shot.image, 0, 0.0))
            yield case, pose, skeleton_error(pose, shot)


def _load(grid: Grid, cache: Path | None, name: str) -> list[tuple[Case, PoseFrame, float]]:
    path = cache / f"plausibility_{name}.npz" if cache else None
    cases = list(grid.cases())
    if path is not None and path.exists():
        data = np.load(path)
        if len(data["error"]) == len(cases):
            return [
                (c, PoseFrame(xy, xyz, vis, 0.0, (960, 720), int(people)), float(err))
                for c, xy, xyz, vis, people, err in zip(
                    cases,
                    data["xy"],
                    data["xyz"],
                    data["vis"],
                    data["people"],
                    data["error"],
                    strict=True,
                )
            ]
    rows = list(_detect(grid))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(
            path,
            xy=np.array([p.image_xy for _, p, _ in rows]),
            xyz=np.array([p.world_xyz for _, p, _ in rows]),
            vis=np.array([p.visibility for _, p, _ in rows]),
            people=np.array([p.people for _, p, _ in rows]),
            error=np.array([e for _, _, e in rows]),
        )
    return rows


def _percentiles(values: list[float], qs: tuple[float, ...]) -> str:
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return "-"
    return " ".join(f"{v:6.2f}" for v in np.percentile(finite, qs)) + f"  (n={len(finite)})"


def _extreme(values: Iterable[float], pick: Callable[[list[float]], float]) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return pick(finite) if finite else math.nan


def _stat_table(stats: list[SkeletonStats]) -> None:
    columns = {
        "shortest limb / torso (low)": [_extreme(s.lengths.values(), min) for s in stats],
        "left/right length ratio": [_extreme(s.left_right.values(), max) for s in stats],
        "shoulders vs hips (deg)": [s.twist for s in stats],
        "face vs chest cosine (low)": [s.face for s in stats],
        "image residual (torso)": [s.residual for s in stats],
        "image stretch": [_extreme(s.stretch.values(), max) for s in stats],
    }
    print("  statistics on right skeletons (low ones: 0th, 0.5th, 1st, 50th percentile; others:")
    print("  50th, 99th, 99.5th, 100th)")
    for label, values in columns.items():
        clean = [v for v in values if not math.isnan(v)]
        qs = (0, 0.5, 1, 50) if "(low)" in label else (50, 99, 99.5, 100)
        print(f"    {label:<30}{_percentiles(clean, qs)}")


def _history_fires(rows: list[tuple[Case, PoseFrame, float]]) -> list[bool]:
    """Per row, whether the proportions check fires when each body's renders play as a video."""
    fires = [False] * len(rows)
    by_body: dict[tuple[float, float], list[int]] = {}
    for i, (case, _, _) in enumerate(rows):
        by_body.setdefault((case.body.height, case.body.build), []).append(i)
    for indices in by_body.values():
        order = list(indices)
        random.Random(0).shuffle(order)
        history = BodyHistory()
        for i in order:
            pose = rows[i][1]
            if not pose.detected:
                continue
            stats = skeleton_stats(pose)
            failed = findings(stats, history)
            fires[i] = any(f.check == "proportions" for f in failed)
            if not failed:
                history.add(stats)
    return fires


def report(name: str, rows: list[tuple[Case, PoseFrame, float]]) -> None:
    found = [(c, p, e) for c, p, e in rows if p.detected]
    stats = [skeleton_stats(p) for _, p, _ in found]
    failed = [findings(s) for s in stats]
    history = [f for f, (_, p, _) in zip(_history_fires(rows), rows, strict=True) if p.detected]
    right = [e <= RIGHT_LIMIT for _, _, e in found]
    wrong = [e > RIGHT_LIMIT for _, _, e in found]
    clear = [e > CLEARLY_WRONG for _, _, e in found]
    print(
        f"\n== {name}: {len(rows)} renders, {len(rows) - len(found)} without a person found; "
        f"{sum(right)} right, {sum(wrong)} wrong (of which {sum(clear)} clearly wrong)"
    )

    def line(label: str, fired: list[bool]) -> None:
        cells = []
        for group in (right, wrong, clear):
            n = sum(group)
            k = sum(f and g for f, g in zip(fired, group, strict=True))
            cells.append(f"{k:4d}/{n:<4d} {k / n if n else 0:6.1%}")
        print(f"    {label:<44}" + "   ".join(cells))

    print(f"    {'check fires on':<44}{'right':<16}{'wrong':<16}{'clearly wrong':<16}")
    for check, label in CHECK_LABELS.items():
        fired = (
            history
            if check == "proportions"
            else [any(f.check == check for f in fs) for fs in failed]
        )
        line(f"{check} ({label})"[:44], fired)
    photo = [bool(fs) for fs in failed]
    line("any (photo: no proportions check)", photo)
    line("any (video: with proportions)", [a or b for a, b in zip(photo, history, strict=True)])
    groups = {
        "janu folded": lambda c: "folded" in c.pose,
        "janu upright/twist/knee": lambda c: c.pose.startswith("janu") and "folded" not in c.pose,
        "seated/standing others": lambda c: not c.pose.startswith("janu"),
    }
    print("    by pose group, any photo check: fires on right | on wrong")
    for label, member in groups.items():
        idx = [i for i, (c, _, _) in enumerate(found) if member(c)]
        r = [i for i in idx if right[i]]
        w = [i for i in idx if wrong[i]]
        print(
            f"      {label:<26}{sum(photo[i] for i in r):4d}/{len(r):<4d}"
            f"   {sum(photo[i] for i in w):4d}/{len(w):<4d}"
        )
    _stat_table([s for s, ok in zip(stats, right, strict=True) if ok])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", choices=("tuning", "held-out", "both"), default="both")
    parser.add_argument("--cache", type=Path, default=None, help="folder for landmark caches")
    args = parser.parse_args()
    names = ("tuning", "held-out") if args.grid == "both" else (args.grid,)
    for name in names:
        report(name, _load(GRIDS[name], args.cache, name))


if __name__ == "__main__":
    main()
