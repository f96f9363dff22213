"""``analyze --pose auto``: a video with several poses, each judged by its own rules.

Two passes. First every frame's pose is estimated (or read from a frame log) and recognised
among the installed poses (:mod:`aligncheck.recognise`); the per-frame answers are smoothed
into segments (:mod:`aligncheck.segments`). Then the frames are drawn and judged in order:
each pose segment by a fresh rule engine of that pose, with its own session summary; frames
of a transition or of no known pose are judged by nothing. The poses are kept in memory
between the passes (a few kilobytes a frame); the video is read twice and never held.

Files written into the output folder: ``annotated.mp4``, ``frames.jsonl`` (each frame with
the pose recognised in it and its segment), ``summary.json`` (a :class:`SequenceSummary`),
``report.html`` (the timeline of the poses and a card per pose), and per pose segment
``poses/<n>_<pose>/report.html`` (the full single-pose report of that stretch).
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from aligncheck.core import Frame, PoseFrame, Verdict
from aligncheck.draw.verdict import draw_verdict
from aligncheck.errors import OutputError
from aligncheck.estimate.model import sha256_of as file_sha256
from aligncheck.inputs import Inputs, open_inputs
from aligncheck.pipeline import (
    FRAMES_NAME,
    KEEPABLE,
    REPORT_NAME,
    SUMMARY_NAME,
    VIDEO_NAME,
    AnalysisStopped,
    Progress,
    _write_summary,
    _write_whole,
    stopped_note,
)
from aligncheck.prefetch import prefetched, quick_switching
from aligncheck.recognise import RecogniseSettings, Recognition, no_pose_verdict
from aligncheck.recognise_worker import RecogniseWorker
from aligncheck.recording import AnnotatedVideo, FrameLog
from aligncheck.rules import EngineSettings, RuleEngine, RuleSet
from aligncheck.segments import Segment, SegmentSettings, segment_labels
from aligncheck.sequence_inputs import paired, pose_pairs
from aligncheck.session import (
    UNRELIABLE_NOTE,
    SessionRecorder,
    SessionSummary,
    summary_to_json,
)

SEQUENCE_SCHEMA_VERSION = 1
POSES_DIR = "poses"


@dataclass(frozen=True)
class PosePart:
    """One pose segment: where it lies, its pose, its session summary and its own report
    (relative to the sequence's folder)."""

    segment: Segment
    english: str
    summary: SessionSummary
    report: str


@dataclass(frozen=True)
class SequenceSummary:
    """A video's poses in order: the timeline of every segment and a part per pose."""

    source: dict[str, Any]
    duration: float
    frames: int
    timeline: list[Segment]
    parts: list[PosePart]
    names: dict[str, str]
    notes: list[str] = field(default_factory=list)
    seconds_nobody: float = 0.0
    schema_version: int = SEQUENCE_SCHEMA_VERSION

    def poses_found(self) -> list[str]:
        """The poses recognised, in order of first appearance (ids)."""
        return list(dict.fromkeys(p.segment.pose_id for p in self.parts))


@dataclass(frozen=True)
class SequenceAnalysis:
    """The outcome of ``analyze --pose auto`` on one video."""

    folder: Path
    summary: SequenceSummary
    interrupted: bool = False
    files: tuple[str, ...] = ()

    @property
    def report(self) -> Path:
        """The HTML report."""
        return self.folder / REPORT_NAME


class SequenceInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped an analysis after what was analysed was written."""

    def __init__(self, analysis: SequenceAnalysis) -> None:
        super().__init__(f"interrupted after {analysis.summary.frames} frames")
        self.analysis = analysis


def segment_json(segment: Segment, names: dict[str, str]) -> dict[str, Any]:
    """One timeline entry."""
    return {
        "kind": segment.kind,
        "pose": segment.pose_id or None,
        "label": names.get(segment.pose_id, segment.label),
        "start": round(segment.start, 3),
        "end": round(segment.end, 3),
    }


def sequence_to_json(summary: SequenceSummary) -> dict[str, Any]:
    """``summary.json`` of a sequence (``"kind": "sequence"``)."""
    return {
        "kind": "sequence",
        "schema_version": summary.schema_version,
        "source": summary.source,
        "duration": round(summary.duration, 3),
        "frames": summary.frames,
        "seconds_nobody": round(summary.seconds_nobody, 3),
        "poses_found": summary.poses_found(),
        "timeline": [segment_json(s, summary.names) for s in summary.timeline],
        "parts": [
            {
                "segment": segment_json(p.segment, summary.names),
                "report": p.report,
                "summary": summary_to_json(p.summary),
            }
            for p in summary.parts
        ],
        "notes": summary.notes,
    }


def _recognised_poses(
    inputs: Inputs,
    library: Sequence[RuleSet],
    settings: RecogniseSettings,
    until: float | None,
    progress: Progress | None,
    sample_fps: float | None = None,
) -> tuple[list[PoseFrame], list[Recognition], bool]:
    """Pass 1: every frame's pose and what it was recognised as; True if interrupted."""
    silhouette = any(r.needs_silhouette for r in library)
    poses: list[PoseFrame] = []

    def done(count: int) -> None:
        if progress is not None:
            progress(count, inputs.total)

    worker = RecogniseWorker(library, settings, done)
    interrupted = False
    try:
        with contextlib.ExitStack() as stack:
            stack.enter_context(quick_switching())
            estimator = None
            if inputs.poses is None:
                from aligncheck.estimate import PoseEstimator

                estimator = stack.enter_context(
                    PoseEstimator(inputs.model, mode="video", silhouette=silhouette)
                )
            pairs = pose_pairs(inputs, estimator, sample_fps)
            stack.callback(pairs.close)  # stops the decoding thread before the model closes
            for frame, pose in pairs:
                if until is not None and frame.timestamp > until:
                    break
                poses.append(pose)
                worker.put(pose)
                # a tracker stuck on a garbled skeleton restarts (told a fixed lag later)
                if estimator is not None and worker.hindsight.garbled(len(poses)):
                    estimator.look_again()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        try:
            found = worker.finish()
        except KeyboardInterrupt:  # raised while recognising (by a progress callback)
            interrupted, found = True, worker.found
    return poses[: len(found)], found, interrupted


class _Parts:
    """Pass 2's state: the engine and recorder of the pose segment being judged."""

    def __init__(
        self, library: Sequence[RuleSet], described: dict, settings: EngineSettings | None
    ) -> None:
        self._rules = {r.pose.id: r for r in library}
        self._described, self._settings = described, settings
        self.done: list[tuple[Segment, SessionRecorder]] = []
        self._current: tuple[Segment, RuleEngine, SessionRecorder] | None = None

    def judge(self, segment: Segment, pose: PoseFrame, found: Recognition) -> Verdict:
        if segment.kind != "pose":
            self._current = None
            return no_pose_verdict(pose, found, segment.label)
        if self._current is None or self._current[0] is not segment:
            rules = self._rules[segment.pose_id]
            recorder = SessionRecorder(rules, self._described)
            self._current = (segment, RuleEngine(rules, self._settings), recorder)
            self.done.append((segment, recorder))
        return self._current[1].update(pose)

    def add(self, segment: Segment, frame: Frame, pose: PoseFrame, verdict: Verdict, image) -> None:
        if self._current is not None and segment.kind == "pose":
            self._current[2].add(frame, pose, verdict, image)


def analyze_auto(
    video: Path | str | None,
    library: Sequence[RuleSet],
    out_dir: Path | str,
    model: Path | str | None = None,
    from_landmarks: Path | str | None = None,
    progress: Progress | None = None,
    settings: EngineSettings | None = None,
    write_video: bool = True,
    until: float | None = None,
    segments: SegmentSettings | None = None,
    sample_fps: float | None = None,
) -> SequenceAnalysis:
    """Recognise the poses of a video, split it into segments and judge each pose segment by
    its own rules; write the files listed in the module docstring. ``sample_fps``: run the
    model on about that many frames a second (the frames between keep the latest pose)."""
    inputs = open_inputs(video, out_dir, model, from_landmarks, until, sample_fps)
    threshold = (settings or EngineSettings()).visibility_threshold
    rec_settings = RecogniseSettings(visibility_threshold=threshold)
    poses, found, interrupted = _recognised_poses(
        inputs, library, rec_settings, until, progress, sample_fps
    )
    timeline = segment_labels([p.timestamp for p in poses], [f.pose_id for f in found], segments)
    names = {r.pose.id: r.pose.english for r in library}
    header = {
        **inputs.header,
        "pose": "auto",
        "poses": {r.pose.id: file_sha256(r.path) for r in library},
    }
    parts = _Parts(library, inputs.described, settings)
    video_out = (
        AnnotatedVideo(inputs.folder / VIDEO_NAME, inputs.fps, *inputs.size)
        if write_video
        else None
    )
    done = 0
    frames = None
    failure: BaseException | None = None
    try:
        with FrameLog(inputs.folder / FRAMES_NAME, header) as frame_log:
            # pass 2: the video again, for the pictures only
            source = inputs.video_again()
            frames = prefetched(source, name="aligncheck-decode") if source is not None else None
            pairs = paired(frames, iter(poses), inputs.size)
            for segment in timeline:
                for n in range(segment.first, segment.last + 1):
                    frame, pose = next(pairs)
                    verdict = parts.judge(segment, pose, found[n])
                    annotated = draw_verdict(frame.image, pose, verdict)
                    if video_out is not None:
                        video_out.write(annotated, frame.timestamp)
                    frame_log.write(
                        pose,
                        verdict,
                        {"pose": found[n].pose_id or None, "segment": segment.label},
                    )
                    parts.add(segment, frame, pose, verdict, annotated)
                    done = n + 1
    except KeyboardInterrupt:
        interrupted = True
    except KEEPABLE as exc:
        failure = exc
    finally:
        if frames is not None:
            frames.close()  # stops its decoding thread
        if video_out is not None:
            try:
                video_out.close()
            except KEEPABLE as exc:
                failure = failure or exc
    if interrupted or failure is not None:
        poses = poses[:done]
        timeline = [_cut(s, poses) for s in timeline if s.first < done]
    summary = _summary(inputs, poses, found, timeline, parts, names, interrupted, failure)
    try:
        files = write_sequence(inputs.folder, summary, video_out is not None)
    except OutputError as exc:
        if failure is None:
            raise
        kept = [FRAMES_NAME, *([VIDEO_NAME] if video_out is not None else [])]
        raise AnalysisStopped(failure, inputs.folder, len(poses), summary.duration, kept) from exc
    analysis = SequenceAnalysis(inputs.folder, summary, interrupted or failure is not None, files)
    if failure is not None:
        raise AnalysisStopped(
            failure, inputs.folder, len(poses), summary.duration, files
        ) from failure
    if interrupted:
        raise SequenceInterrupted(analysis)
    return analysis


def _cut(segment: Segment, poses: list[PoseFrame]) -> Segment:
    """``segment`` ending at the last of ``poses`` (those judged before an interruption)."""
    if segment.last < len(poses):
        return segment
    last = len(poses) - 1
    return replace(segment, last=last, end=poses[last].timestamp)


def unreliable_note(found: Sequence[Recognition], frame_seconds: float) -> str:
    """A note on the frames whose skeleton could not be a body (none judged, none recognised):
    how long, the most frequent reason and what to change ('' under half a second)."""
    flagged = [f for f in found if f.check]
    if len(flagged) * frame_seconds < 0.5:
        return ""
    counts = Counter(f.check for f in flagged)
    top = next(f for f in flagged if f.check == counts.most_common(1)[0][0])
    return (
        f"{UNRELIABLE_NOTE} in {len(flagged)} of {len(found)} frames "
        f"({len(flagged) * frame_seconds:.0f} s; most often: {top.reason}), so no pose was "
        f"recognised or judged then. {top.suggestion}"
    )


def _summary(
    inputs: Inputs,
    poses: list[PoseFrame],
    found: list[Recognition],
    timeline: list[Segment],
    parts: _Parts,
    names: dict[str, str],
    interrupted: bool,
    failure: BaseException | None = None,
) -> SequenceSummary:
    notes = []
    if interrupted:
        notes.append("The analysis was interrupted; this report covers the part analysed.")
    if failure is not None:
        notes.append(stopped_note(failure))
    if inputs.source is not None and inputs.source.truncated:
        notes.append("The video ended early: the file looks truncated.")
    done = [
        PosePart(
            segment,
            names[segment.pose_id],
            recorder.summary(),
            f"{POSES_DIR}/{n}_{segment.pose_id}/{REPORT_NAME}",
        )
        for n, (segment, recorder) in enumerate(parts.done, start=1)
    ]
    duration = timeline[-1].end - timeline[0].start if timeline else 0.0
    step = duration / len(poses) if poses else 0.0
    nobody = step * sum(not p.detected for p in poses)
    unreliable = unreliable_note(found[: len(poses)], step)
    if unreliable:
        notes.append(unreliable)
    return SequenceSummary(
        inputs.described, duration, len(poses), timeline, done, names, notes, nobody
    )


def write_sequence(folder: Path, summary: SequenceSummary, with_video: bool) -> tuple[str, ...]:
    """Each pose's own report, then ``summary.json`` and the sequence's ``report.html``."""
    for part in summary.parts:
        sub = folder / Path(part.report).parent
        try:
            sub.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{sub}: cannot be created ({exc.strerror or exc}).") from exc
        _write_summary(sub, part.summary, False)
    text = json.dumps(sequence_to_json(summary), indent=1, ensure_ascii=False)
    try:
        _write_whole(folder / SUMMARY_NAME, text.encode("utf-8"))
    except OSError as exc:
        raise OutputError(f"{folder}: cannot write the summary ({exc.strerror or exc}).") from exc
    from aligncheck.report.sequence import write_sequence_report

    write_sequence_report(summary, folder / REPORT_NAME, VIDEO_NAME if with_video else None)
    names = [REPORT_NAME, *([VIDEO_NAME] if with_video else []), FRAMES_NAME, SUMMARY_NAME]
    if summary.parts:
        names.append(f"{POSES_DIR}/")
    return tuple(names)
