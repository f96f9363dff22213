"""Which installed pose, if any, a body is in: ``--pose auto``, from each rule file's
``recognise:`` section (see docs/rules.md, "Recognising the pose").

Per pose and per side (as written and mirrored, for one-sided poses), each condition's
*margin* is how far the value lies inside its bound, in units of the condition's scale
(positive: holds, negative: fails). The pose's score is its smallest margin, over the side
that fits better. A measure the camera cannot see from this view, or a hidden body part, is
unknown: an unknown ``if_visible`` condition is skipped, any other makes the pose unknown.

The best pose is recognised only when all its conditions hold and its score beats the
runner-up's by ``RecogniseSettings.min_gap``; otherwise the answer is "no known pose", never a
guess. A skeleton that cannot be a body (:mod:`aligncheck.plausibility`) is no known pose too.
Pure functions: no state, no time (a video's decisions are smoothed in
:mod:`aligncheck.segments`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from aligncheck.core import DEFAULT_VISIBILITY_THRESHOLD, PoseFrame, Verdict
from aligncheck.plausibility import PlausibilityLimits, judge, skeleton_stats
from aligncheck.rules.measures import CameraView, camera_view, evaluate, resolved_points
from aligncheck.rules.schema import Condition, Measure, RuleSet

#: What aligncheck says when no installed pose fits.
NO_POSE = "no known pose"


@dataclass(frozen=True)
class RecogniseSettings:
    """How sure recognition must be: the winner's score must be at least ``min_score`` and
    beat the runner-up by ``min_gap`` (both in units of the conditions' scales)."""

    min_score: float = 0.0
    min_gap: float = 0.3
    visibility_threshold: float = DEFAULT_VISIBILITY_THRESHOLD
    plausibility: PlausibilityLimits | None = field(default_factory=PlausibilityLimits)


@dataclass(frozen=True)
class PoseScore:
    """How well one pose's ``recognise:`` conditions fit a body.

    ``score``: the smallest margin (-inf when a needed value is unknown); ``mirrored``: the
    side that fits better; ``weakest``: the measure nearest to failing (or unknown);
    ``margins``: each condition's margin (NaN: unknown), in the file's order.
    """

    pose_id: str
    score: float
    mirrored: bool = False
    weakest: str = ""
    margins: tuple[float, ...] = ()

    @property
    def holds(self) -> bool:
        """True when every condition holds."""
        return self.score >= 0


@dataclass(frozen=True)
class Recognition:
    """The answer for one body: ``pose_id`` ("" = no known pose), ``mirrored`` for its side,
    the scores of every candidate pose (best first) and, for no known pose, why. When the
    skeleton cannot be a body, ``check`` names the plausibility check that failed and
    ``suggestion`` what to change."""

    pose_id: str
    mirrored: bool = False
    scores: tuple[PoseScore, ...] = ()
    reason: str = ""
    check: str = ""
    suggestion: str = ""

    @property
    def label(self) -> str:
        """The pose id, or "no known pose"."""
        return self.pose_id or NO_POSE


def margin(cond: Condition, value: float, scale: float) -> float:
    """How far ``value`` lies inside the condition's bounds, in units of ``scale`` (negative
    outside, NaN when unknown)."""
    if not math.isfinite(value):
        return math.nan
    found = math.inf
    if cond.above is not None:
        found = min(found, (value - cond.above) / scale)
    if cond.below is not None:
        found = min(found, (cond.below - value) / scale)
    return found


def _near_role(rules: RuleSet, near: str, mirrored: bool) -> str | None:
    if rules.sides is None:
        return None
    for role, side in rules.sides.roles.items():
        flipped = {"LEFT": "RIGHT", "RIGHT": "LEFT"}[side] if mirrored else side
        if flipped == near:
            return role
    return None


def _value(
    measure: Measure,
    pose: PoseFrame,
    mirrored: bool,
    threshold: float,
    near: str,
    memo: dict[tuple, float] | None,
) -> float:
    """The measure's value on ``pose``, worked out once per frame for all the poses whose
    files define the same quantity (the same type, landmarks and visibility threshold) under
    their own names."""
    if memo is None:
        return evaluate(measure, pose, mirrored, threshold, near).value
    points, reference = resolved_points(measure, mirrored, near)
    key = (
        measure.type,
        measure.space,
        points,
        reference,
        measure.threshold(threshold),
        mirrored and measure.type == "twist",  # the only type whose sign follows the side
    )
    if key not in memo:
        memo[key] = evaluate(measure, pose, mirrored, threshold, near).value
    return memo[key]


def _side_score(
    rules: RuleSet,
    pose: PoseFrame,
    view: CameraView,
    mirrored: bool,
    threshold: float,
    memo: dict[tuple, float] | None = None,
) -> PoseScore:
    spec = rules.recognise
    assert spec is not None  # callers only score poses that have a recognise section
    near_role = _near_role(rules, view.near, mirrored)
    margins = []
    for cond, scale in zip(spec.when, spec.scales, strict=True):
        measure = rules.measures[cond.measure]
        usable = not view.name or any(measure.reliable_from(v, near_role) for v in view.matches)
        value = _value(measure, pose, mirrored, threshold, view.near, memo) if usable else math.nan
        margins.append(margin(cond, value, scale))
    needed = [
        (m, c.measure)
        for m, c in zip(margins, spec.when, strict=True)
        if not c.if_visible or m == m
    ]
    unknown = [name for m, name in needed if m != m]
    if unknown or not needed:
        return PoseScore(
            rules.pose.id, -math.inf, mirrored, unknown[0] if unknown else "", tuple(margins)
        )
    worst, name = min(needed)
    return PoseScore(rules.pose.id, worst, mirrored, name, tuple(margins))


def score_pose(
    rules: RuleSet,
    pose: PoseFrame,
    view: CameraView | None = None,
    threshold: float = DEFAULT_VISIBILITY_THRESHOLD,
    memo: dict[tuple, float] | None = None,
) -> PoseScore:
    """How well ``pose`` fits ``rules``'s recognise conditions, on the side that fits better
    (``memo``: values already worked out for this frame, shared between poses)."""
    if rules.recognise is None or not pose.detected:
        return PoseScore(rules.pose.id, -math.inf)
    view = view or camera_view(pose, threshold)
    sides = (False, True) if rules.sides is not None else (False,)
    found = [_side_score(rules, pose, view, mirrored, threshold, memo) for mirrored in sides]
    return max(found, key=lambda s: s.score)


def recognisable(library: Sequence[RuleSet]) -> list[RuleSet]:
    """The rule sets that can be picked automatically (those with a ``recognise:`` section)."""
    return [r for r in library if r.recognise is not None]


def decide(scores: Sequence[PoseScore], settings: RecogniseSettings) -> Recognition:
    """The winner among ``scores``, or no known pose with the reason."""
    ranked = tuple(sorted(scores, key=lambda s: -s.score))
    if not ranked or not math.isfinite(ranked[0].score):
        needs = [f"{s.pose_id} needs {s.weakest}" for s in ranked if s.weakest]
        return Recognition(
            "",
            scores=ranked,
            reason="no installed pose could be measured from this view"
            + (f" ({'; '.join(needs[:3])})" if needs else ""),
        )
    best = ranked[0]
    if best.score < settings.min_score:
        return Recognition(
            "", scores=ranked, reason=f"nearest: {best.pose_id}, but {best.weakest} does not fit"
        )
    runner = ranked[1].score if len(ranked) > 1 else -math.inf
    if best.score - runner < settings.min_gap:
        return Recognition(
            "",
            scores=ranked,
            reason=f"could be {best.pose_id} or {ranked[1].pose_id}: not sure which",
        )
    return Recognition(best.pose_id, best.mirrored, ranked)


def recognise(
    library: Sequence[RuleSet], pose: PoseFrame, settings: RecogniseSettings | None = None
) -> Recognition:
    """Which pose of ``library`` the body in ``pose`` is in, if any."""
    settings = settings or RecogniseSettings()
    if not pose.detected:
        return Recognition("", reason="nobody in view")
    threshold = settings.visibility_threshold
    if settings.plausibility is not None:
        found = judge(skeleton_stats(pose, threshold), None, settings.plausibility)
        if not found.reliable:
            return Recognition(
                "", reason=found.reason, check=found.check, suggestion=found.suggestion
            )
    view = camera_view(pose, threshold)
    memo: dict[tuple, float] = {}
    scores = [score_pose(rules, pose, view, threshold, memo) for rules in recognisable(library)]
    return decide(scores, settings)


def no_pose_verdict(pose: PoseFrame, found: Recognition, label: str = NO_POSE) -> Verdict:
    """The verdict of a frame in no known pose: nothing judged, ``label`` as the phase and
    the reason as a note (or as the reliability, for a skeleton that cannot be a body)."""
    reason = found.reason if not found.check else ""
    return Verdict(
        timestamp=pose.timestamp,
        index=pose.index,
        pose_id="",
        detected=pose.detected,
        people=pose.people,
        side="",
        mirrored=False,
        phase="",
        phase_label=label if pose.detected else "nobody in view",
        view="",
        measures={},
        results=(),
        top=None,
        notes=(reason,) if reason and pose.detected else (),
        reliability=found.reason if found.check else "",
        suggestion=found.suggestion,
        reliability_check=found.check,
    )
