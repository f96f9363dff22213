"""Rules against renders: does each rule flag its fault and leave the correct pose alone?

For every rule of a pose a *case* names the correct pose(s) and the fault pose it targets
(written for the right side; the left side uses the mirrored poses). Each is rendered from
the camera views the rule's measure declares reliable, on both sides and at several camera
positions, run through the real pose model, and judged by the rule engine on the still. A
rule is *flagged* when its status is close or off; *judged* when it is ok, close or off (not
"not visible" and not "not applicable", e.g. when the model's view or phase differs).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from aligncheck.core import Frame, Status, Verdict
from aligncheck.estimate import PoseEstimator
from aligncheck.rules.engine import evaluate_still
from aligncheck.rules.schema import RuleSet
from aligncheck.synth.poses import PoseLibrary, load_poses
from aligncheck.synth.render import render


@dataclass(frozen=True)
class RuleCase:
    """The fault pose a rule targets and the correct poses it must accept (right side)."""

    rule: str
    correct: tuple[str, ...]
    fault: str


#: Camera azimuths (degrees; positive = the folded leg's side for a "right" pose) per view.
VIEW_AZIMUTHS: dict[str, tuple[float, ...]] = {
    "diagonal": (45.0, 60.0, -45.0, -60.0),
    "diagonal/folded": (45.0, 60.0),
    "diagonal/straight": (-45.0, -60.0),
    "side": (80.0, 90.0, -80.0, -90.0),
    "side/folded": (80.0, 90.0),
    "side/straight": (-80.0, -90.0),
    "front": (0.0, 20.0, -20.0),
}

JANU_CASES: tuple[RuleCase, ...] = (
    RuleCase("spine_long_in_fold", ("janu_right_folded",), "janu_right_folded_rounded"),
    RuleCase("long_spine_upright", ("janu_right_upright",), "janu_right_upright_slumped"),
    RuleCase("sit_upright", ("janu_right_upright",), "janu_right_upright_leaning_back"),
    RuleCase(
        "straight_knee",
        ("janu_right_upright", "janu_right_folded"),
        "janu_right_straight_knee_bent",
    ),
    RuleCase("thighs_apart", ("janu_right_upright",), "janu_right_thighs_narrow"),
    RuleCase("knee_down", ("janu_right_upright",), "janu_right_knee_floating"),
    RuleCase("heel_to_groin", ("janu_right_upright",), "janu_right_heel_on_knee"),
    RuleCase("heel_not_on_knee", ("janu_right_upright",), "janu_right_heel_on_knee"),
    RuleCase("arms_straight", ("janu_right_upright",), "janu_right_upright_elbows_bent"),
    RuleCase("fingertips_by_hips", ("janu_right_upright",), "janu_right_upright_hands_far_forward"),
    RuleCase("hands_hold_foot", ("janu_right_folded",), "janu_right_folded_hands_on_shin"),
    RuleCase("elbows_soft", ("janu_right_folded",), "janu_right_folded_elbows_locked"),
    RuleCase("head_released", ("janu_right_folded",), "janu_right_folded_head_up"),
)


@dataclass(frozen=True)
class Trial:
    """One judged render: which rule, which view token, correct or fault, and the status."""

    rule: str
    view: str
    side: str
    azimuth: float
    elevation: float
    pose: str
    is_fault: bool
    status: Status
    phase: str
    reason: str = ""
    value: float = float("nan")


def _side_pose(pose: str, side: str) -> str:
    return pose if side == "right" else pose.replace("janu_right", "janu_left", 1)


class _Renders:
    """Renders and verdicts, cached: many rules share the same pose and camera."""

    def __init__(self, rules: RuleSet, estimator: PoseEstimator, library: PoseLibrary) -> None:
        self.rules, self.estimator, self.library = rules, estimator, library
        self._cache: dict[tuple[str, float, float], Verdict] = {}

    def verdict(self, pose: str, azimuth: float, elevation: float) -> Verdict:
        key = (pose, azimuth, elevation)
        if key not in self._cache:
            shot = render(self.library.pose(pose), view=azimuth, elevation=elevation)
            found = self.estimator.estimate(Frame(shot.image, 0, 0.0))
            self._cache[key] = evaluate_still(self.rules, found)
        return self._cache[key]


def run_trials(
    rules: RuleSet,
    estimator: PoseEstimator,
    cases: Iterable[RuleCase] = JANU_CASES,
    elevations: tuple[float, ...] = (8.0, 15.0),
    sides: tuple[str, ...] = ("right", "left"),
    library: PoseLibrary | None = None,
    views: dict[str, tuple[float, ...]] | None = None,
) -> Iterator[Trial]:
    """Judge every case from every view its rule declares, on both sides; a case whose rule
    the rule set does not judge (kept as guidance, not measured by the camera) is skipped."""
    renders = _Renders(rules, estimator, library or load_poses())
    rule_by_id = {r.id: r for r in rules.rules}
    azimuths = views or VIEW_AZIMUTHS
    for case in cases:
        rule = rule_by_id.get(case.rule)
        if rule is None:
            continue
        measure = rules.measures[rule.measure]
        for view in sorted(measure.views):
            for side in sides:
                for azimuth in azimuths.get(view, ()):
                    signed = azimuth if side == "right" else -azimuth
                    for elevation in elevations:
                        for pose, is_fault in [(p, False) for p in case.correct] + [
                            (case.fault, True)
                        ]:
                            name = _side_pose(pose, side)
                            verdict = renders.verdict(name, signed, elevation)
                            result = verdict.result(rule.id)
                            yield Trial(
                                rule.id,
                                view,
                                side,
                                azimuth,
                                elevation,
                                name,
                                is_fault,
                                result.status,
                                verdict.phase,
                                result.reason,
                                result.value,
                            )


@dataclass(frozen=True)
class RuleRate:
    """Detection and false-alarm rates of one rule from one view."""

    rule: str
    view: str
    faults: int
    faults_judged: int
    faults_flagged: int
    correct: int
    correct_judged: int
    correct_flagged: int

    @property
    def detection(self) -> float:
        """Flagged faults / judged faults (NaN if none judged)."""
        return self.faults_flagged / self.faults_judged if self.faults_judged else float("nan")

    @property
    def false_alarms(self) -> float:
        """Flagged correct poses / judged correct poses (NaN if none judged)."""
        return self.correct_flagged / self.correct_judged if self.correct_judged else float("nan")


def rates(trials: Iterable[Trial]) -> list[RuleRate]:
    """Per rule and view token: counts of judged and flagged faults and correct poses."""
    groups: dict[tuple[str, str], list[Trial]] = {}
    for trial in trials:
        groups.setdefault((trial.rule, trial.view), []).append(trial)
    rows = []
    for (rule, view), group in groups.items():
        faults = [t for t in group if t.is_fault]
        correct = [t for t in group if not t.is_fault]
        flagged = (Status.CLOSE, Status.OFF)
        rows.append(
            RuleRate(
                rule,
                view,
                len(faults),
                sum(t.status.judged for t in faults),
                sum(t.status in flagged for t in faults),
                len(correct),
                sum(t.status.judged for t in correct),
                sum(t.status in flagged for t in correct),
            )
        )
    return rows
