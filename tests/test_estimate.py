"""The MediaPipe adapter on real photos, blank images, two people, and its resource handling."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from aligncheck.core import Frame
from aligncheck.errors import ModelError
from aligncheck.estimate import PoseEstimator
from aligncheck.estimate.landmarker import LOOK_ANSWERED_AFTER
from aligncheck.landmarks import Landmark as L
from aligncheck.sources import VideoSource
from aligncheck.synth.clips import sequence_clip

LEGS = (L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE, L.RIGHT_KNEE, L.LEFT_ANKLE, L.RIGHT_ANKLE)
HIPS_KNEES = LEGS[:4]
PHOTOS = [f"vrksasana_{i:03d}" for i in range(1, 30)]


def _photo(real: Path, stem: str) -> np.ndarray:
    path = next((real / "vrksasana").glob(stem + ".*"))
    image = cv2.imread(str(path))
    assert image is not None, path
    return image


@pytest.mark.parametrize("stem", PHOTOS)
def test_real_photo_person_found_with_legs_visible(real_data, image_estimator, stem):
    image = _photo(real_data, stem)
    pose = image_estimator.estimate(Frame(image, 0, 0.0))
    assert pose.detected and pose.people == 1
    # Tree pose: hips and knees are always in view; the bent leg's foot may hide behind the
    # standing thigh, so at least one ankle (the standing leg's) must be visible.
    assert all(pose.visible(lm) for lm in HIPS_KNEES), pose.visibility[list(LEGS)]
    assert pose.visible(L.LEFT_ANKLE) or pose.visible(L.RIGHT_ANKLE)
    height, width = image.shape[:2]
    assert pose.image_size == (width, height)
    legs = pose.image_xy[list(HIPS_KNEES)]
    assert np.all((legs[:, 0] >= 0) & (legs[:, 0] <= width) & (legs[:, 1] >= 0))
    assert np.all(legs[:, 1] <= height)
    # world coordinates are metres around the hips: a standing adult fits in a 2.5 m box
    assert np.all(np.abs(pose.world_xyz) < 1.25)
    # knees are below the hips in a standing pose (image y grows downward)
    assert pose.image_xy[L.LEFT_KNEE, 1] > pose.image_xy[L.LEFT_HIP, 1]


def test_blank_image_is_an_explicit_no_person(image_estimator):
    pose = image_estimator.estimate(Frame(np.full((480, 640, 3), 90, np.uint8), 3, 0.0))
    assert not pose.detected
    assert pose.people == 0
    assert np.isnan(pose.image_xy).all() and np.isnan(pose.world_xyz).all()
    assert pose.index == 3


def test_two_people_the_most_prominent_is_chosen(real_data, image_estimator):
    person = _photo(real_data, "vrksasana_001")
    small = cv2.resize(person, None, fx=0.75, fy=0.75)
    canvas = np.full((person.shape[0], person.shape[1] + small.shape[1], 3), 255, np.uint8)
    canvas[:, : person.shape[1]] = person
    canvas[: small.shape[0], person.shape[1] :] = small
    pose = image_estimator.estimate(Frame(canvas, 0, 0.0))
    assert pose.people == 2
    assert "largest" in pose.chosen_by
    # the larger figure is on the left half
    assert np.nanmax(pose.image_xy[list(LEGS), 0]) < person.shape[1]


def test_video_mode_accepts_repeated_timestamps(real_data):
    image = _photo(real_data, "vrksasana_004")
    with PoseEstimator(mode="video") as estimator:
        poses = [estimator.estimate(Frame(image, i, 0.0)) for i in range(3)]
    assert all(p.detected for p in poses)


def test_closed_estimator_refuses_work():
    estimator = PoseEstimator(mode="image")
    estimator.close()
    estimator.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        estimator.estimate(Frame(np.zeros((64, 64, 3), np.uint8), 0, 0.0))


def test_invalid_mode_is_rejected():
    with pytest.raises(ValueError, match="mode"):
        PoseEstimator(mode="stream")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "content",
    [b"", b"not a model at all", b"PK\x03\x04" + b"\0" * 100],
    ids=["empty", "text", "broken-zip"],
)
def test_bad_model_file_names_the_file(tmp_path, content):
    model = tmp_path / "my_model.task"
    model.write_bytes(content)
    with pytest.raises(ModelError, match=r"my_model\.task"):
        PoseEstimator(model, mode="image")


def test_mediapipe_start_up_noise_stays_off_the_terminal():
    code = (
        "import numpy as np\n"
        "from aligncheck.core import Frame\n"
        "from aligncheck.estimate import PoseEstimator\n"
        "with PoseEstimator(mode='video') as e:\n"
        "    for i in range(4):\n"
        "        e.estimate(Frame(np.full((240, 320, 3), 100, np.uint8), i, i / 30))\n"
        "print('done')\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "done"
    assert run.stderr.strip() == ""


def _two_people_clip(folder: Path) -> Path:
    return sequence_clip(
        folder / "two.mp4",
        [("janu_right_upright", 0.0, 1.0)],
        size=(960, 540),
        second_person="seated_straight_legs",
    )


def _people_seen(clip: Path) -> list[int]:
    with PoseEstimator(mode="video") as estimator:
        return [estimator.estimate(frame).people for frame in VideoSource(clip)]


def test_a_second_person_is_found_by_the_look_beside_tracking(tmp_path):
    """One person is tracked; the look for others runs beside it and is answered a fixed
    number of frames later, after which every frame is measured for everybody. Two runs
    agree frame for frame, whatever the threads' timing."""
    clip = _two_people_clip(tmp_path)
    people = _people_seen(clip)
    assert people[:LOOK_ANSWERED_AFTER] == [1] * LOOK_ANSWERED_AFTER, "tracked: one person"
    assert set(people[LOOK_ANSWERED_AFTER:]) == {2}, people
    assert _people_seen(clip) == people
