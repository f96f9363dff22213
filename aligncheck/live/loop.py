"""The live coaching loop: newest frame -> estimator -> engine -> guide -> coach -> screen, voice.

:func:`run_live` is what ``aligncheck live`` runs. It checks that there is a display to open
a window on (else a :class:`~aligncheck.errors.DisplayError` that suggests ``--no-window``),
opens the source (so "no camera" is a clear :class:`~aligncheck.errors.SourceError` before any
window opens), then the voice, the model and the window, and coaches until the user quits,
the source ends or the camera goes away. The camera setup check runs on the first frames and
its advice is shown and spoken before the guided entry starts.

The window and keyboard sit behind :class:`Display` (``show`` an image, poll a ``key``), so
tests drive the loop with scripted keys and no screen; :class:`NoWindow` is the headless
``--no-window`` mode, which prints a line whenever the step, phase or cue changes.

With ``record`` the session is saved like ``aligncheck analyze`` saves one (annotated video,
frames.jsonl, summary.json, report.html); the files are closed and the summary written however
the session ends: quitting, Ctrl-C, an error, or the camera disappearing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from aligncheck.core import Frame, PoseFrame, Verdict
from aligncheck.draw.verdict import unreliable_cue
from aligncheck.live.autopose import NO_POSE_CUE, AutoEngine
from aligncheck.live.capture import Captured, LiveSource, open_live_source
from aligncheck.live.coach import Coach
from aligncheck.live.overlay import Screen, draw_live
from aligncheck.live.record import LiveRecording
from aligncheck.live.setup_check import check_setup
from aligncheck.live.values import HoldTimer, LiveOptions, LiveResult, Side, Tick
from aligncheck.live.voice import Voice, open_voice
from aligncheck.live.window import CvWindow, Display, NoWindow, require_display
from aligncheck.live.worker import PoseWorker
from aligncheck.prefetch import quick_switching
from aligncheck.rules import RuleEngine, RuleSet
from aligncheck.rules.guide import Guide, GuideState

log = logging.getLogger(__name__)

Echo = Callable[[str], None]
#: With no frame for this long (s, wall clock) the source counts as gone.
STALL_SECONDS = 10.0
#: A pose not read reliably for less than this (s of source time) keeps the cue on screen as it
#: was, so a misread frame or two does not make the banner flicker.
SHOW_UNRELIABLE_AFTER = 0.5


def _side_mirrored(rules: RuleSet, side: Side) -> bool | None:
    """``--side`` as the engine's mirrored flag: "right" is the written side when the written
    side's name says right (e.g. "right leg straight"), else the mirrored one."""
    if side == "auto" or rules.sides is None:
        return None
    written = "left" if "left" in rules.sides.written.lower() else "right"
    return side != written


def run_live(
    rules: RuleSet | Sequence[RuleSet],
    camera: int | None = None,
    source: Path | str | None = None,
    options: LiveOptions | None = None,
    *,
    model: Path | str | None = None,
    capture: LiveSource | None = None,
    voice: Voice | None = None,
    display: Display | None = None,
    echo: Echo | None = None,
) -> LiveResult:
    """Coach a live session; see the module docstring.

    ``rules``: one pose's rules, or several (``--pose auto``): then the pose held is
    recognised among them and coached with its own rules (:mod:`aligncheck.live.autopose`).
    ``capture``, ``voice`` and ``display`` replace the ones the options would open (tests pass
    a ``SilentVoice`` and scripted keys). ``echo`` receives the status lines (the CLI prints
    them in ``--no-window`` mode); they are also kept in the result.
    """
    options = options or LiveOptions()
    if options.window and display is None:
        require_display()  # before the camera: Qt would abort the process without a display
    capture = capture or open_live_source(camera, source, options.realtime)  # fails before a window
    try:
        recording = LiveRecording.open(options.record, rules, capture, model)
        try:
            session = _Session(rules, options, capture, recording, model, voice, display, echo)
            return session.run()
        finally:
            if recording is not None:
                recording.close()
    finally:
        capture.close()


class _Session:
    """The state of one live session; :meth:`run` is the loop."""

    def __init__(
        self,
        rules: RuleSet | Sequence[RuleSet],
        options: LiveOptions,
        capture: LiveSource,
        recording: LiveRecording | None,
        model: Path | str | None,
        voice: Voice | None,
        display: Display | None,
        echo: Echo | None,
    ) -> None:
        first = rules if isinstance(rules, RuleSet) else rules[0]
        library = [rules] if isinstance(rules, RuleSet) else list(rules)
        self.silhouette = any(r.needs_silhouette for r in library)
        self.rules, self.options, self.capture, self.recording = first, options, capture, recording
        self.model = model
        self.worker: PoseWorker | None = None
        self.result = LiveResult(record=recording.folder if recording else None)
        self.echo = echo
        self.voice_message: str | None = None
        if voice is None:
            voice, self.voice_message = open_voice(options.voice, options.voice_name, options.rate)
        self.voice: Voice = voice
        self.voice_on = options.voice
        self.show_angles = options.show_angles
        self.display = display
        self.forced_side = False
        self.engine: RuleEngine | AutoEngine = (
            self._engine_for(rules)
            if isinstance(rules, RuleSet)
            else AutoEngine(rules, self._engine_for)
        )
        self.auto = self.engine if isinstance(self.engine, AutoEngine) else None
        self.posed = self.auto is None  # with --pose auto: a pose is recognised now
        self._use(first)
        self.setup_done = False
        self.setup_problems: tuple[str, ...] = ()
        self.setup_start: float | None = None
        self.paused = False
        self.resumed = False
        self.fps = 0.0
        self._last_clock: float | None = None
        self._last: tuple[Frame, PoseFrame, Verdict | None, Screen] | None = None
        self._said_setup: set[str] = set()
        self._status: dict[str, str] = {}
        self._notice = ""
        self._unreliable_since: float | None = None
        self._shown_cue: tuple[str, str] = ("", "info")

    # -- output -----------------------------------------------------------------------------
    def line(self, text: str, t: float | None = None) -> None:
        """A status line for the terminal (and the result)."""
        stamp = f"[{t:6.1f}s] " if t is not None else ""
        self.result.lines.append(stamp + text)
        if self.echo is not None:
            self.echo(stamp + text)

    def say(self, text: str, t: float | None = None) -> None:
        """Speak ``text`` (when the voice is on) and print it."""
        self.line(f"say: {text}", t)
        if self.voice_on:
            self.voice.say(text)

    def changed(self, key: str, value: str, text: str, t: float) -> None:
        """Print ``text`` when ``value`` differs from the last one under ``key``."""
        if self._status.get(key) != value:
            self._status[key] = value
            if value:
                self.line(text, t)

    # -- the loop ---------------------------------------------------------------------------
    def run(self) -> LiveResult:
        from aligncheck.estimate import PoseEstimator

        if self.voice_message:
            self.line(self.voice_message)
        started = time.monotonic()
        display = self.display
        try:
            with (
                quick_switching(),
                PoseEstimator(self.model, mode="video", silhouette=self.silhouette) as estimator,
            ):
                if display is None:
                    display = CvWindow() if self.options.window else NoWindow()
                self.display = display
                worker = PoseWorker(self.capture, estimator, lossless=not self.options.realtime)
                self.worker = worker
                try:
                    self._loop(worker, display)
                finally:
                    worker.close()
                    self.result.dropped = self.capture.dropped + worker.dropped
        except KeyboardInterrupt:
            self.result.ended_by = "interrupted"
        except BaseException as exc:
            self.result.ended_by, self.result.problem = "error", str(exc)
            if self.recording is not None:
                self.recording.note(f"The session ended because of an error: {exc}")
            raise
        finally:
            self.result.seconds = time.monotonic() - started
            if display is not None:
                if self.result.problem and self.options.window:
                    self._farewell(display)
                display.close()
            self.voice.close()
            if self.recording is not None and self.result.problem:
                self.recording.note(self.result.problem)
        return self.result

    def _loop(self, worker: PoseWorker, display: Display) -> None:
        waited = time.monotonic()
        while True:
            if not self._keys(display) or display.closed:
                self.result.ended_by = "quit"
                return
            if self.paused:
                worker.paused.set()
                continue
            worker.paused.clear()
            item = worker.read(timeout=0.02)
            if item is None:
                if worker.ended:
                    self._source_ended()
                    return
                if time.monotonic() - waited > STALL_SECONDS:
                    self.result.ended_by = "source lost"
                    self.result.problem = f"{self.capture.name} delivered no image for 10 s."
                    self.line(self.result.problem)
                    return
                continue
            waited = time.monotonic()
            captured, pose = item
            limit = self.options.max_seconds
            if limit is not None and captured.frame.timestamp > limit:
                return
            display.show(self._process(captured, pose))

    def _source_ended(self) -> None:
        problem = self.capture.problem
        if problem:
            self.result.ended_by, self.result.problem = "source lost", problem
            self.line(problem)
        else:
            self.line(f"{self.capture.name}: end of the video.")

    def _keys(self, display: Display) -> bool:
        """Handle the keys pressed; False to quit."""
        key = display.key(30 if self.paused else 1)
        if key is None:
            return True
        if key in ("q", "esc"):
            return False
        if key == "space":
            self.paused = not self.paused
            self.resumed = not self.paused
            self.line("paused" if self.paused else "resumed")
            if self.paused and self._last is not None:
                display.show(self._redraw(flags=("PAUSED: space to go on",)))
        elif key == "s":
            self._switch_side()
        elif key == "r":
            self.guide.restart()
            self.coach.reset()
            self.hold.reset()
            self.line("restarted the guided sequence")
        elif key == "v":
            self.voice_on = not self.voice_on
            self.line(f"voice {'on' if self.voice_on else 'off'}")
        elif key == "a":
            self.show_angles = not self.show_angles
        return True

    def _switch_side(self) -> None:
        verdict = self._last[2] if self._last is not None else None
        current = verdict.mirrored if verdict is not None and verdict.side else False
        self.engine.force_side(not current)
        self.forced_side = True
        sides = self.rules.sides
        if sides is not None:
            self.line(f"side switched to: {sides.written if current else sides.mirrored}")

    def _engine_for(self, rules: RuleSet) -> RuleEngine:
        """A rule engine for ``rules`` with the side given by ``--side``, if any."""
        engine = RuleEngine(rules, self.options.settings)
        forced = _side_mirrored(rules, self.options.side)
        engine.force_side(forced)
        self.forced_side = forced is not None
        return engine

    def _use(self, rules: RuleSet) -> None:
        """Coach ``rules`` from now on: a fresh guided entry, coach and hold timer."""
        self.rules = rules
        self.guide = Guide(rules)
        self.coach = Coach()
        self.hold = HoldTimer(rules.hold_phases)

    def _follow_pose(self, t: float) -> None:
        """With ``--pose auto``: coach the pose the engine judges now (say when it changes)."""
        if self.auto is None or not self.auto.switched:
            return
        if self.auto.rules is None:
            self.line("pose: none recognised", t)
            self.posed = False
            return
        self._use(self.auto.rules)
        self.line(f"pose: {self.auto.rules.pose.english}", t)
        self.posed = True

    def _process(self, captured: Captured, pose: PoseFrame) -> np.ndarray:
        frame = captured.frame
        verdict = self.engine.update(pose)
        if self.worker is not None:  # a tracker stuck on a garbled skeleton restarts
            self.worker.judged(pose.detected and not verdict.reliable)
        t = frame.timestamp
        guide_state = None
        if not self.setup_done:
            self._setup(frame, pose, verdict)
        self._follow_pose(t)
        if self.setup_done and self.posed:
            guide_state = self.guide.update(verdict)
            utterance = self.coach.update(verdict, guide_state)
            if utterance is not None:
                self.say(utterance.text, t)
        hold = self.hold.update(verdict, self.resumed)
        self.resumed = False
        self._measure_fps(captured.clock)
        screen = self._screen(verdict, guide_state, hold)
        self._report(verdict, guide_state, screen, t)
        image = draw_live(frame.image, pose, verdict, screen)
        self._last = (frame, pose, verdict, screen)
        latency = (time.monotonic() - captured.clock) * 1000.0
        self.result.frames += 1
        self.result.ticks.append(
            Tick(
                t,
                verdict.detected,
                verdict.phase,
                verdict.side,
                guide_state.index if guide_state is not None else -1,
                hold or 0.0,
                self.hold.paused,
                screen.cue,
                latency,
            )
        )
        if self.recording is not None:
            self.recording.add(frame, pose, verdict)
        return image

    def _setup(self, frame: Frame, pose: PoseFrame, verdict: Verdict) -> None:
        t = verdict.timestamp
        self.setup_start = t if self.setup_start is None else self.setup_start
        mirrored = verdict.mirrored if verdict.side else None
        rules = self.rules if self.posed else None  # --pose auto: no view advice before a pose
        check = check_setup(frame, pose, rules, mirrored=mirrored, preview_mirrored=True)
        self.setup_problems = tuple(check.problems)
        if check.ok:
            self.setup_done = True
            self.line("camera setup: ok", t)
            return
        first = self.setup_problems[0] if self.setup_problems else ""
        if first and first not in self._said_setup:
            self._said_setup.add(first)
            self.say(first, t)
        if t - self.setup_start >= self.options.setup_seconds:
            self.setup_done = True
            self._notice = "Camera setup: " + "; ".join(self.setup_problems)
            self.line("camera setup not ideal; coaching anyway", t)

    def _measure_fps(self, clock: float) -> None:
        now = time.monotonic()
        if self._last_clock is not None:
            dt = max(1e-6, now - self._last_clock)
            self.fps = 1.0 / dt if self.fps == 0 else 0.9 * self.fps + 0.1 / dt
        self._last_clock = now

    def _screen(self, verdict: Verdict, guide: GuideState | None, hold: float | None) -> Screen:
        cue, kind = "", "info"
        step, progress = "", None
        if guide is not None and guide.step is not None:
            step = f"Step {guide.index + 1}/{guide.total}: {guide.step.say}"
            progress = guide.progress
        elif guide is not None and guide.total:
            step = "All steps done: stay and breathe."
        if not self.setup_done and self.setup_problems:
            cue, kind = self.setup_problems[0], "warn"
        elif not verdict.detected:
            cue, kind = "Nobody in view: come back into the picture", "warn"
        elif not verdict.reliable:
            cue, kind = self._unreliable_cue(verdict)
        elif not self.posed:
            cue = NO_POSE_CUE
        elif verdict.top is not None:
            cue, kind = verdict.top.cue, "off"
        elif any(r.status.judged for r in verdict.results):
            cue, kind = "Good alignment", "ok"
        elif guide is not None and guide.step is not None:
            cue = guide.step.say
        if verdict.reliable:
            self._unreliable_since = None
        self._shown_cue = (cue, kind)
        notices = list(verdict.notes)
        if not verdict.detected and self.hold.paused:
            notices.append("Hold timer paused while nobody is in view.")
        elif not verdict.reliable and self.hold.paused:
            notices.append("Hold timer paused while the pose is not read reliably.")
        if self.voice_message:
            notices.append(self.voice_message)
        if not self.setup_done:
            notices.extend(self.setup_problems[1:])
        elif self._notice:
            notices.append(self._notice)
        flags = [] if self.voice_on else ["voice off"]
        if self.forced_side:
            flags.append("side set by hand")
        return Screen(
            cue=cue,
            cue_kind=kind,  # type: ignore[arg-type]
            step=step,
            progress=progress,
            hold=hold,
            hold_paused=self.hold.paused,
            fps=self.fps,
            notices=tuple(notices),
            flags=tuple(flags),
            show_angles=self.show_angles,
        )

    def _unreliable_cue(self, verdict: Verdict) -> tuple[str, str]:
        """ "Pose not read reliably" and the suggestion, once it has lasted
        :data:`SHOW_UNRELIABLE_AFTER`; until then the cue shown before."""
        t = verdict.timestamp
        if self._unreliable_since is None or t < self._unreliable_since:
            self._unreliable_since = t
        if t - self._unreliable_since < SHOW_UNRELIABLE_AFTER:
            return self._shown_cue
        return unreliable_cue(verdict), "warn"

    def _report(self, verdict: Verdict, guide: GuideState | None, screen: Screen, t: float) -> None:
        if guide is not None:
            label = (
                f"step {guide.index + 1}/{guide.total}: {guide.step.id}"
                if guide.step is not None
                else "all steps done"
            )
            self.changed("step", str(guide.index), label, t)
        phase = verdict.phase_label + (f" ({verdict.side})" if verdict.side else "")
        self.changed("phase", phase, f"phase: {phase}", t)
        self.changed("cue", screen.cue, f"cue: {screen.cue}", t)
        self.changed("people", "; ".join(verdict.notes), "; ".join(verdict.notes), t)

    def _redraw(self, flags: tuple[str, ...] = (), notice: str = "") -> np.ndarray:
        assert self._last is not None
        frame, pose, verdict, screen = self._last
        notices = (*screen.notices, notice) if notice else screen.notices
        screen = replace(screen, flags=(*screen.flags, *flags), notices=notices)
        return draw_live(frame.image, pose, verdict, screen)

    def _farewell(self, display: Display) -> None:
        """Leave the reason the session ended on screen for a moment."""
        if self._last is None:
            return
        display.show(self._redraw(notice=self.result.problem))
        until = time.monotonic() + 2.0
        while time.monotonic() < until and display.key(50) is None and not display.closed:
            pass
