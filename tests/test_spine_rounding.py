"""Spine rounding: the fold family with a known spine shape, and ``ear_drop`` on it.

The full study (every camera, body and measure) is ``benchmarks/spine_rounding.py``; these are
the fast checks: the family keeps the thighs down and the hands at the foot, the rule file's
``ear_drop`` grows with the spine flexion on the exact landmarks, and on the model's landmarks
it puts every rounded fold above every extended one from the two side views.
"""

from __future__ import annotations

import numpy as np
import pytest

from aligncheck.core import DEFAULT_VISIBILITY_THRESHOLD, Frame
from aligncheck.estimate import PoseEstimator
from aligncheck.landmarks import Landmark
from aligncheck.rules.measures import camera_view, evaluate
from aligncheck.rules.registry import find_pose
from aligncheck.rules.schema import Measure
from aligncheck.synth import PoseParams, load_poses, pose_body, render
from aligncheck.synth.spine import FLEXIONS, spine_class, spine_fold, truth_pose

#: Side views (degrees; + the folded leg's side), where ``ear_drop`` is most reliable.
SIDE_VIEWS = (80.0, -80.0)
#: Smallest gap between the lowest rounded and the highest extended ear_drop on the model's
#: landmarks; measured 0.017 torso lengths (F=10 at azimuth 80: 0.071, F=50 at -80: 0.088).
MARGIN = 0.008


@pytest.fixture(scope="module")
def base() -> PoseParams:
    return load_poses().pose("janu_right_folded")


@pytest.fixture(scope="module")
def ear_drop() -> Measure:
    return find_pose("janu_sirsasana").measures["ear_drop"]


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


def _true_near(azimuth: float) -> str:
    return "LEFT" if azimuth > 0 else "RIGHT"  # right-leg-straight pose: + is its left side


@pytest.mark.parametrize("azimuth", [80.0, -60.0])
def test_ear_drop_grows_with_flexion_on_truth(
    base: PoseParams, ear_drop: Measure, azimuth: float
) -> None:
    values = []
    for flexion in FLEXIONS:
        shot = render(spine_fold(base, flexion), view=azimuth, elevation=8.0)
        near = _true_near(azimuth)
        measured = evaluate(ear_drop, truth_pose(shot), False, DEFAULT_VISIBILITY_THRESHOLD, near)
        values.append(measured.value)
    assert np.all(np.diff(values) > 0.02), values


def test_ear_drop_separates_rounded_from_extended_on_model(
    base: PoseParams, ear_drop: Measure, image_estimator: PoseEstimator
) -> None:
    values: dict[str, list[float]] = {"extended": [], "rounded": []}
    for flexion in (0.0, 10.0, 50.0, 60.0):
        params = spine_fold(base, flexion)
        for azimuth in SIDE_VIEWS:
            shot = render(params, view=azimuth, elevation=8.0)
            pose = image_estimator.estimate(Frame(shot.image, 0, 0.0))
            near = camera_view(pose).near
            value = evaluate(ear_drop, pose, False, DEFAULT_VISIBILITY_THRESHOLD, near).value
            values[spine_class(flexion)].append(value)
    assert np.all(np.isfinite(values["extended"] + values["rounded"])), values
    assert min(values["rounded"]) - max(values["extended"]) > MARGIN, values
