"""Spine rounding: the fold family with a known spine shape, and the back's curve on it.

The full studies are ``benchmarks/back_curve.py`` (1600 random renders, limits tuned on half and
checked on the other half) and ``benchmarks/spine_rounding.py``; these are the fast checks: the
family keeps the thighs down and the hands at the foot; the estimator takes the back's profile
only when asked; and on a handful of renders through the real model the rule file's
``back_curve`` puts every rounded fold above every long one whatever the head does, while the
ear below the hips-shoulders line (the measure it replaced) is ruled by the head.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from aligncheck import geometry
from aligncheck.core import DEFAULT_VISIBILITY_THRESHOLD, Frame, PoseFrame, Status
from aligncheck.estimate import PoseEstimator
from aligncheck.estimate.silhouette import STATIONS
from aligncheck.landmarks import Landmark
from aligncheck.rules.engine import evaluate_still
from aligncheck.rules.measures import camera_view, evaluate
from aligncheck.rules.registry import find_pose
from aligncheck.rules.schema import RuleSet
from aligncheck.synth import PoseParams, load_poses, pose_body, render
from aligncheck.synth.spine import spine_class, spine_fold

#: Side views (degrees; + the folded leg's side).
SIDE_VIEWS = (80.0, -80.0)
#: (neck_flexion, head_flexion): the head lifted to look ahead, and fully released.
HEADS = {"lifted": (-15.0, -15.0), "released": (35.0, 35.0)}
L = Landmark


@pytest.fixture(scope="module")
def base() -> PoseParams:
    return load_poses().pose("janu_right_folded")


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return find_pose("janu_sirsasana")


def test_spine_class_bounds() -> None:
    assert [spine_class(f) for f in (0, 15, 20, 39, 40, 70)] == [
        "extended",
        "extended",
        "moderate",
        "moderate",
        "rounded",
        "rounded",
    ]


def test_fold_keeps_thighs_and_reach(base: PoseParams) -> None:
    extended = pose_body(spine_fold(base, 0.0)).landmarks
    for flexion in (40.0, 70.0):
        params = spine_fold(base, flexion)
        spine = params.lumbar_flexion + params.thoracic_flexion + params.upper_flexion
        base_spine = base.lumbar_flexion + base.thoracic_flexion + base.upper_flexion
        assert spine - base_spine == pytest.approx(flexion)
        assert params.pelvis_tilt == pytest.approx(base.pelvis_tilt - 0.7 * flexion)
        rounded = pose_body(params).landmarks
        knees = [Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE]
        np.testing.assert_allclose(rounded[knees], extended[knees], atol=0.005)
        reach = np.linalg.norm(rounded[Landmark.RIGHT_WRIST] - rounded[Landmark.RIGHT_ANKLE])
        assert reach < 0.12  # metres: the hands still reach the foot


def test_the_estimator_takes_the_back_profile_only_when_asked(
    base: PoseParams, image_estimator: PoseEstimator, silhouette_estimator: PoseEstimator
) -> None:
    frame = Frame(render(base, view=80.0, elevation=10.0).image, 0, 0.0)
    assert image_estimator.estimate(frame).back_profile is None
    pose = silhouette_estimator.estimate(frame)
    assert pose.back_profile is not None and pose.back_profile.shape == (STATIONS,)
    assert np.isfinite(pose.back_profile).all()
    assert np.all((pose.back_profile > 0) & (pose.back_profile < 0.6))  # chord lengths


def _ear_drop(pose: PoseFrame) -> float:
    """The former rule's measure: the near ear below the hips-shoulders line, towards the
    straight (right) knee, in torso lengths."""
    xy = pose.image_xy
    hips = (xy[L.LEFT_HIP] + xy[L.RIGHT_HIP]) / 2
    shoulders = (xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER]) / 2
    ear = xy[L.LEFT_EAR if camera_view(pose).near == "LEFT" else L.RIGHT_EAR]
    return float(geometry.line_offset(hips, shoulders, ear, xy[L.RIGHT_KNEE], hips, shoulders))


@pytest.fixture(scope="module")
def shots(
    base: PoseParams, silhouette_estimator: PoseEstimator
) -> dict[tuple[str, str, float], PoseFrame]:
    """The model's poses of a long (F 0) and a rounded (F 60) fold, head lifted and released,
    from both side views: {(spine, head, azimuth): pose}."""
    out = {}
    for spine, flexion in (("long", 0.0), ("rounded", 60.0)):
        for head, (neck, nod) in HEADS.items():
            params = spine_fold(base, flexion).with_(neck_flexion=neck, head_flexion=nod)
            for azimuth in SIDE_VIEWS:
                image = render(params, view=azimuth, elevation=10.0).image
                out[spine, head, azimuth] = silhouette_estimator.estimate(Frame(image, 0, 0.0))
    return out


def _back_curve(rules: RuleSet, pose: PoseFrame) -> float:
    measure = rules.measures[next(r.measure for r in rules.rules if r.id == "spine_long_in_fold")]
    assert measure.type == "back_curve"
    near = camera_view(pose).near
    return evaluate(measure, pose, False, DEFAULT_VISIBILITY_THRESHOLD, near).value


def test_the_back_curve_separates_long_from_rounded_whatever_the_head(
    shots: dict[tuple[str, str, float], PoseFrame], rules: RuleSet
) -> None:
    rule = next(r for r in rules.rules if r.id == "spine_long_in_fold")
    values = {key: _back_curve(rules, pose) for key, pose in shots.items()}
    assert all(math.isfinite(v) for v in values.values()), values
    long = [v for (spine, _, _), v in values.items() if spine == "long"]
    rounded = [v for (spine, _, _), v in values.items() if spine == "rounded"]
    # measured: long -0.03 to 0.00, rounded 0.06 to 0.10 chord lengths
    assert max(long) < rule.ok.high < rule.close.high < min(rounded), values


def test_the_ear_below_the_trunk_line_reads_the_head_not_the_spine(
    shots: dict[tuple[str, str, float], PoseFrame], rules: RuleSet
) -> None:
    for azimuth in SIDE_VIEWS:
        long_released = shots["long", "released", azimuth]
        rounded_lifted = shots["rounded", "lifted", azimuth]
        # the ear: a long spine with the head released reads more rounded than a rounded back
        assert _ear_drop(long_released) > _ear_drop(rounded_lifted) + 0.1
        # the back's outline: the other way round
        assert _back_curve(rules, rounded_lifted) > _back_curve(rules, long_released) + 0.04


@pytest.mark.parametrize("azimuth", SIDE_VIEWS)
def test_a_long_fold_with_the_head_released_is_not_told_to_stop_rounding(
    shots: dict[tuple[str, str, float], PoseFrame], rules: RuleSet, azimuth: float
) -> None:
    correct = evaluate_still(rules, shots["long", "released", azimuth])
    fault = evaluate_still(rules, shots["rounded", "lifted", azimuth])
    assert correct.phase == fault.phase == "fold"
    assert correct.result("spine_long_in_fold").status == Status.OK
    assert fault.result("spine_long_in_fold").status == Status.OFF
