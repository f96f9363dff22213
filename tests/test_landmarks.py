"""Landmark names and indices, the skeleton, and left/right mirroring."""

from __future__ import annotations

import numpy as np
import pytest

from aligncheck.landmarks import (
    MIRROR,
    MIRROR_INDEX,
    NUM_LANDMARKS,
    SKELETON,
    Landmark,
    mirror,
)


def test_there_are_33_landmarks_indexed_0_to_32():
    assert NUM_LANDMARKS == 33
    assert len(Landmark) == 33
    assert sorted(int(lm) for lm in Landmark) == list(range(33))


@pytest.mark.parametrize(
    ("name", "index"),
    [
        ("NOSE", 0),
        ("LEFT_EYE_INNER", 1),
        ("RIGHT_EYE_OUTER", 6),
        ("LEFT_EAR", 7),
        ("MOUTH_RIGHT", 10),
        ("LEFT_SHOULDER", 11),
        ("RIGHT_SHOULDER", 12),
        ("LEFT_WRIST", 15),
        ("RIGHT_THUMB", 22),
        ("LEFT_HIP", 23),
        ("RIGHT_HIP", 24),
        ("LEFT_KNEE", 25),
        ("RIGHT_ANKLE", 28),
        ("LEFT_HEEL", 29),
        ("RIGHT_FOOT_INDEX", 32),
    ],
)
def test_mediapipe_indices(name, index):
    assert Landmark[name] == index
    assert Landmark(index).name == name


def test_mirror_is_an_involution():
    for lm in Landmark:
        assert MIRROR[MIRROR[lm]] is lm
        assert mirror(mirror(lm)) is lm


@pytest.mark.parametrize(
    ("landmark", "expected"),
    [
        (Landmark.NOSE, Landmark.NOSE),
        (Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE),
        (Landmark.RIGHT_KNEE, Landmark.LEFT_KNEE),
        (Landmark.LEFT_EYE_INNER, Landmark.RIGHT_EYE_INNER),
        (Landmark.MOUTH_LEFT, Landmark.MOUTH_RIGHT),
        (Landmark.RIGHT_FOOT_INDEX, Landmark.LEFT_FOOT_INDEX),
    ],
)
def test_mirror_known_pairs(landmark, expected):
    assert mirror(landmark) is expected


def test_mirror_swaps_every_side_and_fixes_only_the_nose():
    fixed = [lm for lm in Landmark if MIRROR[lm] is lm]
    assert fixed == [Landmark.NOSE]
    for lm in Landmark:
        if "LEFT" in lm.name:
            assert MIRROR[lm].name == lm.name.replace("LEFT", "RIGHT")
        elif "RIGHT" in lm.name:
            assert MIRROR[lm].name == lm.name.replace("RIGHT", "LEFT")


def test_mirror_index_is_a_permutation_matching_mirror():
    assert len(MIRROR_INDEX) == NUM_LANDMARKS
    assert sorted(MIRROR_INDEX) == list(range(NUM_LANDMARKS))
    for lm in Landmark:
        assert MIRROR_INDEX[lm] == MIRROR[lm]
    array = np.arange(NUM_LANDMARKS)
    mirrored = array[list(MIRROR_INDEX)]
    assert mirrored[Landmark.LEFT_KNEE] == Landmark.RIGHT_KNEE
    np.testing.assert_array_equal(mirrored[list(MIRROR_INDEX)], array)


def test_skeleton_edges_are_valid():
    assert SKELETON
    for a, b in SKELETON:
        assert isinstance(a, Landmark)
        assert isinstance(b, Landmark)
        assert a is not b
    undirected = [frozenset(edge) for edge in SKELETON]
    assert len(set(undirected)) == len(undirected), "duplicate bone"


def test_skeleton_is_mirror_closed():
    undirected = {frozenset(edge) for edge in SKELETON}
    for a, b in SKELETON:
        assert frozenset((mirror(a), mirror(b))) in undirected, (a.name, b.name)


def test_skeleton_connects_every_landmark():
    touched = {lm for edge in SKELETON for lm in edge}
    assert touched == set(Landmark)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LEFT_KNEE", Landmark.LEFT_KNEE),
        ("left_knee", Landmark.LEFT_KNEE),
        ("Right_Foot_Index", Landmark.RIGHT_FOOT_INDEX),
        ("  nose ", Landmark.NOSE),
    ],
)
def test_parse_is_case_insensitive(text, expected):
    assert Landmark.parse(text) is expected


@pytest.mark.parametrize("text", ["LEFT_KNE", "left knee", "KNEE", "", "25"])
def test_parse_rejects_unknown_names(text):
    with pytest.raises(KeyError):
        Landmark.parse(text)
