"""Was the pose model's skeleton right? Ground truth for skeleton plausibility on renders.

A render knows where every landmark really is, so a skeleton the model returned can be graded:
:func:`skeleton_error` is how far the joints the rule engine would use (limb joints seen with
at least the visibility threshold) lie from the truth in the image, in body lengths (the
larger of the true image torso and a quarter of the true limbs' bounding-box diagonal, so a
side view with a short-looking torso is not graded harshly). Up to
:data:`RIGHT_LIMIT` the skeleton counts as right; beyond :data:`CLEARLY_WRONG` it is plainly
another body (a leg traced along the arms, left and right swapped).

The case grids keep threshold tuning and reporting apart: :data:`TUNING` and :data:`HELD_OUT`
share the poses but not the bodies, the camera azimuths or the elevations.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from aligncheck.core import DEFAULT_VISIBILITY_THRESHOLD, PoseFrame
from aligncheck.landmarks import Landmark as L
from aligncheck.synth.body import BodyShape
from aligncheck.synth.render import Render

#: Limb joints graded (those the rules measure): shoulders, elbows, wrists, hips, knees, ankles.
GRADED = (
    L.LEFT_SHOULDER,
    L.RIGHT_SHOULDER,
    L.LEFT_ELBOW,
    L.RIGHT_ELBOW,
    L.LEFT_WRIST,
    L.RIGHT_WRIST,
    L.LEFT_HIP,
    L.RIGHT_HIP,
    L.LEFT_KNEE,
    L.RIGHT_KNEE,
    L.LEFT_ANKLE,
    L.RIGHT_ANKLE,
)
RIGHT_LIMIT = 0.5
CLEARLY_WRONG = 1.0

#: Poses of the library used: seated (Janu Sirsasana's phases and faults) and standing.
POSES = (
    "standing",
    "seated_straight_legs",
    "janu_right_upright",
    "janu_right_twist",
    "janu_right_folded",
    "janu_right_folded_rounded",
    "janu_right_knee_floating",
    "janu_right_folded_hands_on_shin",
    "janu_left_folded",
    "janu_left_upright",
    "tree_right",
    "warrior2_right",
    "standing_fold",
    "down_dog",
    "half_moon_right",
    "standing_side_bend",
)


@dataclass(frozen=True)
class Grid:
    """Bodies (height m, build) x camera azimuths x elevations (degrees) for every pose."""

    bodies: tuple[tuple[float, float], ...]
    azimuths: tuple[float, ...]
    elevations: tuple[float, ...]
    poses: tuple[str, ...] = POSES

    def cases(self) -> Iterator[Case]:
        """Every combination, in a fixed order."""
        for pose, (height, build), azimuth, elevation in itertools.product(
            self.poses, self.bodies, self.azimuths, self.elevations
        ):
            yield Case(pose, BodyShape(height, build), azimuth, elevation)

    def __len__(self) -> int:
        return len(self.poses) * len(self.bodies) * len(self.azimuths) * len(self.elevations)


@dataclass(frozen=True)
class Case:
    """One render: a named pose, a body, and the camera's azimuth and elevation (degrees)."""

    pose: str
    body: BodyShape
    azimuth: float
    elevation: float


TUNING = Grid(
    bodies=((1.55, 0.85), (1.70, 1.0), (1.85, 1.25)),
    azimuths=(0, 30, -30, 45, -45, 60, -60, 90, -90, 135, -135, 180),
    elevations=(5, 20),
)
HELD_OUT = Grid(
    bodies=((1.62, 1.1), (1.78, 0.9), (1.95, 1.4), (1.45, 1.0)),
    azimuths=(20, -20, 75, -75, 110, -110, 160, -160, 0),
    elevations=(12, 35),
)


def _body_length(truth_xy: np.ndarray) -> float:
    shoulders = (truth_xy[L.LEFT_SHOULDER] + truth_xy[L.RIGHT_SHOULDER]) / 2
    hips = (truth_xy[L.LEFT_HIP] + truth_xy[L.RIGHT_HIP]) / 2
    limbs = truth_xy[list(GRADED)]
    diagonal = float(np.linalg.norm(limbs.max(axis=0) - limbs.min(axis=0)))
    return max(float(np.linalg.norm(shoulders - hips)), diagonal / 4.0)


def skeleton_error(
    found: PoseFrame, truth: Render, threshold: float = DEFAULT_VISIBILITY_THRESHOLD
) -> float:
    """Largest image distance between a used limb joint and its truth, in body lengths (see
    the module docstring); 0 when no limb joint is used, NaN when nobody was found."""
    if not found.detected:
        return float("nan")
    used = [lm for lm in GRADED if found.visibility[lm] >= threshold]
    if not used:
        return 0.0
    errors = np.linalg.norm(found.image_xy[used] - truth.image_xy[used], axis=1)
    return float(errors.max()) / _body_length(truth.image_xy)
