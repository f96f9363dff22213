"""End-to-end accuracy through the real pose model on the synthetic practitioner.

Tolerances come from ``benchmarks/synth_accuracy.py`` (144 renders, 3 body heights), whose
table is reported with the foundation issue. There, 2D image angles of joints truly in view
had medians of 1-6 degrees and worst cases of 10-22 degrees from side views; 3D world angles
were several times worse, and ankle angles were unreliable in every view. The bounds below sit
a few degrees above those measurements so that a regression (a wrong landmark order, a broken
mirror, a coordinate mix-up, a renderer that stops being recognised) fails, while the known
limits of the model do not.
"""

from __future__ import annotations

import itertools
import statistics

import pytest

from aligncheck.synth.accuracy import Case, Outcome, evaluate_cases

POSES = (
    "seated_straight_legs",
    "janu_right_upright",
    "janu_left_upright",
    "janu_right_twist",
    "janu_right_folded",
    "janu_right_knee_floating",
)
SIDE_VIEWS: tuple[tuple[str | float, float], ...] = (("left", 10.0), ("right", 10.0), (70.0, 15.0))
LIMBS = ("knee", "hip", "elbow", "shoulder")


@pytest.fixture(scope="module")
def outcomes(image_estimator) -> list[Outcome]:
    cases = [
        Case(pose, view, elevation)
        for pose, (view, elevation) in itertools.product(POSES, (*SIDE_VIEWS, ("front", 10.0)))
    ]
    return list(evaluate_cases(cases, image_estimator))


def _errors(
    outcomes: list[Outcome], views: set[str], names: tuple[str, ...], space: str
) -> list[float]:
    found = []
    for outcome in outcomes:
        if not outcome.found or outcome.case.view_name not in views:
            continue
        errors = outcome.errors_2d if space == "2d" else outcome.errors_3d
        found += [e for k, e in errors.items() if k not in outcome.hidden and k.endswith(names)]
    return found


def test_person_found_in_every_side_and_front_render(outcomes):
    missed = [(o.case.pose, o.case.view_name) for o in outcomes if not o.found]
    assert missed == []


def test_2d_limb_angles_from_side_views(outcomes):
    errors = _errors(outcomes, {"left", "right", "az70"}, LIMBS, "2d")
    assert len(errors) >= 60
    assert statistics.median(errors) <= 6.0
    assert max(errors) <= 25.0


@pytest.mark.parametrize("limb", LIMBS)
def test_each_limb_is_measured_from_some_side_view(outcomes, limb):
    errors = _errors(outcomes, {"left", "right", "az70"}, (limb,), "2d")
    assert len(errors) >= 6
    assert statistics.median(errors) <= 8.0


def test_trunk_inclination_in_every_view(outcomes):
    errors = [
        o.errors_2d["trunk_from_vertical"]
        for o in outcomes
        if o.found and "trunk_from_vertical" in o.errors_2d
    ]
    assert len(errors) >= 20
    assert statistics.median(errors) <= 3.0
    assert max(errors) <= 12.0


def test_3d_knee_angles_from_side_views(outcomes):
    errors = _errors(outcomes, {"left", "right", "az70"}, ("knee",), "3d")
    assert len(errors) >= 10
    assert statistics.median(errors) <= 12.0
