"""Judge evaluation items with a rule set and score the verdicts against the truth.

Every figure is a count ``k`` of ``n`` with a 95 % Wilson score interval, so a rate from a
handful of images is not mistaken for a precise one. Rules are scored only in the camera views
they declare reliable (a rule that says "not measurable from this view" has not failed there);
how often they are judged at all is reported as coverage.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from aligncheck.core import DEFAULT_VISIBILITY_THRESHOLD, Status, Verdict
from aligncheck.rules.engine import evaluate_still
from aligncheck.rules.measures import camera_view, evaluate
from aligncheck.rules.schema import RuleSet
from aligncheck.synth.evalrun import Seen

FLAGGED = (Status.CLOSE, Status.OFF)
#: Measures whose error against the render's truth is reported for Janu Sirsasana (2D angles
#: the rules use); other poses report every 2D joint angle their rules judge
#: (:func:`angle_measures`).
ANGLE_MEASURES = ("straight_knee", "hip_angle", "near_elbow")


def angle_measures(rules: RuleSet) -> tuple[str, ...]:
    """The 2D angles whose error is reported: :data:`ANGLE_MEASURES` where the rule set has
    them, else the image-space joint angles its rules judge."""
    named = tuple(m for m in ANGLE_MEASURES if m in rules.measures)
    if named:
        return named
    used = dict.fromkeys(r.measure for r in rules.rules)
    return tuple(
        m
        for m in used
        if rules.measures[m].type == "joint_angle" and rules.measures[m].space == "image"
    )


@dataclass(frozen=True)
class Rate:
    """k of n, with its 95 % Wilson interval."""

    k: int
    n: int

    @property
    def value(self) -> float:
        """k / n (NaN when n is 0)."""
        return self.k / self.n if self.n else math.nan

    @property
    def interval(self) -> tuple[float, float]:
        """The 95 % Wilson score interval (NaN, NaN when n is 0)."""
        return wilson(self.k, self.n)

    def text(self) -> str:
        """'93% (88-96, 140/150)', or '-' when n is 0."""
        if not self.n:
            return "-"
        low, high = self.interval
        return f"{self.value:.0%} ({low * 100:.0f}-{high * 100:.0f}, {self.k}/{self.n})"


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion k/n."""
    if n <= 0:
        return (math.nan, math.nan)
    p = k / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True, eq=False)
class Judged:
    """One item, its verdict, and the true value of each measure."""

    seen: Seen
    verdict: Verdict
    truth: dict[str, float]
    measured: dict[str, float]


def judge(rules: RuleSet, seen: Iterable[Seen]) -> list[Judged]:
    """The verdict of ``rules`` on every item (as a photo), and the measures on the truth."""
    out = []
    chosen = angle_measures(rules)
    angles = {mid: m for mid, m in rules.measures.items() if mid in chosen}
    for s in seen:
        verdict = evaluate_still(rules, s.pose)
        near = camera_view(s.pose).near if s.pose.detected else "LEFT"
        truth = {
            mid: evaluate(m, s.truth, s.item.mirrored, 0.0, near).value for mid, m in angles.items()
        }
        measured = {
            mid: evaluate(m, s.pose, s.item.mirrored, DEFAULT_VISIBILITY_THRESHOLD, near).value
            for mid, m in angles.items()
        }
        out.append(Judged(s, verdict, truth, measured))
    return out


def _declares(rules: RuleSet, rule_id: str, view_bucket: str) -> bool:
    """True when the rule exists in ``rules`` and its measure claims the view bucket."""
    rule = next((r for r in rules.rules if r.id == rule_id), None)
    if rule is None:  # a fault the rule set does not judge (kept as guidance)
        return False
    measure = rules.measures[rule.measure]
    view, _, role = view_bucket.partition("/")
    return measure.reliable_from(view, role or None)


@dataclass(frozen=True)
class RuleRow:
    """A rule's scores from one view bucket."""

    rule: str
    view: str
    detection: Rate  # flagged / judged, fault items
    detection_all: Rate  # flagged / all fault items (not judged counts as missed)
    false_alarms: Rate  # flagged / judged, items in the rule's phase without its fault
    coverage: Rate  # judged / items whose true phase is one of the rule's phases


def rule_rows(rules: RuleSet, judged: list[Judged]) -> list[RuleRow]:
    """Rule x view table, in the views each rule declares."""
    rows = []
    views = sorted({j.seen.item.view for j in judged})
    for rule in rules.rules:
        for view in views:
            if not _declares(rules, rule.id, view):
                continue
            here = [j for j in judged if j.seen.item.view == view]
            faults = [j for j in here if rule.id in j.seen.item.case.faults]
            clean = [
                j
                for j in here
                if rule.id not in j.seen.item.case.faults
                and rule.id not in j.seen.item.case.also
                and j.seen.item.case.phase in rule.phases
            ]
            in_phase = [j for j in here if j.seen.item.case.phase in rule.phases]

            def status(j: Judged, rule_id: str = rule.id) -> Status:
                return j.verdict.result(rule_id).status

            judged_faults = [j for j in faults if status(j).judged]
            judged_clean = [j for j in clean if status(j).judged]
            rows.append(
                RuleRow(
                    rule.id,
                    view,
                    Rate(sum(status(j) in FLAGGED for j in judged_faults), len(judged_faults)),
                    Rate(sum(status(j) in FLAGGED for j in faults), len(faults)),
                    Rate(sum(status(j) in FLAGGED for j in judged_clean), len(judged_clean)),
                    Rate(sum(status(j).judged for j in in_phase), len(in_phase)),
                )
            )
    return rows


def top_cue(rules: RuleSet, judged: list[Judged]) -> dict[str, tuple[Rate, Rate]]:
    """Per view bucket: (correct images whose top cue is empty, single-fault images whose top
    cue names their fault, counted in views that the fault's rules declare)."""
    out = {}
    for view in sorted({j.seen.item.view for j in judged}):
        here = [j for j in judged if j.seen.item.view == view]
        correct = [j for j in here if j.seen.item.case.correct]
        faulty = [
            j
            for j in here
            if not j.seen.item.case.correct
            and any(_declares(rules, r, view) for r in j.seen.item.case.faults)
        ]
        named = sum(
            j.verdict.top is not None and j.verdict.top.rule_id in j.seen.item.case.faults
            for j in faulty
        )
        out[view] = (
            Rate(sum(j.verdict.top is None for j in correct), len(correct)),
            Rate(named, len(faulty)),
        )
    return out


def phase_confusion(judged: list[Judged]) -> dict[str, Counter]:
    """Per view bucket, counts of (true phase, recognised phase or '' for none)."""
    out: dict[str, Counter] = defaultdict(Counter)
    for j in judged:
        out[j.seen.item.view][(j.seen.item.case.phase, j.verdict.phase)] += 1
    return dict(out)


def side_counts(judged: list[Judged]) -> dict[str, Counter]:
    """Per view bucket: 'right', 'wrong' and 'undecided' side decisions (cases with a side to
    recognise only: a one-sided pose, not Janu Sirsasana's sitting with both legs straight)."""
    out: dict[str, Counter] = defaultdict(Counter)
    for j in judged:
        if not j.seen.item.case.sided:
            continue
        v = j.verdict
        if not v.side:
            outcome = "undecided"
        elif v.mirrored == j.seen.item.mirrored:
            outcome = "right"
        else:
            outcome = "wrong"
        out[j.seen.item.view][outcome] += 1
    return dict(out)


def angle_errors(rules: RuleSet, judged: list[Judged]) -> dict[tuple[str, str], list[float]]:
    """Per (measure, view bucket declared by the measure): absolute errors in degrees of the
    measured 2D angle against the same angle on the true landmarks, where it was measured."""
    out: dict[tuple[str, str], list[float]] = defaultdict(list)
    for j in judged:
        view, _, role = j.seen.item.view.partition("/")
        for mid in angle_measures(rules):
            measure = rules.measures.get(mid)
            if measure is None or not measure.reliable_from(view, role or None):
                continue
            est, true = j.measured.get(mid, math.nan), j.truth.get(mid, math.nan)
            if math.isfinite(est) and math.isfinite(true):
                out[(mid, j.seen.item.view)].append(abs(est - true))
    return dict(out)


def median(values: list[float]) -> float:
    """Median, NaN for an empty list."""
    return statistics.median(values) if values else math.nan
