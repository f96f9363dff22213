"""Skeleton plausibility on the real photos in ../shared/data/real: counts per pose folder.

    python benchmarks/plausibility_real.py [--out DIR]

Runs the bundled pose model and :func:`aligncheck.plausibility.assess` on every photo of
``poses/<pose>/`` and ``vrksasana/``, prints per folder how many photos there are, in how many
a person was found, how many skeletons passed and which were flagged (with the reason), then
the statistics the limits were chosen from. ``--out`` writes each flagged photo with its
skeleton drawn (person's left blue, right orange) for a look. Skips with a message when
``../shared`` is not beside the repository.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import cv2
import numpy as np

from aligncheck.core import PoseFrame
from aligncheck.estimate import PoseEstimator
from aligncheck.landmarks import SKELETON
from aligncheck.plausibility import SkeletonStats, assess, skeleton_stats
from aligncheck.sources import ImageSource

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "data" / "real"
_LEFT, _RIGHT, _MIDDLE = (235, 120, 20), (0, 140, 255), (255, 255, 255)
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


def folders(real: Path) -> list[Path]:
    """The photo folders: each pose of ``poses/``, then ``vrksasana/``."""
    found = sorted(p for p in (real / "poses").glob("*") if p.is_dir())
    return [*found, real / "vrksasana"]


def _draw(image: np.ndarray, pose: PoseFrame, caption: str) -> np.ndarray:
    canvas = image.copy()
    width = max(2, round(max(canvas.shape[:2]) / 250))
    for a, b in SKELETON:
        pa, pb = pose.image_xy[a], pose.image_xy[b]
        if not (np.isfinite(pa).all() and np.isfinite(pb).all()):
            continue
        side = {a.name.split("_")[0], b.name.split("_")[0]}
        colour = _LEFT if side == {"LEFT"} else _RIGHT if side == {"RIGHT"} else _MIDDLE
        hidden = min(pose.visibility[a], pose.visibility[b]) < 0.5
        cv2.line(
            canvas,
            tuple(int(v) for v in pa),
            tuple(int(v) for v in pb),
            colour,
            1 if hidden else width,
            cv2.LINE_AA,
        )
    scale = max(0.4, canvas.shape[1] / 1400)
    cv2.putText(canvas, caption, (5, int(25 * scale) + 5), 0, scale, (0, 0, 255), 2, cv2.LINE_AA)
    return canvas


def _summary(stats: list[SkeletonStats]) -> None:
    def finite(values: list[float]) -> list[float]:
        return [v for v in values if not math.isnan(v)]

    def pick(values: list[float], how: str) -> float:
        values = finite(values)
        return (min if how == "min" else max)(values) if values else math.nan

    columns = {
        "shortest limb / torso": ([pick(list(s.lengths.values()), "min") for s in stats], "low"),
        "left/right length ratio": ([pick(list(s.left_right.values()), "max") for s in stats], ""),
        "shoulders vs hips (deg)": ([s.twist for s in stats], ""),
        "face vs chest cosine": ([s.face for s in stats], "low"),
        "image residual (torso)": ([s.residual for s in stats], ""),
        "image stretch": ([pick(list(s.stretch.values()), "max") for s in stats], ""),
    }
    print("\nstatistics over all photos with a person (low: 0th/1st/5th/50th, else 50/95/99/100):")
    for label, (values, side) in columns.items():
        values = finite(values)
        qs = (0, 1, 5, 50) if side == "low" else (50, 95, 99, 100)
        cells = " ".join(f"{v:6.2f}" for v in np.percentile(values, qs)) if values else "-"
        print(f"  {label:<26}{cells}  (n={len(values)})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the flagged photos, annotated, here")
    args = parser.parse_args()
    if not REAL.is_dir():
        print(f"skipped: {REAL} is not there (the real photos live beside the repository)")
        return 0
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
    totals = [0, 0, 0, 0]
    flagged: list[str] = []
    all_stats: list[SkeletonStats] = []
    print(f"{'folder':<24}{'photos':>7}{'person':>8}{'passed':>8}{'flagged':>9}")
    with PoseEstimator(mode="image") as estimator:
        for folder in folders(REAL):
            photos = sorted(p for p in folder.iterdir() if p.suffix.lower() in PHOTO_SUFFIXES)
            counts = [len(photos), 0, 0, 0]
            for frame in ImageSource(photos):
                pose = estimator.estimate(frame)
                if not pose.detected:
                    continue
                counts[1] += 1
                all_stats.append(skeleton_stats(pose))
                verdict = assess(pose)
                if verdict.reliable:
                    counts[2] += 1
                    continue
                counts[3] += 1
                name = Path(frame.source).name
                flagged.append(
                    f"{folder.relative_to(REAL)}/{name}: [{verdict.check}] {verdict.reason}"
                )
                if args.out:
                    cv2.imwrite(
                        str(args.out / f"{Path(name).stem}.png"),
                        _draw(frame.image, pose, verdict.check),
                    )
            totals = [t + c for t, c in zip(totals, counts, strict=True)]
            label = str(folder.relative_to(REAL))
            print(f"{label:<24}{counts[0]:>7}{counts[1]:>8}{counts[2]:>8}{counts[3]:>9}")
    print(f"{'all':<24}{totals[0]:>7}{totals[1]:>8}{totals[2]:>8}{totals[3]:>9}")
    print(f"passed: {totals[2] / max(1, totals[1]):.1%} of the photos with a person")
    for line in flagged:
        print("  " + line)
    _summary(all_stats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
