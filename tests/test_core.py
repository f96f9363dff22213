"""Frame and PoseFrame: shape validation, immutability, "nobody found", visibility masking."""

from __future__ import annotations

import numpy as np
import pytest

from aligncheck.core import DEFAULT_VISIBILITY_THRESHOLD, Frame, PoseFrame
from aligncheck.landmarks import NUM_LANDMARKS, Landmark

N = NUM_LANDMARKS


def _pose(visibility=None, **kwargs) -> PoseFrame:
    image_xy = np.arange(N * 2, dtype=float).reshape(N, 2) + 10.0
    world_xyz = np.arange(N * 3, dtype=float).reshape(N, 3) / 100.0 - 0.5
    vis = np.ones(N) if visibility is None else visibility
    return PoseFrame(image_xy, world_xyz, vis, 1.25, (640, 480), **kwargs)


def test_frame_size_is_width_height():
    frame = Frame(np.zeros((120, 160, 3), np.uint8), 3, 0.1, "x.mp4")
    assert frame.size == (160, 120)


def test_pose_frame_keeps_values():
    pose = _pose(index=7)
    assert pose.image_xy.shape == (N, 2)
    assert pose.world_xyz.shape == (N, 3)
    assert pose.visibility.shape == (N,)
    assert pose.image_xy.dtype == np.float64
    assert pose.detected
    assert pose.index == 7
    assert pose.timestamp == 1.25
    np.testing.assert_array_equal(pose.image_xy[Landmark.LEFT_KNEE], [60.0, 61.0])


@pytest.mark.parametrize(
    ("image_xy", "world_xyz", "visibility", "field"),
    [
        pytest.param((N, 3), (N, 3), (N,), "image_xy", id="image-xy-3-columns"),
        pytest.param((N - 1, 2), (N, 3), (N,), "image_xy", id="image-xy-32-rows"),
        pytest.param((N * 2,), (N, 3), (N,), "image_xy", id="image-xy-flat"),
        pytest.param((1, N, 2), (N, 3), (N,), "image_xy", id="image-xy-batched"),
        pytest.param((N, 2), (N, 2), (N,), "world_xyz", id="world-2-columns"),
        pytest.param((N, 2), (N + 1, 3), (N,), "world_xyz", id="world-34-rows"),
        pytest.param((N, 2), (N, 3), (N, 1), "visibility", id="visibility-column"),
        pytest.param((N, 2), (N, 3), (N - 1,), "visibility", id="visibility-short"),
        pytest.param((N, 2), (N, 3), (), "visibility", id="visibility-scalar"),
    ],
)
def test_pose_frame_rejects_bad_shapes(image_xy, world_xyz, visibility, field):
    with pytest.raises(ValueError, match=field):
        PoseFrame(np.zeros(image_xy), np.zeros(world_xyz), np.ones(visibility), 0.0, (10, 10))


@pytest.mark.parametrize("field", ["image_xy", "world_xyz", "visibility"])
def test_pose_frame_arrays_are_read_only(field):
    pose = _pose()
    array = getattr(pose, field)
    with pytest.raises(ValueError, match="read-only"):
        array[0] = 123.0
    with pytest.raises(AttributeError):
        setattr(pose, field, np.zeros_like(array))


def test_pose_frame_neither_freezes_nor_aliases_the_callers_arrays():
    base = np.zeros((N + 5, 2))
    image_xy = base[:N]
    world_xyz = np.zeros((N, 3))
    pose = PoseFrame(image_xy, world_xyz, np.ones(N), 0.0, (10, 10))
    assert world_xyz.flags.writeable, "the caller's array was made read-only"
    base[0] = 99.0
    assert pose.image_xy[0, 0] == 0.0, "the frozen frame changed when the caller's array did"


def test_empty_is_not_detected_and_all_nan():
    pose = PoseFrame.empty(2.5, (640, 480), index=4)
    assert not pose.detected
    assert pose.people == 0
    assert pose.timestamp == 2.5
    assert pose.index == 4
    assert pose.image_size == (640, 480)
    assert np.isnan(pose.image_xy).all()
    assert np.isnan(pose.world_xyz).all()
    assert not any(pose.visible(lm) for lm in Landmark)
    assert not pose.visible(Landmark.NOSE, threshold=0.0)
    assert np.isnan(pose.xy(Landmark.NOSE)).all()


def test_not_detected_hides_landmarks_even_with_full_visibility():
    pose = _pose(people=0)
    assert not pose.detected
    assert not pose.visible(Landmark.NOSE)
    assert np.isnan(pose.xy(Landmark.NOSE, threshold=0.0)).all()


def _mixed_visibility() -> np.ndarray:
    vis = np.full(N, 0.9)
    vis[Landmark.LEFT_KNEE] = 0.1
    vis[Landmark.RIGHT_WRIST] = DEFAULT_VISIBILITY_THRESHOLD  # exactly at the threshold: visible
    vis[Landmark.NOSE] = np.nan  # no score counts as not visible
    vis[Landmark.LEFT_HEEL] = 0.6
    return vis


def test_masked_turns_low_visibility_points_into_nan_in_both_arrays():
    pose = _pose(_mixed_visibility(), people=2, chosen_by="largest", index=3)
    masked = pose.masked()
    hidden = {Landmark.LEFT_KNEE, Landmark.NOSE}
    for lm in Landmark:
        if lm in hidden:
            assert np.isnan(masked.image_xy[lm]).all(), lm.name
            assert np.isnan(masked.world_xyz[lm]).all(), lm.name
        else:
            np.testing.assert_array_equal(masked.image_xy[lm], pose.image_xy[lm])
            np.testing.assert_array_equal(masked.world_xyz[lm], pose.world_xyz[lm])
    # The original is untouched and the copy keeps everything else.
    assert np.isfinite(pose.image_xy).all()
    assert np.isfinite(pose.world_xyz).all()
    assert (masked.people, masked.chosen_by, masked.index) == (2, "largest", 3)
    assert masked.timestamp == pose.timestamp
    assert masked.image_size == pose.image_size
    np.testing.assert_array_equal(masked.visibility, pose.visibility)
    assert not masked.image_xy.flags.writeable


def test_masked_with_higher_threshold_hides_more():
    masked = _pose(_mixed_visibility()).masked(threshold=0.7)
    assert np.isnan(masked.image_xy[Landmark.LEFT_HEEL]).all()
    assert np.isnan(masked.world_xyz[Landmark.RIGHT_WRIST]).all()
    assert np.isfinite(masked.image_xy[Landmark.LEFT_SHOULDER]).all()


@pytest.mark.parametrize(
    ("landmark", "threshold", "expected"),
    [
        (Landmark.LEFT_SHOULDER, None, True),
        (Landmark.LEFT_KNEE, None, False),
        (Landmark.RIGHT_WRIST, None, True),
        (Landmark.NOSE, None, False),
        (Landmark.LEFT_HEEL, 0.7, False),
        (Landmark.LEFT_HEEL, 0.6, True),
        (Landmark.LEFT_KNEE, 0.05, True),
        (Landmark.NOSE, 0.0, False),
    ],
)
def test_visible(landmark, threshold, expected):
    pose = _pose(_mixed_visibility())
    result = pose.visible(landmark) if threshold is None else pose.visible(landmark, threshold)
    assert result is expected


def test_xy_and_xyz_with_and_without_threshold():
    pose = _pose(_mixed_visibility())
    knee = Landmark.LEFT_KNEE
    # Without a threshold the raw position comes back, whatever its visibility.
    np.testing.assert_array_equal(pose.xy(knee), pose.image_xy[knee])
    np.testing.assert_array_equal(pose.xyz(knee), pose.world_xyz[knee])
    # With one, a hidden landmark is NaN of the right length.
    hidden_xy = pose.xy(knee, threshold=0.5)
    hidden_xyz = pose.xyz(knee, threshold=0.5)
    assert hidden_xy.shape == (2,)
    assert hidden_xyz.shape == (3,)
    assert np.isnan(hidden_xy).all()
    assert np.isnan(hidden_xyz).all()
    # A low enough threshold shows it again.
    np.testing.assert_array_equal(pose.xy(knee, threshold=0.1), pose.image_xy[knee])
    np.testing.assert_array_equal(
        pose.xy(Landmark.LEFT_SHOULDER, threshold=0.5), pose.image_xy[Landmark.LEFT_SHOULDER]
    )


def test_back_profile_is_absent_unless_given_and_frozen_when_given():
    assert _pose().back_profile is None
    assert PoseFrame.empty(0.0, (10, 10)).back_profile is None
    given = np.array([0.2, 0.25, np.nan, 0.22])
    pose = _pose(back_profile=given)
    np.testing.assert_array_equal(pose.back_profile, given)
    assert not pose.back_profile.flags.writeable
    assert given.flags.writeable, "the caller's array was made read-only"


@pytest.mark.parametrize("shape", [(2,), (3, 3), ()])
def test_back_profile_rejects_bad_shapes(shape):
    with pytest.raises(ValueError, match="back_profile"):
        _pose(back_profile=np.zeros(shape))


def test_masked_keeps_the_back_profile():
    pose = _pose(_mixed_visibility(), back_profile=np.array([0.1, 0.2, 0.1]))
    np.testing.assert_array_equal(pose.masked().back_profile, [0.1, 0.2, 0.1])
