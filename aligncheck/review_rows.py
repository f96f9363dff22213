"""What the review's index shows of an analysed clip: a few words for the teacher, the
sides practised, a thumbnail."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from aligncheck.errors import AligncheckError
from aligncheck.pipeline import KEYFRAMES_DIR
from aligncheck.session import SessionSummary
from aligncheck.sources import VideoSource

THUMB_WIDTH = 320


def describe(summary: SessionSummary) -> str:
    """What a teacher should know about an analysed clip, in a few words ('' if all is well)."""
    parts = []
    english = summary.pose.get("english", "the pose")
    nobody = summary.frames and summary.seconds_nobody >= 0.8 * max(summary.duration, 1e-9)
    if nobody:
        parts.append("nobody was found in the clip")
    elif not summary.recognised:
        parts.append(f"{english} was not recognised")
    said = ("was not recognised", "Nobody was found") if nobody else ("was not recognised",)
    parts += [note for note in summary.notes if not any(words in note for words in said)]
    return "; ".join(parts)


def sides_text(summary: SessionSummary) -> str:
    ranked = sorted(summary.sides.items(), key=lambda kv: -kv[1])
    return ", ".join(f"{side} {seconds:.0f} s" for side, seconds in ranked if seconds >= 0.5)


def thumbnail(folder: Path | None, summary: SessionSummary | None, clip: Path) -> bytes:
    """A JPEG THUMB_WIDTH wide of the best key frame, else any key frame, else the clip's first
    frame; b'' when there is none."""
    if folder is not None:
        keyframes = folder / KEYFRAMES_DIR
        named = [keyframes / kf.file for kf in summary.key_frames if kf.file] if summary else []
        for file in [*named, *sorted(keyframes.glob("*.jpg"))]:
            try:
                image = cv2.imdecode(np.fromfile(file, np.uint8), cv2.IMREAD_COLOR)
            except OSError:
                continue
            if image is not None:
                return jpeg(image)
    try:
        frames = iter(VideoSource(clip))
        first = next(frames, None)
        frames.close()  # type: ignore[attr-defined]  (a generator: releases the capture)
    except AligncheckError:
        return b""
    return jpeg(first.image) if first is not None else b""


def jpeg(image: np.ndarray, width: int = THUMB_WIDTH) -> bytes:
    """``image`` (BGR) scaled to ``width`` pixels wide, as JPEG bytes (b'' if encoding fails)."""
    if image.shape[1] > width:
        height = max(1, round(image.shape[0] * width / image.shape[1]))
        image = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])
    return encoded.tobytes() if ok else b""
