"""The One Euro filter and the PoseSmoother: still poses lose their jitter, movement keeps up."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aligncheck.core import PoseFrame
from aligncheck.landmarks import NUM_LANDMARKS, Landmark
from aligncheck.smoothing import OneEuroFilter, OneEuroSettings, PoseSmoother

FPS = 30.0


def _run(filt: OneEuroFilter, samples: np.ndarray, times: np.ndarray) -> np.ndarray:
    return np.array([filt(x, t) for x, t in zip(samples, times, strict=True)])


def _times(n: int, start: float = 0.0) -> np.ndarray:
    return start + np.arange(n) / FPS


def test_constant_signal_passes_unchanged():
    value = np.array([[0.25, -1.5], [3.0, 0.0]])
    filt = OneEuroFilter()
    for t in _times(50):
        np.testing.assert_array_equal(filt(value, t), value)


def test_jitter_on_a_still_signal_is_reduced():
    rng = np.random.default_rng(1)
    times = _times(300)
    noisy = 0.5 + rng.normal(0.0, 0.005, size=(300, 1))
    out = _run(OneEuroFilter(), noisy, times)
    settled = slice(30, None)
    assert np.std(out[settled]) < 0.5 * np.std(noisy[settled])
    assert abs(np.mean(out[settled]) - 0.5) < 0.002  # smoothed, not shifted


def _ramp_lag(beta: float, speed: float = 1.0) -> float:
    times = _times(120)
    ramp = (speed * times)[:, None]
    out = _run(OneEuroFilter(OneEuroSettings(beta=beta)), ramp, times)
    return float(np.mean(ramp[60:, 0] - out[60:, 0]))  # steady-state lag (units)


def test_a_fast_ramp_is_followed_with_small_lag_thanks_to_beta():
    # A landmark crossing the frame height in one second: without beta the filter trails by
    # about 1 / (2 pi min_cutoff) = 0.106 units; the speed term raises the cut-off.
    still_lag = _ramp_lag(beta=0.0)
    assert still_lag == pytest.approx(1 / (2 * math.pi * 1.5), rel=0.02)
    assert _ramp_lag(beta=1.0) < 0.5 * still_lag
    assert _ramp_lag(beta=10.0) < 0.15 * still_lag
    assert _ramp_lag(beta=1.0) > 0  # it trails, it does not overshoot


def test_a_nan_landmark_resets_only_itself():
    rng = np.random.default_rng(2)
    times = _times(40)
    samples = 0.5 + rng.normal(0.0, 0.01, size=(40, 3, 2))
    samples[20, 1] = np.nan  # landmark 1 hidden in frame 20
    out = _run(OneEuroFilter(), samples, times)
    # The other landmarks are filtered exactly as if landmark 1 did not exist.
    alone = _run(OneEuroFilter(), samples[:, [0, 2]], times)
    np.testing.assert_allclose(out[:, [0, 2]], alone)
    assert np.isnan(out[20, 1]).all()
    # Back in view, it restarts from the raw position instead of dragging stale values along.
    np.testing.assert_array_equal(out[21, 1], samples[21, 1])
    assert np.isfinite(out[21:]).all()
    assert not np.allclose(out[25, 1], samples[25, 1])  # and then smooths again


@pytest.mark.parametrize("back_to", [1.0, 0.5], ids=["same-timestamp", "earlier-timestamp"])
def test_non_increasing_timestamps_restart_the_filter(back_to):
    rng = np.random.default_rng(3)
    times = _times(31)  # 0 .. 1 s
    samples = 0.5 + rng.normal(0.0, 0.01, size=(31, 2))
    filt = OneEuroFilter()
    _run(filt, samples, times)
    later = 0.3 + rng.normal(0.0, 0.01, size=(10, 2))
    restart_times = _times(10, start=back_to)
    out = _run(filt, later, restart_times)
    np.testing.assert_array_equal(out[0], later[0])  # the first sample after a restart is raw
    np.testing.assert_allclose(out, _run(OneEuroFilter(), later, restart_times))


def _pose(xy: np.ndarray, t: float, height: int = 720) -> PoseFrame:
    world = np.tile([0.1, -0.2, 0.3], (NUM_LANDMARKS, 1)) + xy.mean()
    visibility = np.linspace(0.2, 1.0, NUM_LANDMARKS)
    return PoseFrame(xy, world, visibility, t, (height * 16 // 9, height), index=int(t * FPS))


def _still_poses(n: int, rng: np.random.Generator, height: int = 720) -> list[PoseFrame]:
    base = np.linspace(100, 600, NUM_LANDMARKS * 2).reshape(NUM_LANDMARKS, 2)
    return [_pose(base + rng.normal(0.0, 3.0, base.shape), i / FPS, height) for i in range(n)]


def test_pose_smoother_keeps_shapes_and_other_fields_and_smooths():
    poses = _still_poses(60, np.random.default_rng(4))
    smoother = PoseSmoother()
    out = [smoother(p) for p in poses]
    for raw, smooth in zip(poses, out, strict=True):
        assert smooth.image_xy.shape == (NUM_LANDMARKS, 2)
        assert smooth.world_xyz.shape == (NUM_LANDMARKS, 3)
        np.testing.assert_array_equal(smooth.visibility, raw.visibility)
        assert (smooth.timestamp, smooth.image_size, smooth.index) == (
            raw.timestamp,
            raw.image_size,
            raw.index,
        )
    raw_std = np.std([p.image_xy[Landmark.NOSE] for p in poses[20:]], axis=0)
    out_std = np.std([p.image_xy[Landmark.NOSE] for p in out[20:]], axis=0)
    assert (out_std < 0.6 * raw_std).all()


def test_pose_smoother_leaves_empty_frames_alone_and_resets_nothing():
    poses = _still_poses(40, np.random.default_rng(5))
    smoother = PoseSmoother()
    for p in poses[:30]:
        smoother(p)
    empty = PoseFrame.empty(30 / FPS, (1280, 720), index=30)
    assert smoother(empty) is empty
    after = smoother(poses[31])
    # Still smoothing with the history from before the gap, not restarting from the raw frame.
    assert not np.allclose(after.image_xy, poses[31].image_xy)
    assert np.isfinite(after.image_xy).all()


def test_pose_smoother_works_in_frame_heights_so_resolution_does_not_matter():
    small = _still_poses(40, np.random.default_rng(6), height=720)
    large = [
        PoseFrame(
            p.image_xy * 2, p.world_xyz, p.visibility, p.timestamp, (2560, 1440), index=p.index
        )
        for p in small
    ]
    a, b = PoseSmoother(), PoseSmoother()
    for p, q in zip(small, large, strict=True):
        np.testing.assert_allclose(b(q).image_xy, 2 * a(p).image_xy, rtol=1e-9)
