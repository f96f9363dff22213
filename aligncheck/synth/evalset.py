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

#: Camera azimuth ranges (degrees, positive towards the person's left, 0 in front of them) per
#: view: a view bucket is one of these, or for a one-sided pose ``<view>/<role>``, seen from the
#: side of the limb playing that role (as the rule language's ``side/folded``); see
#: :func:`view_range`.
VIEW_AZIMUTHS: dict[str, tuple[float, float]] = {
    "side": (72.0, 90.0),
    "diagonal": (35.0, 60.0),
    "front": (-18.0, 18.0),
    "back": (162.0, 198.0),
}


def view_range(view: str, roles: tuple[str, str] = ("", "")) -> tuple[float, float]:
    """The azimuth range of a view bucket for a pose practised on its written side. ``roles``:
    the roles of the person's left and right limbs as written (Janu Sirsasana: folded, straight);
    ``side/<role>`` lies on that role's side. A plain view lies on the person's left; a mirrored
    item negates it, so both sides of a symmetric pose are seen."""
    base, _, role = view.partition("/")
    if base not in VIEW_AZIMUTHS:
        raise ValueError(f"unknown view {view!r}; use one of {', '.join(VIEW_AZIMUTHS)}")
    low, high = VIEW_AZIMUTHS[base]
    if not role or role == roles[0]:
        return (low, high)
    if role == roles[1]:
        return (-high, -low)
    raise ValueError(f"view {view!r} names a role that is not one of {roles}")


#: Roles and view buckets of the Janu Sirsasana evaluation (folded leg on the person's left).
JANU_ROLES = ("folded", "straight")
VIEW_BUCKETS: dict[str, tuple[float, float]] = {
    view: view_range(view, JANU_ROLES)
    for view in ("side/folded", "side/straight", "diagonal/folded", "diagonal/straight", "front")
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
    ``roles``: the roles of the person's left and right limbs as written (empty for a pose that
    is the same on both sides); ``sided``: whether the item has a side to recognise. ``mild``:
    the mild strength of the fault (0 for :func:`~aligncheck.synth.variation.mild_strength`);
    ``head``: the phase whose head positions :func:`~aligncheck.synth.variation.head_variant`
    draws (empty: ``phase``); ``steady``: joints that vary only a little, like the joints under
    test (a standing leg, so that the body stays balanced over its foot).
    """

    pose: str
    phase: str
    faults: tuple[str, ...] = ()
    base: str = ""
    also: tuple[str, ...] = ()
    roles: tuple[str, str] = JANU_ROLES
    sided: bool = True
    mild: float = 0.0
    head: str = ""
    steady: tuple[str, ...] = ()

    @property
    def correct(self) -> bool:
        """True for a correct pose (no fault)."""
        return not self.faults


@dataclass(frozen=True)
class Item:
    """One image to render and judge."""

    case: PoseCase
    strength: str  # "correct", "mild" or "clear"
    side: str  # "right" (as written) or "left" (mirrored)
    view: str  # a view bucket (see view_range)
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
        low, high = view_range(self.view, self.case.roles)
        value = float(np.random.default_rng([self.seed, 1]).uniform(low, high))
        return -value if self.mirrored else value

    def camera_height(self) -> float:
        """Camera height (m) drawn from the seed within the height bucket."""
        low, high = HEIGHT_BUCKETS[self.height]
        return float(np.random.default_rng([self.seed, 2]).uniform(low, high))


def items(
    split: str,
    replicates: int = 1,
    cases: tuple[PoseCase, ...] | None = None,
    views: tuple[str, ...] | None = None,
    heights: tuple[str, ...] = tuple(HEIGHT_BUCKETS),
    sides: tuple[str, ...] = ("right", "left"),
) -> Iterator[Item]:
    """Every item of a split: each case (faults at both strengths, correct poses twice so
    they weigh like a fault) on each side, view and camera height, ``replicates`` times, each
    with its own seed (a new person, room and camera). A seed depends only on the item's own
    description, so adding cases leaves the other items (and their cached renders) alone.
    Without ``cases``, Janu Sirsasana's (:func:`~aligncheck.synth.cases.load_cases`); without
    ``views``, those of the cases' pose."""
    if split not in SPLIT_SEEDS:
        raise ValueError(f"unknown split {split!r}; use {', '.join(SPLIT_SEEDS)}")
    if cases is None or views is None:
        from aligncheck.synth.cases import load_cases

        default = load_cases("janu_sirsasana")
        cases = default.cases if cases is None else cases
        views = default.views if views is None else views
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
