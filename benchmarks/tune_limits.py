"""Choose a pose's limits and views on the ``tune`` split of the synthetic population.

    python benchmarks/tune_limits.py --pose vrksasana [--replicates 3] [--rules FILE]
    python benchmarks/tune_limits.py --pose vrksasana --rule knee_out --values

For every rule and every view bucket of the split (all of them, not only those its measure
declares) it prints what the model's landmarks give on the renders the rule would judge
(the phase recognised is one of the rule's phases, the side is decided, the measure's points
are visible), split into the pose without this rule's fault ("clean") and with it ("fault"):

* the clean values' 1st, 5th, 50th, 95th and 99th percentiles, the faults' median;
* flagged (outside ``ok``) among clean and among fault images with the current limits;
* a **proposed** ``ok`` edge on the fault's side, the 5th percentile of the clean values
  pooled over the views the rule declares (``--views`` to try others), a proposed ``close``
  edge at their 1st percentile, and the false alarms and detection each view would get.

A view is worth declaring when, with one limit for all declared views, its false alarms stay
at about 5 % and it still flags most faults. Only the ``tune`` split is meant for choosing;
quote figures from ``benchmarks/accuracy.py --split eval``. Renders come from the same cache
as ``accuracy.py`` (``--cache``), so the first run renders and later ones take seconds.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from aligncheck.core import DEFAULT_VISIBILITY_THRESHOLD
from aligncheck.rules.engine import evaluate_still
from aligncheck.rules.loader import load_rules
from aligncheck.rules.measures import camera_view, evaluate
from aligncheck.rules.registry import find_pose
from aligncheck.rules.schema import Rule, RuleSet
from aligncheck.synth.cases import case_poses, load_cases
from aligncheck.synth.evalrun import Seen, default_cache, estimate_items
from aligncheck.synth.evalscore import wilson

#: The false-alarm rate a proposed ``ok`` edge aims at, and the one a ``close`` edge aims at.
TARGET_FA = 0.05
TARGET_OFF = 0.01


@dataclass
class Cell:
    """A rule's values from one view bucket: clean and fault images it would judge, and how
    many images of each it could not judge."""

    clean: list[float] = field(default_factory=list)
    fault: list[float] = field(default_factory=list)
    fault_strength: list[str] = field(default_factory=list)
    clean_total: int = 0
    fault_total: int = 0


def collect(rules: RuleSet, seen: list[Seen], sided: bool) -> dict[str, dict[str, Cell]]:
    """rule id -> view bucket -> :class:`Cell`, from every item of the split."""
    out: dict[str, dict[str, Cell]] = defaultdict(lambda: defaultdict(Cell))
    for s in seen:
        verdict = evaluate_still(rules, s.pose)
        near = camera_view(s.pose).near if s.pose.detected else "LEFT"
        mirrored = verdict.mirrored if sided else s.item.mirrored
        decided = bool(verdict.side) or not sided
        case = s.item.case
        for rule in rules.rules:
            is_fault = rule.id in case.faults
            clean = not is_fault and rule.id not in case.also and case.phase in rule.phases
            if not (is_fault or clean):
                continue
            cell = out[rule.id][s.item.view]
            if is_fault:
                cell.fault_total += 1
            else:
                cell.clean_total += 1
            if not (s.pose.detected and decided and verdict.phase in rule.phases):
                continue
            value = evaluate(
                rules.measures[rule.measure], s.pose, mirrored, DEFAULT_VISIBILITY_THRESHOLD, near
            ).value
            if not math.isfinite(value):
                continue
            if is_fault:
                cell.fault.append(value)
                cell.fault_strength.append(s.item.strength)
            else:
                cell.clean.append(value)
    return out


def _direction(rule: Rule, cells: dict[str, Cell]) -> int:
    """-1 when the rule's faults lie below its ok band, +1 above (from the fault values)."""
    faults = [v for c in cells.values() for v in c.fault]
    if not faults:
        mid = (rule.ok.low + rule.ok.high) / 2
        return -1 if rule.ok.high >= 179 else (1 if rule.ok.low <= 0 else int(np.sign(mid)))
    below = sum(v < rule.ok.low for v in faults)
    above = sum(v > rule.ok.high for v in faults)
    if below != above:
        return -1 if below > above else 1
    clean = [v for c in cells.values() for v in c.clean]
    centre = float(np.median(clean)) if clean else (rule.ok.low + rule.ok.high) / 2
    return -1 if float(np.median(faults)) < centre else 1


def _outside(values: list[float], low: float, high: float) -> int:
    return sum(v < low or v > high for v in values)


def _rate(k: int, n: int) -> str:
    if not n:
        return "-"
    lo, hi = wilson(k, n)
    return f"{k / n:.0%} ({lo * 100:.0f}-{hi * 100:.0f}) {k}/{n}"


def _pct(values: list[float], q: float) -> str:
    return f"{np.percentile(values, q):.2f}" if values else "-"


def proposal(rule: Rule, cells: dict[str, Cell], views: list[str]) -> tuple[float, float, int]:
    """(ok edge, close edge, direction) on the fault's side, from the clean values pooled over
    ``views``; NaN when there are none."""
    direction = _direction(rule, cells)
    pooled = [v for view in views for v in cells.get(view, Cell()).clean]
    if not pooled:
        return math.nan, math.nan, direction
    if direction < 0:
        return (
            float(np.percentile(pooled, 100 * TARGET_FA)),
            float(np.percentile(pooled, 100 * TARGET_OFF)),
            direction,
        )
    return (
        float(np.percentile(pooled, 100 * (1 - TARGET_FA))),
        float(np.percentile(pooled, 100 * (1 - TARGET_OFF))),
        direction,
    )


def report_rule(rules: RuleSet, rule: Rule, cells: dict[str, Cell], views: list[str]) -> None:
    measure = rules.measures[rule.measure]
    declared = [v for v in sorted(cells) if measure.reliable_from(*_split(v))]
    chosen = views or declared
    ok_edge, close_edge, direction = proposal(rule, cells, chosen)
    side = "below" if direction < 0 else "above"
    print(
        f"\n## {rule.id} ({rule.measure}, {measure.space}); ok {rule.ok.low:g}..{rule.ok.high:g}, "
        f"close {rule.close.low:g}..{rule.close.high:g}; faults lie {side}; "
        f"declared: {', '.join(measure.views)}"
    )
    if math.isfinite(ok_edge):
        print(
            f"   proposed from {', '.join(chosen)}: ok edge {ok_edge:.2f}, close edge "
            f"{close_edge:.2f}"
        )
    low, high = rule.ok.low, rule.ok.high
    if math.isfinite(ok_edge):
        p_low, p_high = (ok_edge, high) if direction < 0 else (low, ok_edge)
    else:
        p_low, p_high = low, high
    print(
        "   view | clean p1 p5 p50 p95 p99 | fault median (mild/clear) | judged clean, fault "
        "| FA now | det now | FA proposed | det proposed"
    )
    for view in sorted(cells):
        c = cells[view]
        mark = "*" if view in chosen else " "
        mild = [v for v, s in zip(c.fault, c.fault_strength, strict=True) if s == "mild"]
        clear = [v for v, s in zip(c.fault, c.fault_strength, strict=True) if s == "clear"]
        print(
            f" {mark} {view:18s} | {_pct(c.clean, 1)} {_pct(c.clean, 5)} {_pct(c.clean, 50)} "
            f"{_pct(c.clean, 95)} {_pct(c.clean, 99)} | {_pct(mild, 50)}/{_pct(clear, 50)} | "
            f"{len(c.clean)}/{c.clean_total}, {len(c.fault)}/{c.fault_total} | "
            f"{_rate(_outside(c.clean, low, high), len(c.clean))} | "
            f"{_rate(_outside(c.fault, low, high), len(c.fault))} | "
            f"{_rate(_outside(c.clean, p_low, p_high), len(c.clean))} | "
            f"{_rate(_outside(c.fault, p_low, p_high), len(c.fault))}"
        )


def _split(view: str) -> tuple[str, str | None]:
    name, _, role = view.partition("/")
    return name, role or None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pose", choices=case_poses(), required=True)
    parser.add_argument("--split", choices=("tune", "eval"), default="tune")
    parser.add_argument("--replicates", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--rules", type=Path, default=None, help="a rules file to tune")
    parser.add_argument("--rule", action="append", default=[], help="only these rules")
    parser.add_argument(
        "--views", default="", help="comma-separated view buckets to pool the proposal over"
    )
    parser.add_argument("--values", action="store_true", help="print every value too")
    args = parser.parse_args()
    if args.split == "eval":
        print("note: limits are chosen on the tune split; eval is for reporting", file=sys.stderr)
    cases = load_cases(args.pose)
    rules = load_rules(args.rules) if args.rules else find_pose(cases.pose_id)
    options = {"silhouette": True} if rules.needs_silhouette else {}
    seen = list(
        estimate_items(
            list(cases.items(args.split, args.replicates)),
            args.cache or default_cache(),
            args.jobs,
            estimator_options=options,
        )
    )
    cells = collect(rules, seen, cases.one_sided)
    views = [v for v in args.views.split(",") if v]
    print(f"# {rules.pose.id}: {len(seen)} renders of the {args.split} split")
    for rule in rules.rules:
        if args.rule and rule.id not in args.rule:
            continue
        report_rule(rules, rule, cells.get(rule.id, {}), views)
        if args.values:
            for view, c in sorted(cells.get(rule.id, {}).items()):
                print(f"   {view}: clean {sorted(round(v, 2) for v in c.clean)}")
                print(f"   {view}: fault {sorted(round(v, 2) for v in c.fault)}")


if __name__ == "__main__":
    main()
