"""The analysis loop: source -> estimator -> rule engine -> sinks, streamed frame by frame.

:func:`analyze_video` is what ``aligncheck analyze`` and each worker of ``aligncheck review``
run. It checks the inputs and the output folder before loading the model, never holds the
video in memory, and on Ctrl-C, a failure part-way (the encoder, a full disk) or a file that
ends early closes every file properly and still writes the summary and the report of what was
analysed.

Files written into the output folder:

* ``annotated.mp4``: the video with skeleton, values, phase, side, hold time and cue drawn;
* ``frames.jsonl``: per-frame landmarks, measures and statuses (see :mod:`aligncheck.recording`);
* ``summary.json``: the condensed session (see :mod:`aligncheck.session`);
* ``keyframes/*.jpg`` and ``report.html``: key stills and the self-contained report.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from aligncheck.core import Frame, PoseFrame, Verdict
from aligncheck.draw.verdict import draw_verdict
from aligncheck.errors import OutputError
from aligncheck.estimate.model import sha256_of as file_sha256
from aligncheck.hindsight import Hindsight
from aligncheck.inputs import open_inputs, sampled
from aligncheck.prefetch import prefetched, quick_switching
from aligncheck.recording import AnnotatedVideo, FrameLog
from aligncheck.rules import EngineSettings, RuleEngine, RuleSet
from aligncheck.session import SessionRecorder, SessionSummary, summary_to_json
from aligncheck.sources import VideoSource

if TYPE_CHECKING:
    from aligncheck.estimate import PoseEstimator

log = logging.getLogger(__name__)

#: Called with (frames done, frames expected or 0 when unknown).
Progress = Callable[[int, int], None]

VIDEO_NAME = "annotated.mp4"
FRAMES_NAME = "frames.jsonl"
SUMMARY_NAME = "summary.json"
REPORT_NAME = "report.html"
KEYFRAMES_DIR = "keyframes"


@dataclass(frozen=True)
class Analysis:
    """The outcome of one analysed video; ``files`` are the names this run wrote in
    ``folder`` (a file left there by an earlier run is not among them)."""

    folder: Path
    summary: SessionSummary
    interrupted: bool = False
    files: tuple[str, ...] = ()

    @property
    def report(self) -> Path:
        """The HTML report."""
        return self.folder / REPORT_NAME


class AnalysisStopped(OutputError):
    """A failure part-way through (the encoder, a full disk) stopped an analysis after the
    summary and report of what was analysed before it were written; the message says what
    went wrong and what was kept."""

    def __init__(
        self, cause: BaseException, folder: Path, frames: int, seconds: float, files: Sequence[str]
    ) -> None:
        kept = (
            f"Kept in {folder}/: {', '.join(files)}; they cover the part analysed."
            if files
            else "Nothing could be kept."
        )
        self.reason = f"{failure_reason(cause)} The analysis stopped after {frames} frames."
        super().__init__(
            f"{failure_reason(cause)} The analysis stopped after {frames} frames "
            f"({seconds:.1f} s of the video). {kept}"
        )
        self.files = tuple(files)


def failure_reason(exc: BaseException) -> str:
    """One sentence on what failed: an aligncheck error's own message, or an OS error's file
    and reason (a full disk, a folder removed)."""
    if isinstance(exc, OSError) and not isinstance(exc, OutputError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}writing failed ({exc.strerror or exc})."
    return str(exc)


def stopped_note(exc: BaseException) -> str:
    """The report's note for an analysis stopped by ``exc``."""
    reason = failure_reason(exc).rstrip(".")
    return f"The analysis stopped early ({reason}); this report covers the part analysed."


#: Failures part-way through an analysis that still leave what was analysed worth keeping.
KEEPABLE = (OutputError, OSError)


class AnalysisInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped an analysis after its files were closed and its summary and report
    written; ``analysis`` tells what was kept."""

    def __init__(self, analysis: Analysis) -> None:
        super().__init__(f"interrupted after {analysis.summary.frames} frames")
        self.analysis = analysis


def _estimated(
    source: VideoSource, estimator: PoseEstimator, sample_fps: float | None, hindsight: Hindsight
) -> Iterator[tuple[Frame, PoseFrame | None]]:
    estimated = 0
    for frame, ready in prefetched(
        sampled(source, estimator, sample_fps), name="aligncheck-decode"
    ):
        if ready is None:  # not due (--sample-fps)
            yield frame, None
            continue
        if hindsight.garbled(estimated):
            estimator.look_again()  # a tracker stuck on a garbled skeleton
        estimated += 1
        yield frame, estimator.estimate(frame, ready)


def _replayed(
    source: VideoSource | None,
    poses: Iterator[PoseFrame],
    size: tuple[int, int],
    sample_fps: float | None,
) -> Iterator[tuple[Frame, PoseFrame | None]]:
    """The recorded poses with the video's frames; a frame between two recorded poses (a run
    with ``--sample-fps``) comes with None and is drawn with the pose before it."""
    frames = iter(source) if source is not None else iter(())
    frame = next(frames, None)
    step = 1.0 / sample_fps if sample_fps else 0.0
    last = None
    for pose in poses:
        last = pose.timestamp
        while frame is not None and frame.index < pose.index:
            yield frame, None
            frame = next(frames, None)
        if frame is None or frame.index > pose.index:
            blank = np.full((size[1], size[0], 3), 48, np.uint8)
            yield Frame(blank, pose.index, pose.timestamp), pose
            continue
        yield frame, pose
        frame = next(frames, None)
    # the frames after the last recorded pose, up to where the next one would have been
    while frame is not None and last is not None and frame.timestamp < last + step - 1e-6:
        yield frame, None
        frame = next(frames, None)


def analyze_video(
    video: Path | str | None,
    rules: RuleSet,
    out_dir: Path | str,
    model: Path | str | None = None,
    from_landmarks: Path | str | None = None,
    progress: Progress | None = None,
    settings: EngineSettings | None = None,
    write_video: bool = True,
    until: float | None = None,
    sample_fps: float | None = None,
) -> Analysis:
    """Analyse a video (or re-judge a recorded frame log) and write the session's files.

    With ``from_landmarks`` the poses come from an earlier run's ``frames.jsonl`` and the model
    is not loaded; the video, when given, only provides the pictures to draw on. ``until``
    stops after that many seconds of video. ``sample_fps`` estimates poses on about that many
    frames a second (default: every frame); the annotated video still has every frame, drawn
    with the latest pose.
    """
    inputs = open_inputs(video, out_dir, model, from_landmarks, until, sample_fps)
    source, poses, folder, described = inputs.source, inputs.poses, inputs.folder, inputs.described
    info = source.info if source is not None else None
    (width, height), fps = inputs.size, inputs.fps
    run_header = {
        **inputs.header,
        "pose": rules.pose.id,
        "rules_sha256": file_sha256(rules.path),
    }
    recorder = SessionRecorder(rules, described)
    total = inputs.total
    interrupted = False
    video_out = AnnotatedVideo(folder / VIDEO_NAME, fps, width, height) if write_video else None
    hindsight = Hindsight()
    failure: BaseException | None = None
    try:
        with contextlib.ExitStack() as stack:
            stack.enter_context(quick_switching())
            if poses is not None:
                size, rate = (width, height), inputs.header.get("sample_fps")
                pairs, estimator = _replayed(source, poses, size, rate), None
            else:
                from aligncheck.estimate import PoseEstimator

                estimator = stack.enter_context(
                    PoseEstimator(model, mode="video", silhouette=rules.needs_silhouette)
                )
                pairs = _estimated(source, estimator, sample_fps, hindsight)
            stack.callback(pairs.close)  # stops the decoding thread before the model closes
            frame_log = stack.enter_context(FrameLog(folder / FRAMES_NAME, run_header))
            engine = RuleEngine(rules, settings)
            judge = _Judge(engine, recorder, video_out, frame_log, progress, total, hindsight)
            try:
                try:
                    for frame, pose in pairs:
                        if until is not None and frame.timestamp > until:
                            break
                        judge.put(frame, pose)
                finally:
                    judge.finish()
            except KeyboardInterrupt:
                interrupted = True
                recorder.note("The analysis was interrupted; this report covers the part analysed.")
            except KEEPABLE as exc:
                failure = exc
    except KEEPABLE as exc:  # closing the frame log failed
        failure = failure or exc
    finally:
        if video_out is not None:
            try:
                video_out.close()
            except KEEPABLE as exc:
                failure = failure or exc
    if failure is not None:
        recorder.note(stopped_note(failure))
    if source is not None and source.truncated:
        recorder.note(
            f"The video ended after {source.frames_read} of {info.frame_count} frames: the file "
            "looks truncated, and this report covers the frames that could be read."
        )
    summary = recorder.summary()
    try:
        written = _write_summary(folder, summary, video_out is not None)
    except OutputError as exc:
        if failure is None:
            raise
        kept = [FRAMES_NAME, *([VIDEO_NAME] if video_out is not None else [])]
        raise AnalysisStopped(failure, folder, summary.frames, summary.duration, kept) from exc
    names = {*written, FRAMES_NAME, *([VIDEO_NAME] if video_out is not None else [])}
    order = (REPORT_NAME, VIDEO_NAME, FRAMES_NAME, SUMMARY_NAME, f"{KEYFRAMES_DIR}/")
    files = tuple(name for name in order if name in names)
    analysis = Analysis(folder, summary, interrupted or failure is not None, files)
    if failure is not None:
        raise AnalysisStopped(failure, folder, summary.frames, summary.duration, files) from failure
    if interrupted:
        raise AnalysisInterrupted(analysis)
    return analysis


class _Judge:
    """Judges, draws and records frames on a thread of its own, in order.

    Pose estimation waits on MediaPipe's own thread with the GIL released, so the rule engine,
    the drawing and the logging of the previous frame run meanwhile instead of adding to each
    frame's time. The queue is short, so memory stays flat.
    """

    def __init__(
        self,
        engine: RuleEngine,
        recorder: SessionRecorder,
        video_out: AnnotatedVideo | None,
        frame_log: FrameLog,
        progress: Progress | None,
        total: int,
        hindsight: Hindsight | None = None,
    ) -> None:
        self._engine, self._recorder = engine, recorder
        self._video, self._log = video_out, frame_log
        self._progress, self._total = progress, total
        self._queue: queue.Queue[tuple[Frame, PoseFrame | None] | None] = queue.Queue(maxsize=4)
        self._error: BaseException | None = None
        self._latest: tuple[PoseFrame, Verdict] | None = None
        self._hindsight = hindsight
        self._done = 0
        self._thread = threading.Thread(target=self._run, name="aligncheck-judge", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while (item := self._queue.get()) is not None:
                frame, pose = item
                if pose is None:  # not estimated (--sample-fps): drawn with the latest pose
                    if self._video is not None:
                        image = frame.image
                        if self._latest is not None:
                            image = draw_verdict(image, *self._latest)
                        self._video.write(image, frame.timestamp)
                else:
                    verdict = self._engine.update(pose)
                    if self._hindsight is not None:
                        self._hindsight.judged(pose.detected and not verdict.reliable)
                    self._latest = (pose, verdict)
                    annotated = draw_verdict(frame.image, pose, verdict)
                    if self._video is not None:
                        self._video.write(annotated, frame.timestamp)
                    self._log.write(pose, verdict)
                    self._recorder.add(frame, pose, verdict, annotated)
                self._done += 1
                if self._progress is not None:
                    self._progress(self._done, self._total)
        except BaseException as exc:  # re-raised in the main thread by put()/finish()
            self._error = exc
            if self._hindsight is not None:
                self._hindsight.close()
            while self._queue.get() is not None:
                pass

    def put(self, frame: Frame, pose: PoseFrame | None) -> None:
        """Queue the next frame (``pose`` None: not estimated); re-raises a failure of the
        judging thread."""
        if self._error is not None:
            raise self._error
        self._queue.put((frame, pose))

    def finish(self) -> None:
        """Judge what is queued, stop the thread, and re-raise its failure if any."""
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error


def _write_summary(folder: Path, summary: SessionSummary, with_video: bool) -> list[str]:
    """Write the key frames, ``summary.json`` and ``report.html`` (each file whole or not at
    all); return the names written."""
    keyframes = folder / KEYFRAMES_DIR
    written = []
    try:
        keyframes.mkdir(exist_ok=True)
        for kf in summary.key_frames:
            if kf.jpeg:
                _write_whole(keyframes / kf.file, kf.jpeg)
        text = json.dumps(summary_to_json(summary), indent=1, ensure_ascii=False)
        _write_whole(folder / SUMMARY_NAME, text.encode("utf-8"))
    except OSError as exc:
        raise OutputError(f"{folder}: cannot write the summary ({exc.strerror or exc}).") from exc
    if any(kf.jpeg for kf in summary.key_frames):
        written.append(f"{KEYFRAMES_DIR}/")
    written.append(SUMMARY_NAME)
    try:
        from aligncheck.report import write_report
    except ImportError:  # the report module is optional while it is being built
        log.debug("no report module; skipping report.html")
        return written
    write_report(summary, folder / REPORT_NAME, VIDEO_NAME if with_video else None)
    return [REPORT_NAME, *written]


def _write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary name, so ``path`` is never half written."""
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    partial.replace(path)
