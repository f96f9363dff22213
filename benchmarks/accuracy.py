"""A pose's verdicts on a population of synthetic practitioners, tuned on one split and
reported on another.

    python benchmarks/accuracy.py --split eval --replicates 3 [--write docs/accuracy.md]
    python benchmarks/accuracy.py --pose vrksasana --split eval [--rules path/to/vrksasana.yaml]

``--pose`` (default Janu Sirsasana) is any pose with evaluation cases
(``aligncheck/synth/library/<pose>.yaml``, :mod:`aligncheck.synth.cases`); its rules are the
installed rule file of that id unless ``--rules`` names another. Each item is a fresh person,
room and camera (:mod:`aligncheck.synth.population`) in a correct pose or one fault (mild or
clear), on both sides, from the pose's view buckets (Janu Sirsasana: side, diagonal and front
views on either leg's side), with a low and a high camera. The ``tune`` split is the one limits
are chosen on; only the ``eval`` split (seeds never used for tuning) is quoted in the docs. What
the model saw is cached (``--cache``), so judging again with changed rules takes seconds.

Prints, and with ``--write`` saves as Markdown: the rule x view table (detection, false alarms,
coverage, with 95 % Wilson intervals), the top cue per view, phase and side recognition per
view, and the error of the 2D angles the rules use.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from aligncheck.rules.loader import load_rules
from aligncheck.rules.registry import find_pose
from aligncheck.synth import evalscore as sc
from aligncheck.synth.cases import case_poses, load_cases
from aligncheck.synth.evalrun import default_cache, estimate_items


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def report(
    rules: object, judged: list[sc.Judged], split: str, n_items: int, one_sided: bool = True
) -> list[str]:
    """The evaluation as Markdown lines (the side table only for a one-sided pose)."""
    out = [
        f"Split `{split}`: {n_items} renders, {len({j.seen.item.seed for j in judged})} "
        "people/rooms/cameras, both sides, camera heights 0.35-0.6 m and 1.3-1.6 m.",
        "",
        "### Rules, in the views each declares",
        "",
        "Detection: faults flagged (close or off) among those judged; *all*: among all fault "
        "images (not judged counts as missed). False alarms: flagged among judged images in "
        "the rule's phase without its fault. Coverage: judged among images in its phase.",
        "",
    ]
    rows = [
        [
            r.rule,
            r.view,
            r.detection.text(),
            r.detection_all.text(),
            r.false_alarms.text(),
            r.coverage.text(),
        ]
        for r in sc.rule_rows(rules, judged)
    ]
    out += _table(
        ["rule", "view", "detection", "detection (all)", "false alarms", "coverage"], rows
    )
    out += ["", "### Top cue", ""]
    rows = [
        [view, correct.text(), named.text()]
        for view, (correct, named) in sc.top_cue(rules, judged).items()
    ]
    out += _table(["view", "correct pose: no cue", "single fault: cue names it"], rows)
    out += ["", "### Phase recognised (true phase: recognised counts)", ""]
    rows = []
    for view, counts in sc.phase_confusion(judged).items():
        truths = sorted({t for t, _ in counts})
        for truth in truths:
            total = sum(n for (t, _), n in counts.items() if t == truth)
            right = counts.get((truth, truth), 0)
            others = ", ".join(
                f"{p or 'none'} {n}"
                for (t, p), n in sorted(counts.items())
                if t == truth and p != truth
            )
            rows.append([view, truth, sc.Rate(right, total).text(), others])
    out += _table(["view", "true phase", "recognised", "instead"], rows)
    rows = []
    for view, counts in sc.side_counts(judged).items():
        total = sum(counts.values())
        rows.append(
            [
                view,
                sc.Rate(counts["right"], total).text(),
                sc.Rate(counts["wrong"], total).text(),
                sc.Rate(counts["undecided"], total).text(),
            ]
        )
    if one_sided:
        out += ["", "### Side practised", ""]
        out += _table(["view", "right", "wrong", "undecided"], rows)
    out += ["", "### 2D angle error against the render's truth (degrees)", ""]
    rows = []
    for (mid, view), errors in sorted(sc.angle_errors(rules, judged).items()):
        errors.sort()
        p90 = errors[int(0.9 * (len(errors) - 1))]
        rows.append([mid, view, f"{sc.median(errors):.1f}", f"{p90:.1f}", str(len(errors))])
    out += _table(["measure", "view", "median", "90th percentile", "n"], rows)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pose", choices=case_poses(), default="janu_sirsasana")
    parser.add_argument("--split", choices=("tune", "eval"), default="eval")
    parser.add_argument("--replicates", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--rules", type=Path, default=None, help="a rules file to judge with")
    parser.add_argument("--write", type=Path, default=None, help="write the Markdown here")
    args = parser.parse_args()
    cases = load_cases(args.pose)
    rules = load_rules(args.rules) if args.rules else find_pose(cases.pose_id)
    todo = list(cases.items(args.split, args.replicates))
    done = Counter()
    start = time.monotonic()

    def progress(n: int) -> None:
        done["n"] += n
        rate = done["n"] / max(time.monotonic() - start, 1e-9)
        print(f"\r  rendered {done['n']}/{len(todo)} ({rate:.1f}/s)", end="", file=sys.stderr)

    options = {"silhouette": True} if rules.needs_silhouette else {}
    seen = list(
        estimate_items(
            todo,
            args.cache or default_cache(),
            args.jobs,
            estimator_options=options,
            progress=progress,
        )
    )
    print(file=sys.stderr)
    judged = sc.judge(rules, seen)
    lines = report(rules, judged, args.split, len(todo), cases.one_sided)
    print("\n".join(lines))
    if args.write:
        write(args.write, lines)


#: The tables replace what follows this heading in an existing file; the text above it (the
#: reading of the figures against the goals) is kept.
MARKER = "## Tables (eval split)"


def write(path: Path, lines: list[str]) -> None:
    """Write the tables to ``path``, after the text above :data:`MARKER` if the file has it."""
    head = ""
    if path.exists():
        text = path.read_text(encoding="utf-8")
        if MARKER in text:
            head = text[: text.index(MARKER)] + MARKER + "\n\n"
    path.write_text(head + "\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
