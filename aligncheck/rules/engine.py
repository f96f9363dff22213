"""The rule engine: turns PoseFrames into Verdicts, frame after frame.

Per frame it smooths the landmarks, checks that the skeleton can be a human body (else every
rule is "not read reliably" and nothing else changes: see :meth:`RuleEngine._unreliable`),
recognises the camera view, decides which side is being practised, evaluates every measure for
that side, finds the phase, and gives each rule a status.
Over time it keeps feedback calm:

* **hysteresis**: a rule that is ok stays ok until its value leaves the ok band by more than
  ``band_margin`` of the band's width (likewise for close), so a value hovering on a threshold
  does not flip the status;
* **minimum duration**: a new status (or phase, or side) must persist for ``min_duration``
  seconds before it is reported;
* **calibration**: measures relative to the person (e.g. torso length) are compared with their
  median during a calibration phase.

For a single photo use :func:`evaluate_still`, which applies the same logic without time.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field, replace

from aligncheck.core import DEFAULT_VISIBILITY_THRESHOLD, PoseFrame, RuleResult, Status, Verdict
from aligncheck.plausibility import (
    BodyHistory,
    Plausibility,
    PlausibilityLimits,
    judge,
    skeleton_stats,
)
from aligncheck.rules.measures import CameraView, MeasureValue, camera_view, evaluate
from aligncheck.rules.schema import Band, Measure, Rule, RuleSet
from aligncheck.rules.sides import Debounced, SideTracker
from aligncheck.smoothing import OneEuroSettings, PoseSmoother

#: How a verdict from weak evidence begins its reason.
WEAK_EVIDENCE = "not sure from this view"
#: Why, when the trunk points towards or away from the camera (see CameraView.unsure).
UNSURE_VIEW = "the trunk points towards the camera, so the view cannot be told"


def _view_words(view: str) -> str:
    """'side/folded' -> 'a side view from the folded side'."""
    name, _, role = view.partition("/")
    if name in ("front", "back") or not role:
        return f"a {name} view"
    return f"a {name} view from the {role} side"


@dataclass(frozen=True)
class EngineSettings:
    """Tuning of the engine's behaviour over time (all durations in seconds)."""

    visibility_threshold: float = DEFAULT_VISIBILITY_THRESHOLD
    min_duration: float = 0.4
    band_margin: float = 0.15
    smoothing: OneEuroSettings | None = field(default_factory=OneEuroSettings)
    #: Limits of the skeleton plausibility check; None turns the check off.
    plausibility: PlausibilityLimits | None = field(default_factory=PlausibilityLimits)


def classify(
    value: float, ok: Band, close: Band, current: Status | None = None, margin: float = 0.0
) -> Status:
    """ok / close / off for ``value``.

    With the status ``current`` already held, its band is widened (hysteresis) on each side by
    ``margin`` times the width of the close zone on that side (the gap between the ok edge and
    the close edge), or of the ok band where the two edges meet; a held ok never reaches past
    the close band, so one-sided bands with a far placeholder bound widen only a little.
    """

    def pad(inner: float, outer: float) -> float:
        gap = abs(inner - outer)
        return margin * (gap if gap > 0 else max(ok.high - ok.low, 1e-9))

    if current is Status.OK:
        held_ok = Band(
            max(close.low, ok.low - pad(ok.low, close.low)),
            min(close.high, ok.high + pad(ok.high, close.high)),
        )
        if value in held_ok:
            return Status.OK
    elif value in ok:
        return Status.OK
    held_close = close
    if current is Status.CLOSE:
        held_close = Band(close.low - pad(ok.low, close.low), close.high + pad(ok.high, close.high))
    if value in held_close:
        return Status.CLOSE
    return Status.OFF


class RuleEngine:
    """Stateful evaluation of one rule set over a stream of poses (one person, one session)."""

    def __init__(
        self, rules: RuleSet, settings: EngineSettings | None = None, temporal: bool = True
    ) -> None:
        self.rules = rules
        self.settings = settings or EngineSettings()
        self.temporal = temporal
        smoothing = self.settings.smoothing
        self._smoother = PoseSmoother(smoothing) if temporal and smoothing else None
        self._sides = SideTracker(
            rules, self.settings.visibility_threshold, temporal, self.settings.min_duration
        )
        self._phase = Debounced("")
        self._status: dict[str, Debounced] = {r.id: Debounced(None) for r in rules.rules}
        self._samples: dict[str, list[float]] = {}
        self._calibrated: dict[str, float] = {}
        self._phase_start = 0.0
        self._hold_start: float | None = None
        self._good_time = 0.0
        self._last_t: float | None = None
        self._top_id = ""
        self._body = BodyHistory()

    def force_side(self, mirrored: bool | None) -> None:
        """Judge the written side (False), the mirrored side (True), or detect it (None)."""
        self._sides.force(mirrored)

    @property
    def calibrated(self) -> dict[str, float]:
        """Reference values measured so far for calibrated measures."""
        return dict(self._calibrated)

    def update(self, pose: PoseFrame) -> Verdict:
        """The verdict for the next frame."""
        if self._smoother is not None:
            pose = self._smoother(pose)
        t = pose.timestamp
        dt = 0.0 if self._last_t is None else max(0.0, t - self._last_t)
        self._last_t = t
        if not pose.detected:
            self._hold_start = None
            return self._verdict(pose, CameraView("", "LEFT"), None, "", {}, "nobody in view")
        plausible = self._plausible(pose)
        if not plausible.reliable:
            return self._unreliable(pose, plausible, t, dt)
        threshold = self.settings.visibility_threshold
        view = camera_view(pose, threshold)
        side = self._sides.decide(pose, view, t)
        if side.unknown:
            return self._verdict(pose, view, None, "", {}, side.unknown)
        mirrored = side.mirrored
        raw = {
            m.id: evaluate(m, pose, bool(mirrored), threshold, view.near)
            for m in self.rules.measures.values()
        }
        values = {mid: self._relative(self.rules.measures[mid], mv) for mid, mv in raw.items()}
        near_role = self._near_role(view, bool(mirrored))
        usable = {
            mid: not view.name or any(m.reliable_from(v, near_role) for v in view.matches)
            for mid, m in self.rules.measures.items()
        }
        phase = self._phase_for(values, usable, t)
        self._calibrate(phase, raw, t)
        results = tuple(
            self._result(rule, values[rule.measure], phase, view, bool(mirrored), t)
            for rule in self.rules.rules
        )
        verdict = self._verdict(pose, view, mirrored, phase, values, "", results)
        verdict = replace(verdict, top=self._steady_top(results))
        hold, good = self._hold(phase, results, t, dt)
        return replace(verdict, hold_time=hold, good_time=good)

    # -- steps ----------------------------------------------------------------------------
    def _verdict(
        self,
        pose: PoseFrame,
        view: CameraView,
        mirrored: bool | None,
        phase: str,
        values: dict[str, MeasureValue],
        unmeasured: str,
        results: tuple[RuleResult, ...] = (),
    ) -> Verdict:
        if unmeasured:
            results = tuple(self._blank(r, unmeasured) for r in self.rules.rules)
        label = self.rules.phase(phase).label if phase else "not in the pose"
        return Verdict(
            timestamp=pose.timestamp,
            index=pose.index,
            pose_id=self.rules.pose.id,
            detected=pose.detected,
            people=pose.people,
            side=self._side_name(mirrored),
            mirrored=bool(mirrored),
            phase=phase,
            phase_label=label if pose.detected else "nobody in view",
            view=view.name,
            measures={m: values[m].value if m in values else math.nan for m in self.rules.measures},
            results=results,
            top=top_result(results),
            notes=(f"{pose.people} people in view; measured the {pose.chosen_by}",)
            if pose.people > 1
            else (),
        )

    def _plausible(self, pose: PoseFrame) -> Plausibility:
        """Whether the skeleton can be a body; reliable frames of a video feed the person's
        proportions (:class:`~aligncheck.plausibility.BodyHistory`)."""
        limits = self.settings.plausibility
        if limits is None:
            return Plausibility()
        stats = skeleton_stats(pose, self.settings.visibility_threshold)
        history = self._body if self.temporal else None
        found = judge(stats, history, limits)
        if found.reliable and history is not None:
            history.add(stats)
        return found

    def _unreliable(self, pose: PoseFrame, plausible: Plausibility, t: float, dt: float) -> Verdict:
        """A frame whose skeleton is not a body: no rule judged, no top cue; side, phase,
        statuses and calibration stay as they were, and the hold timer stands still."""
        if self._hold_start is not None:
            self._hold_start += dt  # the time not read reliably does not count as holding
        results = tuple(
            self._blank(r, plausible.reason, Status.UNRELIABLE) for r in self.rules.rules
        )
        verdict = self._verdict(pose, CameraView("", "LEFT"), None, "", {}, "", results)
        return replace(
            verdict,
            side=self._side_name(self._sides.current),
            mirrored=bool(self._sides.current),
            phase_label=Status.UNRELIABLE.value,
            top=None,
            hold_time=t - self._hold_start if self._hold_start is not None else 0.0,
            good_time=self._good_time if self._hold_start is not None else 0.0,
            reliability=plausible.reason,
            suggestion=plausible.suggestion,
            reliability_check=plausible.check,
        )

    def _blank(self, rule: Rule, reason: str, status: Status = Status.NOT_VISIBLE) -> RuleResult:
        unit = self.rules.measures[rule.measure].unit
        ok, close = (rule.ok.low, rule.ok.high), (rule.close.low, rule.close.high)
        return RuleResult(
            rule.id,
            rule.title,
            status,
            math.nan,
            unit,
            ok,
            close,
            rule.priority,
            rule.cue,
            reason,
        )

    def _steady_top(self, results: tuple[RuleResult, ...]) -> RuleResult | None:
        """The top cue, kept on the previous rule while it is still off and still among the most
        important, so two equal-priority faults do not take turns from frame to frame."""
        best = top_result(results)
        if self.temporal and best is not None and self._top_id:
            previous = next((r for r in results if r.rule_id == self._top_id), None)
            if (
                previous is not None
                and previous.status is Status.OFF
                and previous.priority == best.priority
            ):
                best = previous
        self._top_id = best.rule_id if best is not None else ""
        return best

    def _side_name(self, mirrored: bool | None) -> str:
        sides = self.rules.sides
        if sides is None or mirrored is None:
            return ""
        return sides.mirrored if mirrored else sides.written

    def _relative(self, measure: Measure, mv: MeasureValue) -> MeasureValue:
        cal = measure.calibrate
        if cal is None or not mv.visible:
            return mv
        reference = self._calibrated.get(measure.id, cal.fallback)
        if reference is None:
            return MeasureValue(math.nan, (), f"needs a few seconds of {cal.phase} first")
        return MeasureValue(cal.apply(mv.value, reference), mv.hidden)

    def _calibrate(self, phase: str, raw: dict[str, MeasureValue], t: float) -> None:
        if not self.temporal:
            return
        for measure in self.rules.measures.values():
            cal = measure.calibrate
            if cal is None or measure.id in self._calibrated or phase != cal.phase:
                continue
            if raw[measure.id].visible:
                self._samples.setdefault(measure.id, []).append(raw[measure.id].value)
            samples = self._samples.get(measure.id, [])
            if t - self._phase_start >= cal.seconds and len(samples) >= 3:
                self._calibrated[measure.id] = statistics.median(samples)

    def _phase_for(self, values: dict[str, MeasureValue], usable: dict[str, bool], t: float) -> str:
        """The first phase whose conditions hold. A measure that this camera view cannot see
        reliably counts as unknown; an unknown ``if_visible`` condition is no objection, but a
        phase needs at least one condition that truly holds."""
        current = str(self._phase.value) if self.temporal else ""
        candidate = ""
        for phase in self.rules.phases:
            seen = [
                c.holds(values[c.measure].value) if usable[c.measure] else None for c in phase.when
            ]
            holds = [
                True if c.if_visible and h is None else h
                for c, h in zip(phase.when, seen, strict=True)
            ]
            if all(h is True for h in holds) and any(h is True for h in seen):
                candidate = phase.id
                break
            if phase.id == current and False not in holds:
                # a body part needed to tell went out of sight: stay in the phase we are in
                candidate = current
                break
        if not self.temporal:
            return candidate
        phase = str(self._phase.update(candidate, t, self.settings.min_duration))
        if phase != current:
            self._phase_start = t
        return phase

    def _result(
        self, rule: Rule, mv: MeasureValue, phase: str, view: CameraView, mirrored: bool, t: float
    ) -> RuleResult:
        measure = self.rules.measures[rule.measure]
        status, reason = self._judge(rule, measure, mv, phase, view, mirrored)
        if self.temporal:
            state = self._status[rule.id]
            if status.judged and isinstance(state.value, Status) and state.value.judged:
                status = state.update(status, t, self.settings.min_duration)  # type: ignore[assignment]
            else:
                state.force(status)  # visibility and phase changes are reported at once
        return RuleResult(
            rule.id,
            rule.title,
            status,
            mv.value if status.judged else math.nan,
            measure.unit,
            (rule.ok.low, rule.ok.high),
            (rule.close.low, rule.close.high),
            rule.priority,
            rule.cue,
            reason,
            rule.modification,
            rule.level_up,
            measure.landmarks(mirrored, view.near, reference=False),
            measure.anchor(mirrored, view.near),
        )

    def _judge(
        self,
        rule: Rule,
        measure: Measure,
        mv: MeasureValue,
        phase: str,
        view: CameraView,
        mirrored: bool,
    ) -> tuple[Status, str]:
        if phase not in rule.phases:
            phases = ", ".join(p.label for p in self.rules.phases if p.id in rule.phases)
            return Status.NOT_APPLICABLE, f"applies in: {phases}"
        near_role = self._near_role(view, mirrored)
        if view.name and not any(measure.reliable_from(v, near_role) for v in view.matches):
            needs = " or ".join(_view_words(v) for v in sorted(measure.views))
            return Status.NOT_VISIBLE, (
                f"not measurable from {_view_words(view.name + '/' + (near_role or ''))}"
                f" (needs {needs})"
            )
        if not mv.visible:
            return Status.NOT_VISIBLE, mv.reason()
        held = self._status[rule.id].value
        held = held if self.temporal and isinstance(held, Status) and held.judged else None
        status = classify(mv.value, rule.ok, rule.close, held, self.settings.band_margin)
        doubtful = sorted(v for v in view.matches if not measure.reliable_from(v, near_role))
        if view.name and (doubtful or view.unsure):
            # The camera may also be where this measure is not reliable: say so, and never
            # give a firm "off" from such weak evidence.
            also = " or ".join(_view_words(v) for v in doubtful)
            why = f"the camera may be at {also}" if doubtful else UNSURE_VIEW
            if status is Status.OFF:
                status = Status.CLOSE
            return status, f"{WEAK_EVIDENCE} ({why})"
        where = _view_words(view.name + "/" + (near_role or "")) if view.name else "this view"
        return status, f"measured from {where}"

    def _near_role(self, view: CameraView, mirrored: bool) -> str | None:
        """The role whose side of the body is nearer the camera (None for poses without sides)."""
        if self.rules.sides is None:
            return None
        for role, side in self.rules.sides.roles.items():
            if mirrored:
                side = "RIGHT" if side == "LEFT" else "LEFT"
            if side == view.near:
                return role
        return None

    def _hold(
        self, phase: str, results: tuple[RuleResult, ...], t: float, dt: float
    ) -> tuple[float, float]:
        if not self.rules.holds(phase):
            self._hold_start = None
            self._good_time = 0.0
            return 0.0, 0.0
        if self._hold_start is None:
            self._hold_start = t
            self._good_time = 0.0
        elif not any(r.status is Status.OFF for r in results):
            self._good_time += dt
        return t - self._hold_start, self._good_time


def top_result(results: tuple[RuleResult, ...]) -> RuleResult | None:
    """The single most important correction: the highest-priority rule that is off (ties: the
    one furthest outside its band, relative to the band's width); None if nothing is off."""
    off = [r for r in results if r.status is Status.OFF]
    if not off:
        return None

    def severity(r: RuleResult) -> float:
        ok = Band(*r.ok)
        return ok.distance(r.value) / max(ok.high - ok.low, 1e-9)

    return min(off, key=lambda r: (r.priority, -severity(r)))


def evaluate_still(
    rules: RuleSet, pose: PoseFrame, settings: EngineSettings | None = None
) -> Verdict:
    """The verdict for a single photo: no smoothing, no time, fallback calibration."""
    return RuleEngine(rules, settings, temporal=False).update(pose)
