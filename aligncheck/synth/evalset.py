"""Evaluation sets: which renders a rule set is tuned on, and which fresh ones it is judged on.

An evaluation *item* is one image of the synthetic population: a pose of a pose's rule set
(correct, or one fault at a *mild* or *clear* strength), a side, a camera view bucket, a camera
height bucket and a seed that draws the person, the room and the camera
(:mod:`aligncheck.synth.population`). Two splits use disjoint seed ranges: ``tune`` for choosing
limits, views and visibility thresholds, ``eval`` for every figure that is reported.

The truth of an item is written down with it: its phase, the side practised, and the rules whose
fault it shows. ``also`` lists rules that the same body shape genuinely breaks as well (a
slumped spine also leans the trunk back), which are neither counted as detections nor as false
alarms on that item.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

#: Camera azimuth ranges (degrees) per view bucket, for a pose practised on its *written* side.
#: Positive azimuths look from the side of the folded leg for Janu Sirsasana (the person's left).
VIEW_BUCKETS: dict[str, tuple[float, float]] = {
    "side/folded": (72.0, 90.0),
    "side/straight": (-90.0, -72.0),
    "diagonal/folded": (35.0, 60.0),
    "diagonal/straight": (-60.0, -35.0),
    "front": (-18.0, 18.0),
}

#: Camera height ranges (metres above the floor): a laptop on the floor or a low stool, and a
#: camera at standing chest height.
HEIGHT_BUCKETS: dict[str, tuple[float, float]] = {"low": (0.35, 0.6), "high": (1.3, 1.6)}

#: Seed offsets of the splits; seeds never overlap between them. ``test`` is for the test
#: suite's small regression sample.
SPLIT_SEEDS = {"tune": 1_000_000, "eval": 5_000_000, "test": 9_000_000}


@dataclass(frozen=True)
class PoseCase:
    """One synthetic pose of the evaluation and its truth (written side).

    ``base`` is the correct pose a fault departs from (mild faults lie between the two).
    """

    pose: str
    phase: str
    faults: tuple[str, ...] = ()
    base: str = ""
    also: tuple[str, ...] = ()

    @property
    def correct(self) -> bool:
        """True for a correct pose (no fault)."""
        return not self.faults


JANU_POSE_CASES: tuple[PoseCase, ...] = (
    PoseCase("seated_straight_legs", "seated"),
    PoseCase("janu_right_upright", "upright"),
    PoseCase("janu_right_twist", "twist"),
    PoseCase("janu_right_folded", "fold"),
    PoseCase("janu_right_folded_stiff", "fold"),
    PoseCase("janu_right_folded_deep", "fold"),
    PoseCase("janu_right_folded_head_in_line", "fold"),
    PoseCase("janu_right_upright_hands_back", "upright"),
    PoseCase("janu_right_upright_hands_forward", "upright"),
    PoseCase(
        "janu_right_folded_rounded",
        "fold",
        ("spine_long_in_fold",),
        "janu_right_folded",
        also=("hands_hold_foot", "elbows_soft", "head_released"),
    ),
    PoseCase(
        "janu_right_upright_slumped",
        "upright",
        ("long_spine_upright",),
        "janu_right_upright",
        also=("sit_upright",),
    ),
    PoseCase(
        "janu_right_upright_leaning_back",
        "upright",
        ("sit_upright",),
        "janu_right_upright",
        also=("long_spine_upright", "arms_straight", "fingertips_by_hips"),
    ),
    PoseCase("janu_right_straight_knee_bent", "upright", ("straight_knee",), "janu_right_upright"),
    PoseCase(
        "janu_right_thighs_narrow",
        "upright",
        ("thighs_apart",),
        "janu_right_upright",
        also=("knee_down", "heel_to_groin", "heel_not_on_knee"),
    ),
    PoseCase(
        "janu_right_knee_floating",
        "upright",
        ("knee_down",),
        "janu_right_upright",
        also=("heel_to_groin", "thighs_apart"),
    ),
    PoseCase(
        "janu_right_heel_on_knee",
        "upright",
        ("heel_to_groin", "heel_not_on_knee"),
        "janu_right_upright",
        also=("thighs_apart", "knee_down"),
    ),
    PoseCase("janu_right_upright_arms_bent", "folded_in"),
    PoseCase(
        "janu_right_upright_elbows_bent",
        "upright",
        ("arms_straight",),
        "janu_right_upright",
        also=("fingertips_by_hips", "long_spine_upright", "sit_upright"),
    ),
    PoseCase(
        "janu_right_upright_hands_far_forward",
        "upright",
        ("fingertips_by_hips",),
        "janu_right_upright",
        also=("long_spine_upright", "sit_upright", "arms_straight"),
    ),
    PoseCase(
        "janu_right_folded_hands_on_shin",
        "fold",
        ("hands_hold_foot",),
        "janu_right_folded",
        also=("elbows_soft",),
    ),
    PoseCase(
        "janu_right_folded_elbows_locked",
        "fold",
        ("elbows_soft",),
        "janu_right_folded",
        also=("hands_hold_foot",),
    ),
    PoseCase("janu_right_folded_head_up", "fold", ("head_released",), "janu_right_folded"),
)


@dataclass(frozen=True)
class Item:
    """One image to render and judge."""

    case: PoseCase
    strength: str  # "correct", "mild" or "clear"
    side: str  # "right" (as written) or "left" (mirrored)
    view: str  # a VIEW_BUCKETS key
    height: str  # a HEIGHT_BUCKETS key
    seed: int
    replicate: int = 0

    @property
    def key(self) -> str:
        """A stable identifier (cache key)."""
        return f"{self.case.pose}|{self.strength}|{self.side}|{self.view}|{self.height}|{self.seed}"

    @property
    def mirrored(self) -> bool:
        """True when the item is practised on the other side than the rules are written for."""
        return self.side == "left"

    def azimuth(self) -> float:
        """The camera azimuth for this item, drawn from its seed within the view bucket, signed
        for the side practised."""
        low, high = VIEW_BUCKETS[self.view]
        value = float(np.random.default_rng([self.seed, 1]).uniform(low, high))
        return -value if self.mirrored else value

    def camera_height(self) -> float:
        """Camera height (m) drawn from the seed within the height bucket."""
        low, high = HEIGHT_BUCKETS[self.height]
        return float(np.random.default_rng([self.seed, 2]).uniform(low, high))


def items(
    split: str,
    replicates: int = 1,
    cases: tuple[PoseCase, ...] = JANU_POSE_CASES,
    views: tuple[str, ...] = tuple(VIEW_BUCKETS),
    heights: tuple[str, ...] = tuple(HEIGHT_BUCKETS),
    sides: tuple[str, ...] = ("right", "left"),
) -> Iterator[Item]:
    """Every item of a split: each case (faults at both strengths, correct poses twice so
    they weigh like a fault) on each side, view and camera height, ``replicates`` times, each
    with its own seed (a new person, room and camera). A seed depends only on the item's own
    description, so adding cases leaves the other items (and their cached renders) alone."""
    if split not in SPLIT_SEEDS:
        raise ValueError(f"unknown split {split!r}; use {', '.join(SPLIT_SEEDS)}")
    for rep in range(replicates):
        for case in cases:
            strengths = ("correct", "correct") if case.correct else ("mild", "clear")
            for n, strength in enumerate(strengths):
                for side in sides:
                    for view in views:
                        for height in heights:
                            name = f"{rep}|{case.pose}|{n}|{strength}|{side}|{view}|{height}"
                            seed = SPLIT_SEEDS[split] + zlib.crc32(name.encode()) % 1_000_000
                            yield Item(case, strength, side, view, height, seed, rep)
