"""A whole session (a video or a live run) condensed for reports, with bounded memory.

:class:`SessionRecorder` watches every (frame, pose, verdict) of a run and keeps only what a
report needs: run-length phase segments and per-rule status bands, key-measure time series
sampled at a fixed rate, per-rule time in each status, and a few key frames (the best moment
of the hold and the clearest frame of each fault) as small JPEGs. Its memory does not grow
with the length of the video beyond these compact lists, so a 30-minute recording is fine.

:meth:`SessionRecorder.summary` returns a frozen :class:`SessionSummary`, which
:func:`summary_to_json` / :func:`summary_from_json` write and read (schema-versioned).

**Alignment score** (0-100, documented for teachers): over every frame in which the person
is in one of the pose's phases, each rule that could be judged contributes its priority
weight ``1 / priority``: fully for ok, half for close, nothing for off. The score is the
weighted share, ``100 * sum(w * (ok + close / 2)) / sum(w * judged)``. Rules that are not
visible or not applicable do not count either way. No judged frame gives no score (None), and
so does a session where the pose was not recognised (less than :data:`RECOGNISED_SECONDS` in
its phases): a few judged frames are not a practice worth a number.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import cv2
import numpy as np

from aligncheck.core import Frame, PoseFrame, RuleResult, Status, Verdict
from aligncheck.plausibility import CHECK_LABELS
from aligncheck.rules.schema import RuleSet

SUMMARY_SCHEMA_VERSION = 1
SERIES_RATE_HZ = 4.0
#: Seconds in the pose's phases below which the pose counts as not recognised (no score).
RECOGNISED_SECONDS = 2.0
KEYFRAME_WIDTH = 640
_WEIGHT = {Status.OK: 1.0, Status.CLOSE: 0.5, Status.OFF: 0.0}
#: How the summary's note on frames not read reliably begins.
UNRELIABLE_NOTE = "The camera did not read the body reliably"


@dataclass(frozen=True)
class Segment:
    """A stretch of time with one value (a phase id or a status)."""

    start: float
    end: float
    value: str


@dataclass(frozen=True)
class Series:
    """One measure over time, sampled at :data:`SERIES_RATE_HZ` (NaN = not visible)."""

    measure: str
    label: str
    unit: str
    times: list[float]
    values: list[float]
    ok: tuple[float, float] | None = None
    close: tuple[float, float] | None = None


@dataclass(frozen=True)
class RuleStats:
    """How one rule fared: seconds in each status, and its texts."""

    rule_id: str
    title: str
    priority: int
    cue: str
    source: str
    modification: str
    level_up: str
    seconds: dict[str, float]
    bands: list[Segment]

    @property
    def judged(self) -> float:
        """Seconds in which the rule was ok, close or off."""
        return sum(self.seconds.get(s.value, 0.0) for s in (Status.OK, Status.CLOSE, Status.OFF))

    def share(self, status: Status) -> float:
        """Share of the judged time spent in ``status`` (0 if never judged)."""
        return self.seconds.get(status.value, 0.0) / self.judged if self.judged else 0.0


@dataclass(frozen=True)
class KeyFrame:
    """An annotated still worth showing: the best moment of the hold, or a fault's clearest
    frame. ``jpeg`` holds the encoded image (not written to JSON; see ``file``)."""

    kind: str
    rule_id: str
    timestamp: float
    index: int
    caption: str
    file: str = ""
    jpeg: bytes = field(default=b"", repr=False, compare=False)


@dataclass(frozen=True)
class UnreliableStats:
    """Time in which the pose was not read reliably because of one plausibility check."""

    check: str
    label: str
    seconds: float
    suggestion: str
    frames: int = 0


@dataclass(frozen=True)
class SessionSummary:
    """Everything a report says about one session."""

    source: dict[str, Any]
    pose: dict[str, Any]
    duration: float
    frames: int
    seconds_in_pose: float
    seconds_nobody: float
    seconds_several_people: float
    sides: dict[str, float]
    phases: list[Segment]
    hold_time: float
    good_time: float
    score: float | None
    rules: list[RuleStats]
    series: list[Series]
    key_frames: list[KeyFrame]
    guidance: list[dict[str, str]]
    notes: list[str]
    #: Seconds in which the skeleton was not a plausible body (nothing judged), and why.
    seconds_unreliable: float = 0.0
    unreliable: list[UnreliableStats] = field(default_factory=list)
    schema_version: int = SUMMARY_SCHEMA_VERSION

    def rule(self, rule_id: str) -> RuleStats:
        """The stats of rule ``rule_id``."""
        return next(r for r in self.rules if r.rule_id == rule_id)

    @property
    def recognised(self) -> bool:
        """True when the pose was recognised for at least two seconds."""
        return self.seconds_in_pose >= RECOGNISED_SECONDS

    def corrections(self, limit: int = 3) -> list[RuleStats]:
        """The rules to work on: off for at least a fifth of their judged time (and at least
        a second), most important first, then the longest off."""
        candidates = [
            r for r in self.rules if r.seconds.get("off", 0.0) >= 1.0 and r.share(Status.OFF) >= 0.2
        ]
        candidates.sort(key=lambda r: (r.priority, -r.seconds.get("off", 0.0)))
        return candidates[:limit]

    def strengths(self, limit: int = 3) -> list[RuleStats]:
        """Rules that were ok for at least 80% of at least two judged seconds."""
        good = [r for r in self.rules if r.judged >= 2.0 and r.share(Status.OK) >= 0.8]
        good.sort(key=lambda r: (r.priority, -r.judged))
        return good[:limit]


def _runs(segments: list[Segment], value: str, start: float, end: float) -> None:
    """Extend the last segment if it has the same value, else start a new one."""
    if segments and segments[-1].value == value and abs(segments[-1].end - start) < 1.0:
        segments[-1] = Segment(segments[-1].start, end, value)
    else:
        segments.append(Segment(start, end, value))


def _severity(result: RuleResult) -> float:
    low, high = result.ok
    width = max(high - low, 1e-9)
    return max(low - result.value, result.value - high, 0.0) / width


class SessionRecorder:
    """Accumulates a session frame by frame (see the module docstring)."""

    def __init__(
        self, rules: RuleSet, source: dict[str, Any], series_measures: tuple[str, ...] = ()
    ) -> None:
        self.rules = rules
        self.source = dict(source)
        self._series_ids = (
            series_measures
            or tuple(
                dict.fromkeys(r.measure for r in sorted(rules.rules, key=lambda r: r.priority))
            )[:6]
        )
        self._times: list[float] = []
        self._values: dict[str, list[float]] = {m: [] for m in self._series_ids}
        self._next_sample = 0.0
        self._phases: list[Segment] = []
        self._bands: dict[str, list[Segment]] = {r.id: [] for r in rules.rules}
        self._seconds: dict[str, dict[str, float]] = {r.id: {} for r in rules.rules}
        self._sides: dict[str, float] = {}
        self._in_pose = self._nobody = self._several = 0.0
        self._hold = self._good = 0.0
        self._score_num = self._score_den = 0.0
        self._frames = 0
        self._last_t: float | None = None
        self._first_t: float | None = None
        self._best: tuple[float, KeyFrame] | None = None
        self._faults: dict[str, tuple[float, KeyFrame]] = {}
        self._notes: list[str] = []
        self._unreliable: dict[str, tuple[float, int, str]] = {}

    def note(self, text: str) -> None:
        """Add a remark for the report (e.g. the file was truncated)."""
        if text not in self._notes:
            self._notes.append(text)

    def add(
        self, frame: Frame, pose: PoseFrame, verdict: Verdict, annotated: np.ndarray | None = None
    ) -> None:
        """Record one analysed frame; ``annotated`` (BGR) is used for key frames."""
        t = verdict.timestamp
        dt = 0.0 if self._last_t is None else max(0.0, t - self._last_t)
        start = self._last_t if self._last_t is not None else t
        self._first_t = t if self._first_t is None else self._first_t
        self._last_t = t
        self._frames += 1
        if not verdict.detected:
            self._nobody += dt
        if verdict.people > 1:
            self._several += dt
        if not verdict.reliable:
            seconds, frames, _ = self._unreliable.get(verdict.reliability_check, (0.0, 0, ""))
            self._unreliable[verdict.reliability_check] = (
                seconds + dt,
                frames + 1,
                verdict.suggestion,
            )
        if verdict.phase:
            self._in_pose += dt
            if verdict.side:
                self._sides[verdict.side] = self._sides.get(verdict.side, 0.0) + dt
        _runs(self._phases, verdict.phase, start, t)
        for result in verdict.results:
            seconds = self._seconds[result.rule_id]
            seconds[result.status.value] = seconds.get(result.status.value, 0.0) + dt
            _runs(self._bands[result.rule_id], result.status.value, start, t)
            if verdict.phase and result.status.judged:
                weight = 1.0 / result.priority
                self._score_den += weight * dt
                self._score_num += weight * _WEIGHT[result.status] * dt
        self._hold = max(self._hold, verdict.hold_time)
        self._good = max(self._good, verdict.good_time)
        if t >= self._next_sample:
            self._times.append(round(t, 3))
            for measure in self._series_ids:
                value = verdict.measures.get(measure, math.nan)
                self._values[measure].append(round(value, 4) if math.isfinite(value) else math.nan)
            self._next_sample = t + 1.0 / SERIES_RATE_HZ
        if annotated is not None:
            self._key_frames(verdict, annotated)

    def _key_frames(self, verdict: Verdict, annotated: np.ndarray) -> None:
        if self.rules.holds(verdict.phase):
            judged = [r for r in verdict.results if r.status.judged]
            if judged:
                quality = sum(_WEIGHT[r.status] for r in judged) / len(judged) + 0.01 * len(judged)
                if self._best is None or quality > self._best[0]:
                    caption = f"Best moment of the hold, {verdict.hold_time:.0f} s in"
                    self._best = (quality, self._keyframe("best", "", verdict, annotated, caption))
        for result in verdict.results:
            if result.status is not Status.OFF:
                continue
            severity = _severity(result)
            held = self._faults.get(result.rule_id)
            if held is None or severity > held[0]:
                caption = f"{result.title}: {result.cue}"
                self._faults[result.rule_id] = (
                    severity,
                    self._keyframe("fault", result.rule_id, verdict, annotated, caption),
                )

    @staticmethod
    def _keyframe(
        kind: str, rule_id: str, verdict: Verdict, image: np.ndarray, caption: str
    ) -> KeyFrame:
        height, width = image.shape[:2]
        if width > KEYFRAME_WIDTH:
            image = cv2.resize(
                image,
                (KEYFRAME_WIDTH, round(height * KEYFRAME_WIDTH / width)),
                interpolation=cv2.INTER_AREA,
            )
        ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 82])
        name = f"{kind}_{rule_id or 'hold'}.jpg"
        return KeyFrame(
            kind,
            rule_id,
            verdict.timestamp,
            verdict.index,
            caption,
            name,
            encoded.tobytes() if ok else b"",
        )

    def summary(self) -> SessionSummary:
        """The condensed session."""
        rules = [
            RuleStats(
                r.id,
                r.title,
                r.priority,
                r.cue,
                r.source,
                r.modification,
                r.level_up,
                {k: round(v, 3) for k, v in self._seconds[r.id].items()},
                list(self._bands[r.id]),
            )
            for r in self.rules.rules
        ]
        by_measure = {r.measure: r for r in sorted(self.rules.rules, key=lambda r: r.priority)}
        series = []
        for measure in self._series_ids:
            m = self.rules.measures[measure]
            rule = by_measure.get(measure)
            series.append(
                Series(
                    measure,
                    m.label,
                    m.unit,
                    list(self._times),
                    list(self._values[measure]),
                    (rule.ok.low, rule.ok.high) if rule else None,
                    (rule.close.low, rule.close.high) if rule else None,
                )
            )
        key_frames = [self._best[1]] if self._best else []
        order = {r.id: r.priority for r in self.rules.rules}
        key_frames += [
            kf for _, kf in sorted(self._faults.values(), key=lambda p: order[p[1].rule_id])
        ]
        card = self.rules.pose
        notes = list(self._notes)
        if self._several >= 0.5:
            notes.append(
                f"More than one person was in view for {self._several:.0f} s; the one whose "
                "visible body was largest was measured."
            )
        if self._frames and self._nobody >= 0.5:
            notes.append(f"Nobody was found in {self._nobody:.0f} s of the video.")
        recognised = self._in_pose >= RECOGNISED_SECONDS
        if self._frames and not recognised:
            notes.append(
                f"{card.english} ({card.sanskrit}) was not recognised in this clip (less than "
                f"{RECOGNISED_SECONDS:g} s in any of its phases), so no alignment score or "
                "faults are reported."
            )
        unreliable = self._unreliable_stats()
        seconds_unreliable = sum(u.seconds for u in unreliable)
        if seconds_unreliable >= 0.5:
            notes.append(
                f"{UNRELIABLE_NOTE} for {seconds_unreliable:.0f} s (most often: "
                f"{unreliable[0].label}), so nothing was judged then. {unreliable[0].suggestion}"
            )
        duration = (self._last_t or 0.0) - (self._first_t or 0.0)
        summary = SessionSummary(
            source=self.source,
            pose={
                "id": card.id,
                "english": card.english,
                "sanskrit": card.sanskrit,
                "family": card.family,
                "description": card.description,
                "views": list(card.views),
                "source": card.source,
            },
            duration=round(duration, 3),
            frames=self._frames,
            seconds_in_pose=round(self._in_pose, 3),
            seconds_nobody=round(self._nobody, 3),
            seconds_several_people=round(self._several, 3),
            sides={k: round(v, 3) for k, v in self._sides.items()},
            phases=[s for s in self._phases],
            hold_time=round(self._hold, 3),
            good_time=round(self._good, 3),
            score=round(100.0 * self._score_num / self._score_den, 1)
            if self._score_den > 0 and recognised
            else None,
            rules=rules,
            series=series,
            key_frames=key_frames,
            guidance=[
                {"title": g.title, "text": g.text, "source": g.source, "why": g.why}
                for g in self.rules.guidance
            ],
            notes=notes,
            seconds_unreliable=round(seconds_unreliable, 3),
            unreliable=unreliable,
        )
        # show the frames of the faults worth working on, not of every passing moment
        worth = {r.rule_id for r in summary.corrections()}
        kept = [k for k in summary.key_frames if k.kind != "fault" or k.rule_id in worth]
        return replace(summary, key_frames=kept)

    def _unreliable_stats(self) -> list[UnreliableStats]:
        """Per failed check, longest first."""
        stats = [
            UnreliableStats(
                check, CHECK_LABELS.get(check, check), round(seconds, 3), suggestion, frames
            )
            for check, (seconds, frames, suggestion) in self._unreliable.items()
        ]
        return sorted(stats, key=lambda u: -u.seconds)


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return None if not math.isfinite(value) else value
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def summary_to_json(summary: SessionSummary) -> dict[str, Any]:
    """A JSON-ready dict (NaN becomes null; key-frame images are referenced by file name)."""
    data = asdict(summary)
    for kf in data["key_frames"]:
        kf.pop("jpeg", None)
    return _clean(data)


def summary_from_json(data: dict[str, Any]) -> SessionSummary:
    """The inverse of :func:`summary_to_json` (key frames without their image bytes)."""

    def nan(values: list[float | None]) -> list[float]:
        return [math.nan if v is None else v for v in values]

    return SessionSummary(
        source=data["source"],
        pose=data["pose"],
        duration=data["duration"],
        frames=data["frames"],
        seconds_in_pose=data["seconds_in_pose"],
        seconds_nobody=data["seconds_nobody"],
        seconds_several_people=data["seconds_several_people"],
        sides=data["sides"],
        phases=[Segment(**s) for s in data["phases"]],
        hold_time=data["hold_time"],
        good_time=data["good_time"],
        # summaries written before unrecognised sessions lost their score
        score=data["score"] if data["seconds_in_pose"] >= RECOGNISED_SECONDS else None,
        rules=[
            RuleStats(**{**r, "bands": [Segment(**b) for b in r["bands"]]}) for r in data["rules"]
        ],
        series=[
            Series(
                **{
                    **s,
                    "values": nan(s["values"]),
                    "ok": tuple(s["ok"]) if s["ok"] else None,
                    "close": tuple(s["close"]) if s["close"] else None,
                }
            )
            for s in data["series"]
        ],
        key_frames=[KeyFrame(**kf) for kf in data["key_frames"]],
        guidance=data["guidance"],
        notes=data["notes"],
        seconds_unreliable=data.get("seconds_unreliable", 0.0),
        unreliable=[UnreliableStats(**u) for u in data.get("unreliable", [])],
        schema_version=data.get("schema_version", SUMMARY_SCHEMA_VERSION),
    )
