"""The MediaPipe adapter: the only module in aligncheck that imports mediapipe.

:class:`PoseEstimator` wraps ``mediapipe.tasks.python.vision.PoseLandmarker`` and turns its
output into :class:`~aligncheck.core.PoseFrame` values. IMAGE mode treats every frame on its own
(photos); VIDEO mode tracks the person from frame to frame and needs strictly increasing
timestamps, which the estimator guarantees.

**More than one person.** Up to ``max_people`` people are measured. When more than one is found,
the *most prominent* person is kept: the one whose visible landmarks span the largest
bounding-box area in the image (ties go to the one nearer the image centre). The returned
``PoseFrame.people`` says how many were found and ``chosen_by`` names this rule, so callers can
tell the user. A photo is measured for everybody. In a video, asking for several people on every
frame would run the person detector on every frame instead of tracking (about 40 % of the
throughput), so one person is tracked and a second landmarker looks for others now and then
(:mod:`aligncheck.estimate.lookout`); while others are in view, every frame is measured for
everybody. A look runs on a thread of its own beside the tracking, and its answer is taken in a
fixed :data:`LOOK_ANSWERED_AFTER` frames later, so results do not depend on the threads' timing.

**A second look.** A photo in which nobody was found is looked at again, at half size and
mirrored (:mod:`aligncheck.estimate.second_look`); videos are not.

**The back's outline.** With ``silhouette=True`` the model also returns a person segmentation
mask; the estimator condenses the chosen person's mask into ``PoseFrame.back_profile``
(:func:`aligncheck.estimate.silhouette.back_profile`) and drops it, so no mask travels further.
It costs time on every frame, so ask for it only when a rule needs it
(``RuleSet.needs_silhouette``).
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Literal

import cv2
import numpy as np

from aligncheck.core import DEFAULT_VISIBILITY_THRESHOLD, Frame, PoseFrame
from aligncheck.errors import ModelError
from aligncheck.estimate.lookout import Lookout
from aligncheck.estimate.model import ModelInfo, check_model
from aligncheck.estimate.second_look import looks
from aligncheck.estimate.silhouette import back_profile
from aligncheck.landmarks import NUM_LANDMARKS, Landmark
from aligncheck.quiet import captured_stderr

log = logging.getLogger(__name__)

Mode = Literal["image", "video"]
CHOSEN_BY = "largest visible body in the image (of {n} people found)"
#: MediaPipe logs on its first few inferences too; keep those quiet as well.
_QUIET_CALLS = 3
#: A look for other people runs beside the tracking, on a thread of its own; what it found is
#: taken into account this many frames later (waiting for it if need be), so the pose model
#: never waits for the look and two runs of the same video still give the same results.
LOOK_ANSWERED_AFTER = 3


class PoseEstimator:
    """Estimate one person's pose per frame with MediaPipe's pose landmarker.

    Use as a context manager (or call :meth:`close`) so the native landmarker is always released::

        with PoseEstimator(mode="image") as estimator:
            pose = estimator.estimate(frame)
    """

    def __init__(
        self,
        model: Path | str | None = None,
        mode: Mode = "video",
        max_people: int = 2,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        silhouette: bool = False,
    ) -> None:
        if mode not in ("image", "video"):
            raise ValueError(f"mode must be 'image' or 'video', not {mode!r}")
        self.model: ModelInfo = check_model(model)
        self.mode: Mode = mode
        self.max_people = max(1, int(max_people))
        #: True when each PoseFrame carries the back's profile from a segmentation mask.
        self.silhouette = bool(silhouette)
        confidence = (min_detection_confidence, min_tracking_confidence)
        several = self.max_people if mode == "image" else 1
        self._landmarker = self._create(several, *confidence)
        #: Video only: the landmarker that detects afresh on every frame it is shown (for
        #: several people when ``max_people`` > 1), and when it is used.
        self._scout = None
        self._lookout = Lookout()
        self._looker: ThreadPoolExecutor | None = None
        #: A look in progress: its answer, the frames since it began and the time it looked.
        self._look: tuple[Future[PoseFrame], int, float] | None = None
        self._last_ms: dict[int, int] = {}
        self._calls: dict[int, int] = {}
        self._restart = False
        self._blank: object = None
        if mode == "video":
            try:
                self._scout = self._create(self.max_people, *confidence)
            except BaseException:
                self.close()
                raise

    def _create(self, num_poses: int, detection: float, tracking: float) -> object:
        from mediapipe.tasks.python import BaseOptions, vision

        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model.path)),
            running_mode=(
                vision.RunningMode.IMAGE if self.mode == "image" else vision.RunningMode.VIDEO
            ),
            num_poses=num_poses,
            min_pose_detection_confidence=detection,
            min_pose_presence_confidence=detection,
            min_tracking_confidence=tracking,
            output_segmentation_masks=self.silhouette,
        )
        with captured_stderr() as native_log:
            try:
                return vision.PoseLandmarker.create_from_options(options)
            except (RuntimeError, ValueError, OSError) as exc:
                failure = exc
        detail = native_log.tail()
        raise ModelError(
            f"MediaPipe could not load the model {self.model.path}: {failure}"
            + (f"\n{detail}" if detail else "")
        ) from failure

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the native landmarker; safe to call more than once."""
        looker, self._looker, self._look = getattr(self, "_looker", None), None, None
        if looker is not None:  # a look in progress finishes before its landmarker closes
            looker.shutdown(wait=True)
        landmarkers = (self._landmarker, getattr(self, "_scout", None))
        self._landmarker = self._scout = None
        for landmarker in landmarkers:
            if landmarker is not None:
                with captured_stderr():
                    landmarker.close()

    @staticmethod
    def prepare(frame: Frame) -> object:
        """``frame`` as the model takes it (RGB, in a MediaPipe image). Safe to call on
        another thread: the decoding thread prepares frames ahead of :meth:`estimate`, so the
        conversion is off the model's path."""
        import mediapipe as mp

        rgb = cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)
        return mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))

    def estimate(self, frame: Frame, prepared: object | None = None) -> PoseFrame:
        """The pose of the most prominent person in ``frame``, or ``PoseFrame.empty``;
        ``prepared``: what :meth:`prepare` made of this frame, if it was made already."""
        if self._landmarker is None:
            raise RuntimeError("PoseEstimator is closed")
        image = prepared if prepared is not None else self.prepare(frame)
        scout, lookout, t = self._scout, self._lookout, frame.timestamp
        if scout is None:  # a photo
            pose = self._detect(self._landmarker, image, frame)
            return pose if pose.detected else self._look_again_at(frame)
        if self._restart:
            self._restart = False
            if lookout.garbled(t):
                self._lose_track(frame)
        self._hear_look(lookout.crowd or lookout.detecting(t))
        if lookout.crowd or lookout.detecting(t):
            pose = self._detect(scout, image, frame)
            lookout.looked(pose.people, t)
            return pose
        pose = self._detect(self._landmarker, image, frame)
        if self.max_people > 1 and lookout.due(pose) and self._look is None:
            if self._looker is None:
                self._looker = ThreadPoolExecutor(1, thread_name_prefix="aligncheck-lookout")
            answer = self._looker.submit(self._detect, scout, image, frame)
            self._look = (answer, 0, t)
        return pose

    def _look_again_at(self, frame: Frame) -> PoseFrame:
        """A photo in which nobody was found, looked at again at half size and mirrored
        (:mod:`aligncheck.estimate.second_look`): the first look that finds a person, or
        nobody."""
        for look in looks(frame):
            pose = self._detect(self._landmarker, self.prepare(look.frame), look.frame)
            if pose.detected:
                return look.undo(pose, frame)
        return PoseFrame.empty(frame.timestamp, frame.size, frame.index)

    def _hear_look(self, now: bool) -> None:
        """Take in what the look in progress found, once it is :data:`LOOK_ANSWERED_AFTER`
        frames old (or ``now``, before the landmarker that looks is used here)."""
        if self._look is None:
            return
        answer, frames, looked_at = self._look
        frames += 1
        if frames < LOOK_ANSWERED_AFTER and not now:
            self._look = (answer, frames, looked_at)
            return
        self._look = None
        self._lookout.looked(answer.result().people, looked_at)

    def look_again(self) -> None:
        """Ask for a fresh detection: the last skeleton could not be a body (video only; safe
        to call from another thread). See :mod:`aligncheck.estimate.lookout`."""
        self._restart = True

    def _lose_track(self, frame: Frame) -> None:
        """Make the tracker let go of the body it follows: shown an empty picture, it finds
        nobody, and looks for a person afresh on the next frame."""
        import mediapipe as mp

        width, height = frame.size
        if self._blank is None or (self._blank.width, self._blank.height) != (width, height):
            black = np.zeros((height, width, 3), np.uint8)
            self._blank = mp.Image(image_format=mp.ImageFormat.SRGB, data=black)
        self._run(self._landmarker, self._blank, frame.timestamp)

    def _detect(self, landmarker: object, image: object, frame: Frame) -> PoseFrame:
        key = id(landmarker)
        calls = self._calls.get(key, 0)
        self._calls[key] = calls + 1
        if calls < _QUIET_CALLS:
            with captured_stderr():
                result = self._run(landmarker, image, frame.timestamp)
        else:
            result = self._run(landmarker, image, frame.timestamp)
        return _to_pose_frame(result, frame)

    def _run(self, landmarker: object, image: object, timestamp: float) -> object:
        if self.mode == "image":
            return landmarker.detect(image)
        key = id(landmarker)
        stamp_ms = max(round(timestamp * 1000.0), self._last_ms.get(key, -1) + 1)
        self._last_ms[key] = stamp_ms
        return landmarker.detect_for_video(image, stamp_ms)


def _to_pose_frame(result: object, frame: Frame) -> PoseFrame:
    width, height = frame.size
    people = len(result.pose_landmarks)
    if people == 0:
        return PoseFrame.empty(frame.timestamp, (width, height), frame.index)
    candidates = [_arrays(result, i, width, height) for i in range(people)]
    best = max(
        range(people), key=lambda i: _prominence(candidates[i][0], candidates[i][2], width, height)
    )
    image_xy, world_xyz, visibility = candidates[best]
    masks = getattr(result, "segmentation_masks", None) or ()
    profile = _profile(masks[best], image_xy, width, height) if len(masks) > best else None
    return PoseFrame(
        image_xy,
        world_xyz,
        visibility,
        frame.timestamp,
        (width, height),
        people=people,
        chosen_by=CHOSEN_BY.format(n=people) if people > 1 else "",
        index=frame.index,
        back_profile=profile,
    )


def _profile(mask_image: object, image_xy: np.ndarray, width: int, height: int) -> np.ndarray:
    """The back's profile of one person from their mask (an mp.Image of float32, at the
    image's size or scaled to it)."""
    mask = np.asarray(mask_image.numpy_view())
    if mask.ndim == 3:
        mask = mask[..., 0]
    image_xy = image_xy * np.array([mask.shape[1] / width, mask.shape[0] / height])

    def mid(a: Landmark, b: Landmark) -> np.ndarray:
        return (image_xy[a] + image_xy[b]) / 2.0

    return back_profile(
        mask,
        mid(Landmark.LEFT_HIP, Landmark.RIGHT_HIP),
        mid(Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
        mid(Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE),
    )


def _arrays(result: object, i: int, width: int, height: int) -> tuple[np.ndarray, ...]:
    image_points = result.pose_landmarks[i]
    world_points = result.pose_world_landmarks[i]
    image_xy = np.array([[p.x * width, p.y * height] for p in image_points], dtype=float)
    world_xyz = np.array([[p.x, p.y, p.z] for p in world_points], dtype=float)
    visibility = np.array(
        [p.visibility if p.visibility is not None else np.nan for p in image_points]
    )
    if image_xy.shape[0] != NUM_LANDMARKS:
        raise ModelError(
            f"The model returned {image_xy.shape[0]} landmarks, expected {NUM_LANDMARKS}"
        )
    return image_xy, world_xyz, np.nan_to_num(visibility, nan=0.0)


def _prominence(
    image_xy: np.ndarray, visibility: np.ndarray, width: int, height: int
) -> tuple[float, float]:
    seen = image_xy[visibility >= DEFAULT_VISIBILITY_THRESHOLD]
    if len(seen) < 2:
        return (0.0, 0.0)
    span = seen.max(axis=0) - seen.min(axis=0)
    centre = seen.mean(axis=0) - np.array([width / 2.0, height / 2.0])
    return (float(span[0] * span[1]), -float(np.hypot(*centre)))
