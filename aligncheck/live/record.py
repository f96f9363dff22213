"""Recording a live session like ``aligncheck analyze`` records a video: annotated video,
frames.jsonl, summary.json and report.html, always closed properly however the session ends."""

from __future__ import annotations

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
        self, folder: Path, rules: RuleSet, capture: LiveSource, model: Path | str | None
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
            "pose": rules.pose.id,
            "rules_sha256": file_sha256(rules.path),
            "from_landmarks": None,
            "live": True,
        }
        self.recorder = SessionRecorder(rules, self.source)
        self.video = AnnotatedVideo(folder / VIDEO_NAME, capture.fps, width, height)
        try:
            self.log = FrameLog(folder / FRAMES_NAME, header)
        except BaseException:
            self.video.close()
            raise
        self._closed = False

    @classmethod
    def open(
        cls, folder: Path | None, rules: RuleSet, capture: LiveSource, model: Path | str | None
    ) -> LiveRecording | None:
        """The recording into ``folder`` (checked writable now), or None without a folder."""
        from aligncheck.sinks import ensure_output_dir

        return None if folder is None else cls(ensure_output_dir(folder), rules, capture, model)

    def add(self, frame: Frame, pose: PoseFrame, verdict: Verdict) -> None:
        """Record one processed frame."""
        annotated = draw_verdict(frame.image, pose, verdict)
        self.video.write(annotated, frame.timestamp)
        self.log.write(pose, verdict)
        self.recorder.add(frame, pose, verdict, annotated)

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
            _write_summary(self.folder, self.recorder.summary(), True)
