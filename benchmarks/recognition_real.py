"""Pose recognition (``--pose auto``) on the real photos in ../shared/data/real.

    python benchmarks/recognition_real.py [--rules-dir DIR] [--write docs/recognition.md]

Runs the bundled pose model once over every photo of ``poses/`` (labels in ``poses.csv``) and
``vrksasana/`` (all tree pose) and caches the landmarks (``~/.cache/aligncheck/recognition``,
one ``.npz`` per photo, keyed by the photo's and the model's checksums), then recognises each
photo among the installed rule files that have a ``recognise:`` section. Prints the confusion
matrix (rows: the photo's pose; columns: the pose recognised, or "no known pose"), top-1
accuracy with its 95 % Wilson interval, how often a wrong pose was claimed, and every photo
not recognised as its pose with the reason. ``--write`` also writes the tables as Markdown.
Skips with a message when ``../shared`` is not beside the repository.

The photos' label ``virabhadrasana`` means Warrior II; a label is compared with the installed
pose of the same id, else with its alias in :data:`ALIASES`.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections import Counter
from pathlib import Path

from aligncheck.core import PoseFrame
from aligncheck.landmark_cache import estimate_cached
from aligncheck.recognise import NO_POSE, Recognition, recognise
from aligncheck.rules.registry import recognisable_poses
from aligncheck.synth.evalscore import wilson

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "data" / "real"
#: Photo labels whose rule file has another id.
ALIASES = {"virabhadrasana": "virabhadrasana_ii"}
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


def labelled_photos(real: Path) -> list[tuple[Path, str]]:
    """(photo, label) for every photo of ``poses.csv`` and of ``vrksasana/``."""
    with (real / "poses.csv").open(encoding="utf-8") as handle:
        found = [(real / row["file"], row["pose"]) for row in csv.DictReader(handle)]
    trees = sorted(p for p in (real / "vrksasana").iterdir() if p.suffix.lower() in PHOTO_SUFFIXES)
    return found + [(p, "vrksasana") for p in trees]


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/aligncheck/recognition`` (``~/.cache/aligncheck/recognition``)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "aligncheck" / "recognition"


def estimate_all(photos: list[Path]) -> list[PoseFrame]:
    """The pose in every photo (with the back's profile the Janu Sirsasana rules read), from
    the cache or by running the bundled model once."""
    found = estimate_cached(photos, cache_dir(), silhouette=True)
    return [found[p] for p in photos]


def _expected(label: str, installed: set[str]) -> str:
    return label if label in installed else ALIASES.get(label, label)


def _table(rows: list[str], columns: list[str], counts: Counter) -> list[str]:
    short = [c.replace("_", " ") for c in columns]
    lines = ["| photos of \\ recognised | " + " | ".join(short) + " | n |"]
    lines.append("|---" * (len(columns) + 2) + "|")
    for row in rows:
        cells = [str(counts[(row, c)] or "·") for c in columns]
        total = sum(counts[(row, c)] for c in columns)
        lines.append(f"| {row.replace('_', ' ')} | " + " | ".join(cells) + f" | {total} |")
    return lines


def report(labels: list[str], found: list[Recognition], photos: list[Path], ids: list[str]) -> str:
    """The Markdown report: confusion matrix, accuracy, wrong claims, and the misses."""
    installed = set(ids)
    truth = [_expected(label, installed) for label in labels]
    predicted = [f.pose_id or NO_POSE for f in found]
    counts = Counter(zip(truth, predicted, strict=True))
    rows = sorted(set(truth))
    columns = [*sorted(installed | (set(predicted) - {NO_POSE})), NO_POSE]
    n = len(truth)
    right = sum(t == p for t, p in zip(truth, predicted, strict=True))
    wrong = sum(p not in (t, NO_POSE) for t, p in zip(truth, predicted, strict=True))
    low, high = wilson(right, n)
    wlow, whigh = wilson(wrong, n)
    missing = sorted(set(truth) - installed)
    lines = [
        f"Installed poses that can be recognised: {', '.join(sorted(installed))}.",
        "",
        *_table(rows, columns, counts),
        "",
        f"**Top-1 accuracy: {right}/{n} = {right / n:.1%}** (95 % Wilson interval "
        f"{low:.1%}-{high:.1%}).",
        f"A wrong pose claimed: {wrong}/{n} = {wrong / n:.1%} ({wlow:.1%}-{whigh:.1%}); the "
        'other misses are "no known pose".',
    ]
    if missing:
        lines.append(
            f"Photos of poses without an installed rule file ({', '.join(missing)}) count as "
            "misses: they cannot be right until their rule files are installed."
        )
    lines += ["", "Photos not recognised as their pose:", ""]
    for photo, t, p, f in zip(photos, truth, predicted, found, strict=True):
        if t != p:
            lines.append(f"- `{photo.parent.name}/{photo.name}` ({t}): {p} ({f.reason or 'wrong'})")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules-dir", type=Path, default=None, help="your own rule files")
    parser.add_argument("--write", type=Path, default=None, help="write the report here (.md)")
    args = parser.parse_args(argv)
    if not REAL.is_dir():
        print(f"skipped: {REAL} is not beside the repository")
        return 0
    pairs = labelled_photos(REAL)
    photos, labels = [p for p, _ in pairs], [label for _, label in pairs]
    poses = estimate_all(photos)
    library = recognisable_poses(args.rules_dir)
    found = [recognise(library, pose) for pose in poses]
    text = report(labels, found, photos, [r.pose.id for r in library])
    print(text)
    if args.write is not None:
        header = (
            "# Pose recognition on real photos\n\n"
            "`python benchmarks/recognition_real.py --write docs/recognition.md`: every real "
            "photo of `../shared/data/real` (199 of eight poses in `poses/`, 29 of tree pose in "
            "`vrksasana/`), recognised with `--pose auto` among the installed rule files. The "
            "`recognise:` limits were written by looking at renders and at these photos, so "
            "this is a measure on the tuning data, not a held-out accuracy. Renders: "
            "[recognition_synth.md](recognition_synth.md).\n\n"
        )
        args.write.write_text(header + text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
