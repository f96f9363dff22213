"""The frame log keeps the back's profile, so a re-judged run measures the back as the first;
the annotated video keeps the drawn colours."""

from __future__ import annotations

import math

import av
import numpy as np

from aligncheck.core import PoseFrame
from aligncheck.landmarks import NUM_LANDMARKS
from aligncheck.recording import AnnotatedVideo, FrameLog, read_frame_log
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


def test_the_annotated_video_keeps_the_drawn_colours(tmp_path):
    """Status colours must survive the conversion to the encoder's YUV 4:2:0: a chart of
    saturated and grey patches (16 pixels each, so chroma subsampling does not blur them
    together) comes back within a few levels of each channel, odd frame sizes included."""
    levels = (0, 60, 128, 200, 255)
    patches = [(b, g, r) for b in levels for g in levels for r in levels]
    chart = np.zeros((5 * 16 + 1, 25 * 16 + 1, 3), np.uint8)  # odd: cut to even when written
    for k, colour in enumerate(patches):
        y, x = divmod(k, 25)
        chart[y * 16 : (y + 1) * 16, x * 16 : (x + 1) * 16] = colour
    path = tmp_path / "chart.mp4"
    with AnnotatedVideo(path, 30.0, chart.shape[1], chart.shape[0], crf=12) as video:
        for _ in range(3):
            video.write(chart)
    with av.open(str(path)) as container:
        decoded = [f.to_ndarray(format="bgr24") for f in container.decode(video=0)]
    assert len(decoded) == 3 and decoded[0].shape == (80, 400, 3)
    for k, colour in enumerate(patches):
        y, x = divmod(k, 25)
        inner = decoded[1][y * 16 + 4 : y * 16 + 12, x * 16 + 4 : x * 16 + 12]
        error = np.abs(inner.reshape(-1, 3).mean(axis=0) - np.array(colour, float))
        assert error.max() < 8, (colour, error)
