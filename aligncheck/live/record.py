"""Recording a live session like ``aligncheck analyze`` records a video: annotated video,
frames.jsonl, summary.json and report.html, always closed properly however the session ends.

With ``--pose auto`` (several rule sets) each stretch of a recognised pose gets its own session
recorder, and the files are those of ``analyze --pose auto`` (:mod:`aligncheck.sequence`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from aligncheck import __version__
from aligncheck.core import Frame, PoseFrame, Verdict
from aligncheck.draw.verdict import draw_verdict
from aligncheck.live.capture import LiveSource
from aligncheck.rules import RuleSet
from aligncheck.session import SessionRecorder


class LiveRecording:
    """The session's files, written as ``aligncheck analyze`` writes them (see the module
    docstring). :meth:`close` always closes every file and writes the summary and report."""

    def __init__(
        self,
        folder: Path,
        rules: RuleSet | Sequence[RuleSet],
        capture: LiveSource,
        model: Path | str | None,
    ) -> None:
        from aligncheck.estimate import check_model
        from aligncheck.pipeline import FRAMES_NAME, VIDEO_NAME, file_sha256
        from aligncheck.recording import AnnotatedVideo, FrameLog

        width, height = capture.size
        path = getattr(getattr(capture, "video", None), "path", None)
        self.folder = folder
        self.source = {
            "name": capture.name,
            "path": str(Path(path).resolve()) if path else "",
            "fps": capture.fps,
            "width": width,
            "height": height,
            "frames": 0,
            "duration": 0.0,
            "sha256": "",
            "live": True,
        }
        header = {
            "aligncheck": __version__,
            "source": self.source,
            "fps": capture.fps,
            "width": width,
            "height": height,
            "model_sha256": check_model(model).sha256,
            "from_landmarks": None,
            "live": True,
        }
        self.library: dict[str, RuleSet] | None = None
        if isinstance(rules, RuleSet):
            header.update(pose=rules.pose.id, rules_sha256=file_sha256(rules.path))
            self.recorder = SessionRecorder(rules, self.source)
        else:
            self.library = {r.pose.id: r for r in rules}
            header.update(pose="auto", poses={r.pose.id: file_sha256(r.path) for r in rules})
            self.recorder = SessionRecorder(rules[0], self.source)  # notes only
        self._times: list[float] = []
        self._labels: list[str] = []
        self._parts: list[SessionRecorder] = []
        self.video = AnnotatedVideo(folder / VIDEO_NAME, capture.fps, width, height)
        try:
            self.log = FrameLog(folder / FRAMES_NAME, header)
        except BaseException:
            self.video.close()
            raise
        self._closed = False

    @classmethod
    def open(
        cls,
        folder: Path | None,
        rules: RuleSet | Sequence[RuleSet],
        capture: LiveSource,
        model: Path | str | None,
    ) -> LiveRecording | None:
        """The recording into ``folder`` (checked writable now), or None without a folder."""
        from aligncheck.sinks import ensure_output_dir

        return None if folder is None else cls(ensure_output_dir(folder), rules, capture, model)

    def add(self, frame: Frame, pose: PoseFrame, verdict: Verdict) -> None:
        """Record one processed frame."""
        annotated = draw_verdict(frame.image, pose, verdict)
        self.video.write(annotated, frame.timestamp)
        if self.library is None:
            self.log.write(pose, verdict)
            self.recorder.add(frame, pose, verdict, annotated)
            return
        self.log.write(pose, verdict, {"pose": verdict.pose_id or None})
        if verdict.pose_id and (not self._labels or self._labels[-1] != verdict.pose_id):
            self._parts.append(SessionRecorder(self.library[verdict.pose_id], self.source))
        if verdict.pose_id:
            self._parts[-1].add(frame, pose, verdict, annotated)
        self._times.append(frame.timestamp)
        self._labels.append(verdict.pose_id)

    def note(self, text: str) -> None:
        """A remark for the report."""
        self.recorder.note(text)

    def close(self) -> None:
        """Close the video and the frame log, then write summary.json and the report."""
        if self._closed:
            return
        self._closed = True
        from aligncheck.pipeline import _write_summary

        try:
            self.video.close()
        finally:
            self.log.close()
            if self.library is None:
                _write_summary(self.folder, self.recorder.summary(), True)
            else:
                self._write_sequence()

    def _write_sequence(self) -> None:
        """The files of a session in several poses, as ``analyze --pose auto`` writes them."""
        from aligncheck.pipeline import REPORT_NAME
        from aligncheck.segments import SegmentSettings, segment_labels
        from aligncheck.sequence import POSES_DIR, PosePart, SequenceSummary, write_sequence

        # the labels were smoothed live (PoseTracker): every run is a segment
        raw = SegmentSettings(hold=0.0, gap=0.0)
        timeline = segment_labels(self._times, self._labels, raw)
        poses = [s for s in timeline if s.kind == "pose"]
        parts = [
            PosePart(
                segment,
                self.library[segment.pose_id].pose.english,  # type: ignore[index]
                recorder.summary(),
                f"{POSES_DIR}/{n}_{segment.pose_id}/{REPORT_NAME}",
            )
            for n, (segment, recorder) in enumerate(zip(poses, self._parts, strict=True), 1)
        ]
        names = {i: r.pose.english for i, r in self.library.items()}  # type: ignore[union-attr]
        duration = timeline[-1].end - timeline[0].start if timeline else 0.0
        notes = self.recorder.summary().notes
        summary = SequenceSummary(
            self.source, duration, len(self._times), timeline, parts, names, notes
        )
        write_sequence(self.folder, summary, True)
