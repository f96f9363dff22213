"""The frame log keeps the back's profile, so a re-judged run measures the back as the first."""

from __future__ import annotations

import math

import numpy as np

from aligncheck.core import PoseFrame
from aligncheck.landmarks import NUM_LANDMARKS
from aligncheck.recording import FrameLog, read_frame_log
from aligncheck.rules.engine import evaluate_still
from aligncheck.rules.registry import find_pose

SIZE = (640, 480)


def _pose(index: int, back_profile: np.ndarray | None) -> PoseFrame:
    xy = np.linspace([100.0, 100.0], [500.0, 400.0], NUM_LANDMARKS)
    world = np.linspace([-0.3, -0.5, 0.0], [0.3, 0.5, 0.1], NUM_LANDMARKS)
    return PoseFrame(
        xy, world, np.ones(NUM_LANDMARKS), index / 30, SIZE, index=index, back_profile=back_profile
    )


def test_the_back_profile_survives_the_frame_log(tmp_path):
    rules = find_pose("janu_sirsasana")
    profile = np.array([0.21, 0.2344, math.nan, 0.25, 0.2, 0.19, 0.18, 0.2, 0.22])
    poses = [
        _pose(0, profile),
        _pose(1, None),
        PoseFrame.empty(2 / 30, SIZE, index=2),
    ]
    path = tmp_path / "frames.jsonl"
    with FrameLog(path, {"width": SIZE[0], "height": SIZE[1]}) as log:
        for pose in poses:
            log.write(pose, evaluate_still(rules, pose))
    _, replayed = read_frame_log(path)
    first, second, third = list(replayed)
    np.testing.assert_allclose(first.back_profile, profile, equal_nan=True)
    assert second.back_profile is None
    assert not third.detected and third.back_profile is None


def test_the_evaluation_cache_keeps_the_back_profile():
    from aligncheck.synth.evalrun import Seen, _pack, _unpack
    from aligncheck.synth.evalset import items

    chosen = list(items("tune", 1))[:3]
    profile = np.array([0.2, 0.25, 0.3, 0.25, 0.2])
    poses = [_pose(0, profile), PoseFrame.empty(0.0, SIZE), _pose(2, profile * 2)]
    truth = _pose(0, None)
    data = _pack([Seen(item, pose, truth) for item, pose in zip(chosen, poses, strict=True)])
    first, nobody, third = (s.pose for s in _unpack(data, chosen))
    np.testing.assert_allclose(first.back_profile, profile)
    np.testing.assert_allclose(third.back_profile, profile * 2)
    assert not nobody.detected
