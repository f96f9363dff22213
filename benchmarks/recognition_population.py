"""Pose recognition (``--pose auto``) on the synthetic population, per pose and camera view.

    python benchmarks/recognition_population.py [--split tune|eval] [--replicates N]
        [--rules-dir DIR] [--write docs/recognition_population.md]

Every pose with evaluation cases (``aligncheck/synth/library/<pose>.yaml``, Janu Sirsasana's
too) is rendered as in ``benchmarks/accuracy.py`` (the same items and cache): a fresh person,
room and camera per image, the correct pose and each fault at a mild and a clear strength, both
sides, every view bucket the pose is evaluated from, a low and a high camera. Each image is
recognised among all installed poses, as ``check --pose auto`` does on a photo. A fault is
still the pose: a student doing a pose badly must get that pose's corrections. A case with no
side to practise in a one-sided pose (Janu Sirsasana's sitting with both legs straight) is a
body at rest, where the right answer is "no known pose"; it is counted apart.

Prints per pose and view: recognised right, "no known pose", another pose (which), and nobody
found; then the confusion over all views, each with a 95 % Wilson interval. Choose
``recognise:`` conditions on the ``tune`` split and quote the ``eval`` split.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

from aligncheck.recognise import recognise
from aligncheck.rules.registry import find_pose, recognisable_poses
from aligncheck.synth.cases import case_poses, load_cases
from aligncheck.synth.evalrun import default_cache, estimate_items
from aligncheck.synth.evalscore import Rate

NOBODY = "nobody found"
NONE = "no known pose"


def _counts(pose_id: str, split: str, replicates: int, library, cache: Path, jobs: int):
    """Per view bucket, a Counter of what each image of ``pose_id`` was recognised as."""
    cases = load_cases(pose_id)
    rules = find_pose(cases.pose_id)
    options = {"silhouette": True} if rules.needs_silhouette else {}
    seen = estimate_items(
        list(cases.items(split, replicates)), cache, jobs, estimator_options=options
    )
    out: dict[str, Counter] = defaultdict(Counter)
    rest: dict[str, Counter] = defaultdict(Counter)
    for s in seen:
        # a one-sided pose's case without a side (Janu Sirsasana's sitting with both legs
        # straight) is a body at rest: the right answer there is no known pose
        where = rest if cases.one_sided and not s.item.case.sided else out
        if not s.pose.detected:
            where[s.item.view][NOBODY] += 1
            continue
        where[s.item.view][recognise(library, s.pose).label] += 1
    return cases.pose_id, dict(out), dict(rest)


def sc_rate(k: int, n: int) -> str:
    """k of n with its interval."""
    return Rate(k, n).text()


def _row(pose_id: str, view: str, counts: Counter) -> list[str]:
    total = sum(counts.values())
    others = ", ".join(
        f"{k} {v}" for k, v in counts.most_common() if k not in (pose_id, NONE, NOBODY)
    )
    return [
        pose_id,
        view,
        Rate(counts[pose_id], total).text(),
        Rate(counts[NONE], total).text(),
        Rate(sum(v for k, v in counts.items() if k not in (pose_id, NONE, NOBODY)), total).text(),
        others or "-",
        str(counts[NOBODY]),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("tune", "eval"), default="eval")
    parser.add_argument("--replicates", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--rules-dir", type=Path, default=None, help="your own rule files")
    parser.add_argument("--pose", action="append", default=[], help="only these poses")
    parser.add_argument("--write", type=Path, default=None, help="also write it here (.md)")
    args = parser.parse_args(argv)
    library = recognisable_poses(args.rules_dir)
    header = ["pose", "view", "recognised", "no known pose", "another pose", "which", "nobody"]
    rows, totals, resting = [], [], []
    for pose_id in args.pose or case_poses():
        pose_id, by_view, at_rest = _counts(
            pose_id,
            args.split,
            args.replicates,
            library,
            args.cache or default_cache(),
            args.jobs,
        )
        for view in sorted(by_view):
            rows.append(_row(pose_id, view, by_view[view]))
        totals.append(_row(pose_id, "all", sum(by_view.values(), Counter())))
        if at_rest:
            counts = sum(at_rest.values(), Counter())
            total = sum(counts.values()) - counts[NOBODY]
            claimed = sum(v for k, v in counts.items() if k not in (NONE, NOBODY))
            resting.append(
                f"- {pose_id}'s renders at rest (no side to practise, such as sitting with both "
                f"legs straight): a pose claimed for {sc_rate(claimed, total)} "
                f"({', '.join(f'{k} {v}' for k, v in counts.most_common())})."
            )
        print(f"  {pose_id} done", file=sys.stderr)
    lines = [
        f"Split `{args.split}`, {args.replicates} replicate(s); recognised among: "
        f"{', '.join(r.pose.id for r in library)}.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    lines += ["| " + " | ".join(r) + " |" for r in totals]
    if resting:
        lines += ["", *resting]
    lines += ["", "By view:", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    text = "\n".join(lines)
    print(text)
    if args.write is not None:
        head = ""
        if args.write.exists():  # keep the reading written above the tables
            old = args.write.read_text(encoding="utf-8")
            if "## Reading" in old and "\nSplit `" in old:
                head = old[: old.index("\nSplit `") + 1]
        args.write.write_text(
            head + text + "\n"
            if head
            else "# Pose recognition on the synthetic population\n\n"
            f"`python benchmarks/recognition_population.py --split {args.split} --replicates "
            f"{args.replicates} --write {args.write}` (see the script's docstring for what is "
            "rendered). A fault counts as its pose: a student doing a pose badly must still get "
            "that pose's corrections. Intervals are 95 % Wilson score intervals.\n\n" + text + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
