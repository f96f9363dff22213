"""``--sample-fps`` (poses on fewer frames, every frame drawn) and large frames scaled down at
decode."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import cv2
import pytest

from aligncheck.cli import main
from aligncheck.errors import SourceError
from aligncheck.pipeline import analyze_video
from aligncheck.rules.registry import find_pose
from aligncheck.sources import ANALYSIS_MAX_SIDE, VideoSource
from aligncheck.synth.clips import sequence_clip, write_mp4

RULES = find_pose("janu_sirsasana")
STEPS = [("janu_right_upright", 0.0, 1.5), ("janu_right_folded_rounded", 1.5, 3.0)]


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sample_fps")
    return sequence_clip(folder / "rounded.mp4", STEPS, fps=30.0)


@pytest.fixture(scope="module")
def sampled(clip, tmp_path_factory):
    return analyze_video(clip, RULES, tmp_path_factory.mktemp("sampled"), sample_fps=10)


def _lines(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "frames.jsonl").read_text().splitlines()]


def test_poses_on_the_sampled_frames_and_every_frame_drawn(clip, sampled):
    frames = VideoSource(clip).info.frame_count
    header, *poses = _lines(sampled.folder)
    assert header["sample_fps"] == 10
    assert abs(len(poses) - frames / 3) <= 2
    gaps = {b["i"] - a["i"] for a, b in itertools.pairwise(poses)}
    assert gaps == {3}, "every third frame of a 30 fps clip"
    assert sampled.summary.frames == len(poses)
    drawn = VideoSource(sampled.folder / "annotated.mp4")
    assert abs(drawn.info.frame_count - frames) <= 1


def test_the_verdict_is_the_same_at_a_third_of_the_frames(sampled):
    corrections = [r.rule_id for r in sampled.summary.corrections()]
    assert corrections and corrections[0] == "spine_long_in_fold"
    assert sampled.summary.hold_time > 2.0


def test_a_sampled_log_is_judged_again_with_every_frame_drawn(clip, sampled, tmp_path):
    again = analyze_video(clip, RULES, tmp_path, from_landmarks=sampled.folder / "frames.jsonl")
    assert again.summary.frames == sampled.summary.frames
    assert [r.rule_id for r in again.summary.corrections()] == [
        r.rule_id for r in sampled.summary.corrections()
    ]
    drawn = VideoSource(tmp_path / "annotated.mp4").info.frame_count
    assert abs(drawn - VideoSource(clip).info.frame_count) <= 1


@pytest.mark.parametrize("rate", [0.0, -5.0, float("nan")])
def test_a_rate_that_is_not_positive_is_refused(clip, tmp_path, rate):
    with pytest.raises(SourceError, match="--sample-fps"):
        analyze_video(clip, RULES, tmp_path, sample_fps=rate)


def test_cli_sample_fps(clip, tmp_path, capsys):
    assert main(["analyze", str(clip), "--out", str(tmp_path), "--sample-fps", "15"]) == 0
    assert json.loads((tmp_path / "frames.jsonl").read_text().splitlines()[0])["sample_fps"] == 15
    assert main(["analyze", str(clip), "--out", str(tmp_path), "--sample-fps", "0"]) == 2
    assert "--sample-fps" in capsys.readouterr().err


@pytest.fixture(scope="module")
def big_clip(clip, tmp_path_factory) -> Path:
    """A 1920x1080 copy of the first second of the clip."""
    small = [frame.image for frame, _ in zip(VideoSource(clip), range(12), strict=False)]
    big = (cv2.resize(image, (1920, 1080)) for image in small)
    return write_mp4(tmp_path_factory.mktemp("big") / "big.mp4", big, 30.0)


def test_large_frames_are_scaled_down_at_decode(big_clip):
    source = VideoSource(big_clip, ANALYSIS_MAX_SIDE)
    assert (source.info.width, source.info.height) == (1280, 720)
    assert source.info.source_size == (1920, 1080)
    assert next(iter(source)).image.shape == (720, 1280, 3)
    assert VideoSource(big_clip).info.width == 1920, "without a limit, the decoded size"
    assert VideoSource(big_clip, 4000).info.width == 1920, "never scaled up"


def test_analysis_of_a_large_video_works_at_the_scaled_size(big_clip, tmp_path):
    result = analyze_video(big_clip, RULES, tmp_path)
    header = _lines(tmp_path)[0]
    assert (header["width"], header["height"]) == (1280, 720)
    assert (result.summary.source["width"], result.summary.source["height"]) == (1920, 1080)
    out = VideoSource(tmp_path / "annotated.mp4").info
    assert (out.width, out.height) == (1280, 720)
    again = analyze_video(
        big_clip, RULES, tmp_path / "again", from_landmarks=tmp_path / "frames.jsonl"
    )
    assert VideoSource(tmp_path / "again" / "annotated.mp4").info.width == 1280
    assert again.summary.frames == result.summary.frames


def test_a_second_person_who_comes_in_later_is_seen_within_a_second(tmp_path):
    """One person is tracked; the lookout for others runs once a second."""
    steps = [("janu_right_upright", 0.0, 2.0)]
    alone = sequence_clip(tmp_path / "alone.mp4", steps, fps=10.0, size=(960, 540))
    two = sequence_clip(
        tmp_path / "two.mp4", steps, fps=10.0, size=(960, 540), second_person="seated_straight_legs"
    )
    frames = [f.image for f in VideoSource(alone)] + [f.image for f in VideoSource(two)]
    clip = write_mp4(tmp_path / "joined.mp4", frames, 10.0)
    entered = len(list(VideoSource(alone))) / 10.0
    analyze_video(clip, RULES, tmp_path / "out", write_video=False)
    poses = _lines(tmp_path / "out")[1:]
    first_two = min(p["t"] for p in poses if p["people"] == 2)
    assert entered <= first_two <= entered + 1.05
    assert all(p["people"] == 1 for p in poses if p["t"] < entered)
