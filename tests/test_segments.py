"""Smoothing per-frame recognitions into a video's segments, and the live pose tracker."""

from __future__ import annotations

import itertools

import pytest

from aligncheck.segments import PoseTracker, SegmentSettings, segment_labels

FPS = 10.0


def _labels(*spans: tuple[str, float]) -> tuple[list[float], list[str]]:
    labels = [label for label, seconds in spans for _ in range(round(seconds * FPS))]
    return [i / FPS for i in range(len(labels))], labels


def _kinds(times, labels):
    return [(s.label, round(s.start, 1), round(s.end, 1)) for s in segment_labels(times, labels)]


def test_two_poses_with_a_short_gap_are_two_segments_and_a_transition():
    times, labels = _labels(("a", 3), ("", 1.5), ("b", 2))
    assert _kinds(times, labels) == [("a", 0, 3), ("transition", 3, 4.5), ("b", 4.5, 6.5)]


def test_a_brief_misreading_inside_a_pose_is_bridged():
    times, labels = _labels(("a", 2), ("b", 0.2), ("", 0.2), ("a", 2))
    assert _kinds(times, labels) == [("a", 0, 4.4)]


def test_a_pose_held_under_a_second_is_no_segment():
    times, labels = _labels(("", 5), ("a", 0.6), ("", 5))
    assert _kinds(times, labels) == [("no known pose", 0, 10.6)]


def test_a_long_stretch_between_poses_is_no_known_pose():
    times, labels = _labels(("a", 2), ("", 4), ("b", 2))
    assert [k for k, _, _ in _kinds(times, labels)] == ["a", "no known pose", "b"]


def test_a_short_stretch_before_the_first_pose_is_the_way_in():
    times, labels = _labels(("", 1), ("a", 2))
    assert [k for k, _, _ in _kinds(times, labels)] == ["transition", "a"]


def test_segments_cover_every_frame_once():
    times, labels = _labels(("", 0.3), ("a", 1.2), ("b", 0.3), ("a", 0.4), ("", 4), ("b", 3))
    found = segment_labels(times, labels)
    assert found[0].first == 0 and found[-1].last == len(times) - 1
    assert all(x.last + 1 == y.first for x, y in itertools.pairwise(found))


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError):
        segment_labels([0.0, 0.1], ["a"])


def test_the_tracker_reports_a_pose_after_it_holds_and_drops_it_after_a_gap():
    tracker = PoseTracker(SegmentSettings(hold=1.0, gap=0.5))
    times, labels = _labels(("a", 2), ("", 0.3), ("a", 1), ("", 1))
    seen = [tracker.update(t, label) for t, label in zip(times, labels, strict=True)]
    assert seen[:10] == [""] * 10  # not yet held for a second
    assert seen[10:20] == ["a"] * 10
    assert all(s == "a" for s in seen[20:33])  # a short gap keeps the pose
    assert seen[-1] == ""  # gone after the gap
