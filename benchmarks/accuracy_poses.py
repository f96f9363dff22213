"""Every pose's verdicts on the synthetic population in one document: a summary against the
goals, then each pose's tables from ``benchmarks/accuracy.py``.

    python benchmarks/accuracy_poses.py [--split eval] [--replicates 3]
        [--write docs/accuracy_poses.md]

Poses: every pose with evaluation cases except Janu Sirsasana (``docs/accuracy.md`` has its
own). The summary gives, per pose, the rule x view cells (in the views each rule declares)
whose false alarms stay at or under 5 %, the worst cell, detection pooled over the pose's rules
and views, coverage, phase recognition and the top cue on correct poses, each count with its
95 % Wilson interval where it is a rate. Limits are chosen on the ``tune`` split
(``benchmarks/tune_limits.py``); quote only the ``eval`` split.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from accuracy import report

from aligncheck.rules.registry import find_pose
from aligncheck.synth import evalscore as sc
from aligncheck.synth.cases import case_poses, load_cases
from aligncheck.synth.evalrun import default_cache, estimate_items

#: The tables replace what follows this heading in an existing file; the text above it (the
#: reading of the figures) is kept.
MARKER = "## Summary"
#: The false-alarm goal of a rule in a view it declares.
FA_GOAL = 0.05

INTRO = """# Accuracy of the eight newer poses' rules on the synthetic population

Written by `python benchmarks/accuracy_poses.py --split {split} --replicates {replicates}
--write docs/accuracy_poses.md`, on the `{split}` split: seeds never used for tuning. Every
image is a new person, room and camera, in the correct pose or one of the rule's typical
faults at a mild and a clear strength (`aligncheck/synth/library/<pose>.yaml`), on both
sides, from front, back, side and diagonal views (side and diagonal from either role's side
for a one-sided pose), with a low (0.35-0.6 m) and a high (1.3-1.6 m) camera. The limits,
views and phases of each rule file were chosen on the `tune` split with
`benchmarks/tune_limits.py` and checked on the tune half of the real photos
([poses_real.md](poses_real.md)); rules are judged in the views they declare.

Detection counts a fault flagged as close or off among the fault images judged; *all* counts a
fault image that was not judged (pose not recognised, a body part not visible) as missed.
False alarms: images without the rule's fault, in its phase, flagged. Intervals are 95 %
Wilson score intervals; with 24-150 images a cell, read the intervals, not the percentages.

## Summary

{header}
"""


HEADER = (
    "pose",
    "cells with false alarms ≤ 5 %",
    "worst cell (false alarms)",
    "detection (judged)",
    "detection (all)",
    "coverage",
    "phase recognised",
    "correct pose, no cue",
)


def _pooled(rows: list[sc.RuleRow], field: str) -> sc.Rate:
    rates = [getattr(r, field) for r in rows]
    return sc.Rate(sum(r.k for r in rates), sum(r.n for r in rates))


def summary_row(pose_id: str, rules: object, judged: list[sc.Judged]) -> list[str]:
    """One line of the summary table."""
    rows = sc.rule_rows(rules, judged)
    measured = [r for r in rows if r.false_alarms.n]
    good = sum(r.false_alarms.value <= FA_GOAL for r in measured)
    worst = max(measured, key=lambda r: r.false_alarms.value, default=None)
    worst_text = (
        f"{worst.rule} {worst.view}: {worst.false_alarms.text()}" if worst is not None else "-"
    )
    phase = sc.Rate(sum(j.verdict.phase == j.seen.item.case.phase for j in judged), len(judged))
    correct = [j for j in judged if j.seen.item.case.correct]
    quiet = sc.Rate(sum(j.verdict.top is None for j in correct), len(correct))
    return [
        pose_id,
        f"{good} of {len(measured)}",
        worst_text,
        _pooled(rows, "detection").text(),
        _pooled(rows, "detection_all").text(),
        _pooled(rows, "coverage").text(),
        phase.text(),
        quiet.text(),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("tune", "eval"), default="eval")
    parser.add_argument("--replicates", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--write", type=Path, default=None, help="write the Markdown here")
    args = parser.parse_args(argv)
    summary, sections = [], []
    for pose_id in case_poses():
        cases = load_cases(pose_id)
        if cases.pose_id == "janu_sirsasana":
            continue
        rules = find_pose(cases.pose_id)
        todo = list(cases.items(args.split, args.replicates))
        options = {"silhouette": True} if rules.needs_silhouette else {}
        seen = list(
            estimate_items(
                todo, args.cache or default_cache(), args.jobs, estimator_options=options
            )
        )
        judged = sc.judge(rules, seen)
        summary.append(summary_row(cases.pose_id, rules, judged))
        lines = report(rules, judged, args.split, len(todo), cases.one_sided)
        sections += ["", f"## {cases.pose_id}", ""]
        sections += [line.replace("### ", "#### ") for line in lines]
        print(f"  {cases.pose_id} done", file=sys.stderr)
    header = "| " + " | ".join(HEADER) + " |\n|" + "---|" * len(HEADER)
    text = INTRO.format(split=args.split, replicates=args.replicates, header=header)
    text += "\n".join("| " + " | ".join(row) + " |" for row in summary) + "\n"
    text += "\n".join(sections) + "\n"
    print(text)
    if args.write is not None:
        if args.write.exists():  # keep the reading written above the tables
            old = args.write.read_text(encoding="utf-8")
            if MARKER in old:
                text = old[: old.index(MARKER)] + text[text.index(MARKER) :]
        args.write.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
