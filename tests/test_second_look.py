"""A photo in which nobody was found is looked at again, at half size and mirrored, and what
the second look finds is brought back to the original picture's pixels and body sides."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from aligncheck.core import Frame, PoseFrame
from aligncheck.estimate.second_look import MIN_HALVED, looks
from aligncheck.landmarks import Landmark as L
from aligncheck.synth import load_poses
from aligncheck.synth.population import render_scene, sample_scene

#: The trunk: found alike in every look (a hidden knee is guessed differently each time).
BODY = (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP)


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    """The upright preparation seen diagonally, 960 x 720 pixels: the left and right shoulders
    and hips lie apart in the picture, so a side swapped in the mirror would show."""
    params = load_poses().pose("janu_right_upright")
    image = render_scene(params, sample_scene(24, -45.0)).image
    return cv2.resize(image, (960, 720), interpolation=cv2.INTER_CUBIC)


def test_a_large_photo_is_looked_at_half_size_then_mirrored(photo):
    tried = list(looks(Frame(photo, 4, 0.0)))
    height, width = photo.shape[:2]
    assert [look.mirrored for look in tried] == [False, True]
    half = tried[0].frame.image
    assert half.shape[:2] == (height // 2, width // 2)
    assert np.array_equal(tried[1].frame.image, photo[:, ::-1])
    assert all(look.frame.index == 4 for look in tried)
    small = np.zeros((MIN_HALVED // 2, MIN_HALVED // 2, 3), np.uint8)
    assert [look.mirrored for look in looks(Frame(small, 0, 0.0))] == [True]


@pytest.mark.parametrize("which", [0, 1], ids=["half size", "mirrored"])
def test_what_a_look_finds_is_brought_back_to_the_original(silhouette_estimator, photo, which):
    frame = Frame(photo, 7, 0.0)
    direct = silhouette_estimator.estimate(frame)
    assert direct.detected
    look = list(looks(frame))[which]
    found = silhouette_estimator.estimate(look.frame)
    assert found.detected
    back = look.undo(found, frame)
    assert back.image_size == frame.size and back.index == 7
    width = frame.size[0]
    # the same joints, on the same side of the body, in the original picture's pixels
    gap = np.linalg.norm(back.image_xy[list(BODY)] - direct.image_xy[list(BODY)], axis=1)
    assert gap.max() < 0.02 * width, gap
    # in metres, across and up (the model's depth guess differs more between two looks)
    across_up = back.world_xyz[list(BODY), :2] - direct.world_xyz[list(BODY), :2]
    assert np.abs(across_up).max() < 0.12, across_up
    assert np.abs(back.visibility[list(BODY)] - direct.visibility[list(BODY)]).max() < 0.3
    # the back's profile is measured in the body's own lengths, so it needs no undoing (the
    # model's masks of one back differ too much between two looks to compare them closely)
    assert back.back_profile is not None and np.isfinite(back.back_profile).sum() >= 3


def test_a_photo_missed_at_first_is_found_by_the_second_look(image_estimator, photo, monkeypatch):
    frame = Frame(photo, 2, 0.0)
    direct = image_estimator.estimate(frame)
    detect = image_estimator._detect
    shown = []

    def miss_full_size(landmarker, image, seen):
        shown.append(seen.image.shape)
        if len(shown) == 1:  # the first look, at the photo itself, finds nobody
            return PoseFrame.empty(seen.timestamp, seen.size, seen.index)
        return detect(landmarker, image, seen)

    monkeypatch.setattr(image_estimator, "_detect", miss_full_size)
    pose = image_estimator.estimate(frame)
    assert len(shown) == 2 and shown[1][:2] == (photo.shape[0] // 2, photo.shape[1] // 2)
    assert pose.detected and pose.image_size == frame.size and pose.index == 2
    gap = np.linalg.norm(pose.image_xy[list(BODY)] - direct.image_xy[list(BODY)], axis=1)
    assert gap.max() < 0.02 * frame.size[0]


def test_nobody_in_any_look_is_still_nobody(image_estimator):
    blank = Frame(np.full((720, 960, 3), 90, np.uint8), 5, 1.5)
    pose = image_estimator.estimate(blank)
    assert not pose.detected and pose.people == 0
    assert pose.image_size == (960, 720) and pose.index == 5 and pose.timestamp == 1.5
