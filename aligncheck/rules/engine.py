"""The rule engine: turns PoseFrames into Verdicts, frame after frame.

Per frame it smooths the landmarks, recognises the camera view, decides which side is being
practised, evaluates every measure for that side, finds the phase, and gives each rule a status.
Over time it keeps feedback calm:

* **hysteresis**: a rule that is ok stays ok until its value leaves the ok band by more than
  ``band_margin`` of the band's width (likewise for close), so a value hovering on a threshold
  does not flip the status;
* **minimum duration**: a new status (or phase, or side) must persist for ``min_duration``
  seconds before it is reported;
* **calibration**: measures that are relative to the person (e.g. torso length) are divided by
  their median during a calibration phase.

For a single photo use :func:`evaluate_still`, which applies the same logic without time.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

from aligncheck.core import DEFAULT_VISIBILITY_THRESHOLD, PoseFrame, RuleResult, Status, Verdict
from aligncheck.landmarks import MIRROR
from aligncheck.rules.measures import MeasureValue, camera_view, evaluate
from aligncheck.rules.schema import Band, Measure, Rule, RuleSet
from aligncheck.smoothing import OneEuroSettings, PoseSmoother

_VIEW_WORDS = {
    "side": "a side view",
    "front": "a front view",
    "back": "a back view",
    "diagonal": "a diagonal view",
}


@dataclass(frozen=True)
class EngineSettings:
    """Tuning of the engine's behaviour over time (all durations in seconds)."""

    visibility_threshold: float = DEFAULT_VISIBILITY_THRESHOLD
    min_duration: float = 0.4
    band_margin: float = 0.15
    smoothing: OneEuroSettings | None = field(default_factory=OneEuroSettings)


class _Debounced:
    """A value that changes only after a candidate has persisted for ``min_duration``."""

    def __init__(self, initial: object) -> None:
        self.value = initial
        self._candidate = initial
        self._since = 0.0

    def update(self, candidate: object, t: float, min_duration: float) -> object:
        if candidate == self.value:
            self._candidate = candidate
        elif candidate != self._candidate:
            self._candidate, self._since = candidate, t
        elif t - self._since >= min_duration:
            self.value = candidate
        return self.value

    def force(self, value: object) -> None:
        self.value = self._candidate = value


def classify(
    value: float, ok: Band, close: Band, current: Status | None = None, margin: float = 0.0
) -> Status:
    """ok / close / off for ``value``; with ``current`` and ``margin``, bands are widened for
    the status already held (hysteresis) by ``margin`` times the band's width."""

    def widened(band: Band, status: Status) -> Band:
        if current is not status:
            return band
        pad = margin * max(band.high - band.low, 1.0)
        return Band(band.low - pad, band.high + pad)

    if value in widened(ok, Status.OK):
        return Status.OK
    if value in widened(close, Status.CLOSE) or (current is Status.OK and value in close):
        return Status.CLOSE
    return Status.OFF


class RuleEngine:
    """Stateful evaluation of one rule set over a stream of poses (one person, one session)."""

    def __init__(
        self, rules: RuleSet, settings: EngineSettings = EngineSettings(), temporal: bool = True
    ) -> None:
        self.rules = rules
        self.settings = settings
        self.temporal = temporal
        self._smoother = (
            PoseSmoother(settings.smoothing) if temporal and settings.smoothing else None
        )
        self._mirrored = _Debounced(None)
        self._phase = _Debounced("")
        self._status: dict[str, _Debounced] = {r.id: _Debounced(None) for r in rules.rules}
        self._calibration_samples: dict[str, list[float]] = {}
        self._calibrated: dict[str, float] = {}
        self._phase_start: dict[str, float] = {}
        self._hold_start: float | None = None
        self._good_time = 0.0
        self._last_t: float | None = None

    # -- public ---------------------------------------------------------------------------
    def update(self, pose: PoseFrame) -> Verdict:
        """The verdict for the next frame."""
        if self._smoother is not None:
            pose = self._smoother(pose)
        t = pose.timestamp
        dt = 0.0 if self._last_t is None else max(0.0, t - self._last_t)
        self._last_t = t
        if not pose.detected:
            return self._nobody(pose)
        threshold = self.settings.visibility_threshold
        view = camera_view(pose, threshold)
        mirrored = self._side(pose, t)
        raw = {
            m.id: evaluate(m, pose, bool(mirrored), threshold) for m in self.rules.measures.values()
        }
        values = {
            mid: self._calibrated_value(self.rules.measures[mid], mv) for mid, mv in raw.items()
        }
        phase = self._phase_for(values, t)
        self._calibrate(phase, raw, t)
        if self.rules.sides is not None and mirrored is None:
            results = self._unmeasured(
                "cannot tell which side is practised: "
                + evaluate(
                    self.rules.measures[self.rules.sides.detect.measure], pose, False, threshold
                ).reason()
            )
        else:
            results = tuple(
                self._result(rule, values, raw, phase, view, t) for rule in self.rules.rules
            )
        hold, good = self._hold(phase, results, t, dt)
        return Verdict(
            timestamp=t,
            index=pose.index,
            pose_id=self.rules.pose.id,
            detected=True,
            people=pose.people,
            side=self._side_name(mirrored),
            mirrored=bool(mirrored),
            phase=phase,
            phase_label=self.rules.phase(phase).label if phase else "not in the pose",
            view=view,
            measures={k: v.value for k, v in values.items()},
            results=results,
            top=top_result(results),
            hold_time=hold,
            good_time=good,
            notes=(pose.chosen_by,) if pose.people > 1 else (),
        )

    # -- steps ----------------------------------------------------------------------------
    def _unmeasured(self, reason: str) -> tuple[RuleResult, ...]:
        return tuple(
            RuleResult(
                r.id,
                r.title,
                Status.NOT_VISIBLE,
                math.nan,
                self.rules.measures[r.measure].unit,
                (r.ok.low, r.ok.high),
                (r.close.low, r.close.high),
                r.priority,
                r.cue,
                reason,
            )
            for r in self.rules.rules
        )

    def _nobody(self, pose: PoseFrame) -> Verdict:
        self._hold_start = None
        results = self._unmeasured("nobody in view")
        return Verdict(
            timestamp=pose.timestamp,
            index=pose.index,
            pose_id=self.rules.pose.id,
            detected=False,
            people=0,
            side="",
            mirrored=False,
            phase="",
            phase_label="nobody in view",
            view="",
            measures={m: math.nan for m in self.rules.measures},
            results=results,
            top=None,
        )

    def _side(self, pose: PoseFrame, t: float) -> bool | None:
        sides = self.rules.sides
        if sides is None:
            return False
        measure = self.rules.measures[sides.detect.measure]
        threshold = self.settings.visibility_threshold
        written = evaluate(measure, pose, False, threshold).value
        mirrored = evaluate(measure, pose, True, threshold).value
        if not (math.isfinite(written) and math.isfinite(mirrored)):
            return self._mirrored.value  # keep the last decision; None if never decided
        difference = written - mirrored if sides.detect.prefer == "larger" else mirrored - written
        current = self._mirrored.value
        if self.temporal and current is not None and abs(difference) < sides.detect.margin:
            return current  # not decisive enough to switch
        candidate = difference < 0
        if not self.temporal or current is None:
            self._mirrored.force(candidate)
            return candidate
        return bool(self._mirrored.update(candidate, t, self.settings.min_duration))

    def _side_name(self, mirrored: bool | None) -> str:
        sides = self.rules.sides
        if sides is None or mirrored is None:
            return ""
        return sides.mirrored if mirrored else sides.written

    def _calibrated_value(self, measure: Measure, mv: MeasureValue) -> MeasureValue:
        if measure.calibrate is None or not mv.visible:
            return mv
        reference = self._calibrated.get(measure.id, measure.calibrate.fallback)
        return MeasureValue(mv.value / reference if reference else math.nan, mv.hidden)

    def _calibrate(self, phase: str, raw: dict[str, MeasureValue], t: float) -> None:
        if not self.temporal:
            return
        for measure in self.rules.measures.values():
            cal = measure.calibrate
            if cal is None or measure.id in self._calibrated or phase != cal.phase:
                continue
            if raw[measure.id].visible:
                self._calibration_samples.setdefault(measure.id, []).append(raw[measure.id].value)
            start = self._phase_start.get(phase, t)
            if t - start >= cal.seconds and len(self._calibration_samples.get(measure.id, [])) >= 3:
                self._calibrated[measure.id] = statistics.median(
                    self._calibration_samples[measure.id]
                )

    def _phase_for(self, values: dict[str, MeasureValue], t: float) -> str:
        candidate = ""
        for phase in self.rules.phases:
            if all(c.holds(values[c.measure].value) for c in phase.when):
                candidate = phase.id
                break
        if not self.temporal:
            return candidate
        before = self._phase.value
        phase = str(self._phase.update(candidate, t, self.settings.min_duration))
        if phase != before:
            self._phase_start[phase] = t
        self._phase_start.setdefault(phase, t)
        return phase

    def _result(
        self,
        rule: Rule,
        values: dict[str, MeasureValue],
        raw: dict[str, MeasureValue],
        phase: str,
        view: str,
        t: float,
    ) -> RuleResult:
        measure = self.rules.measures[rule.measure]
        mv = values[rule.measure]
        status: Status
        reason = ""
        if phase not in rule.phases:
            status = Status.NOT_APPLICABLE
            reason = "applies in: " + ", ".join(
                p.label for p in self.rules.phases if p.id in rule.phases
            )
        elif view and view not in measure.views:
            status = Status.NOT_VISIBLE
            needs = " or ".join(sorted(measure.views))
            reason = f"not measurable from {_VIEW_WORDS.get(view, view)} (needs {needs} view)"
        elif not mv.visible:
            status = Status.NOT_VISIBLE
            reason = raw[rule.measure].reason()
        else:
            state = self._status[rule.id]
            held = state.value if isinstance(state.value, Status) and state.value.judged else None
            status = classify(
                mv.value,
                rule.ok,
                rule.close,
                held if self.temporal else None,
                self.settings.band_margin,
            )
        if self.temporal:
            state = self._status[rule.id]
            if not status.judged or not (isinstance(state.value, Status) and state.value.judged):
                state.force(status)  # visibility and phase changes are reported at once
            else:
                status = state.update(status, t, self.settings.min_duration)  # type: ignore[assignment]
        mirror = MIRROR if self._mirrored.value else None
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
            measure.landmarks(mirror),
            measure.anchor(mirror),
        )

    def _hold(
        self, phase: str, results: tuple[RuleResult, ...], t: float, dt: float
    ) -> tuple[float, float]:
        hold_phase = self.rules.hold_phase
        if not hold_phase or phase != hold_phase:
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
        return ok.distance(r.value) / max(ok.high - ok.low, 1.0)

    return min(off, key=lambda r: (r.priority, -severity(r)))


def evaluate_still(
    rules: RuleSet, pose: PoseFrame, settings: EngineSettings = EngineSettings()
) -> Verdict:
    """The verdict for a single photo: no smoothing, no time, fallback calibration."""
    return RuleEngine(rules, settings, temporal=False).update(pose)
