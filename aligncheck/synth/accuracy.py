"""End-to-end accuracy: render known poses, run the real pose model, compare angles to truth.

For each (pose, view, body) case the synthetic practitioner is rendered, MediaPipe estimates the
landmarks, and every key angle (:mod:`aligncheck.angles`) is compared with the renderer's truth:

* **2D**: the angle on MediaPipe's image landmarks against the angle on the true projections;
  counted only when every landmark of the angle is truly visible (in the frame, not hidden
  behind another body part) *and* MediaPipe reports it visible, because an angle aligncheck
  would show as "not visible" cannot be wrong.
* **3D**: the angle on MediaPipe's world landmarks against the true angle in camera-aligned
  axes (same visibility rule).

A case where the model finds nobody is counted as a miss, not as an error.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from aligncheck.angles import KEY_ANGLES, key_angles
from aligncheck.core import DEFAULT_VISIBILITY_THRESHOLD, Frame
from aligncheck.estimate import PoseEstimator
from aligncheck.synth.body import BodyShape
from aligncheck.synth.poses import PoseLibrary, load_poses
from aligncheck.synth.render import render


@dataclass(frozen=True)
class Case:
    """One render: a named pose seen from a view (name or azimuth) by a body of some height."""

    pose: str
    view: str | float
    elevation: float = 10.0
    height: float = 1.70

    @property
    def view_name(self) -> str:
        """The view as text, e.g. 'left' or 'az70'."""
        return self.view if isinstance(self.view, str) else f"az{self.view:g}"


@dataclass(frozen=True)
class Outcome:
    """Errors (degrees) of one case; ``found`` is False when the model saw nobody.

    ``errors_2d`` / ``errors_3d`` hold every angle whose landmarks MediaPipe reports visible
    (what aligncheck would show as a number); ``hidden`` names those among them with a landmark
    that is truly hidden behind the body or outside the frame in the render.
    """

    case: Case
    found: bool
    errors_2d: dict[str, float]
    errors_3d: dict[str, float]
    hidden: frozenset[str] = frozenset()


def _angle_error(a: float, b: float) -> float:
    return abs(a - b) if math.isfinite(a) and math.isfinite(b) else math.nan


def evaluate_cases(
    cases: Iterable[Case],
    estimator: PoseEstimator,
    library: PoseLibrary | None = None,
    threshold: float = DEFAULT_VISIBILITY_THRESHOLD,
) -> Iterator[Outcome]:
    """Render and measure every case with an IMAGE-mode estimator."""
    library = library or load_poses()
    for case in cases:
        shot = render(
            library.pose(case.pose),
            view=case.view,
            elevation=case.elevation,
            body=BodyShape(height=case.height),
        )
        pose = estimator.estimate(Frame(shot.image, 0, 0.0))
        if not pose.detected:
            yield Outcome(case, False, {}, {})
            continue
        seen = pose.visibility >= threshold
        truly = shot.visible
        measured_2d = key_angles(pose.image_xy)
        measured_3d = key_angles(pose.world_xyz)
        true_2d = key_angles(shot.image_xy)
        true_3d = key_angles(shot.camera_xyz)
        errors_2d, errors_3d, hidden = {}, {}, set()
        for angle in KEY_ANGLES:
            points = list(angle.points)
            if not seen[points].all():
                continue
            if not truly[points].all():
                hidden.add(angle.name)
            errors_2d[angle.name] = _angle_error(measured_2d[angle.name], true_2d[angle.name])
            errors_3d[angle.name] = _angle_error(measured_3d[angle.name], true_3d[angle.name])
        yield Outcome(case, True, errors_2d, errors_3d, frozenset(hidden))


@dataclass(frozen=True)
class Summary:
    """Median and worst error (degrees) of one angle in one view, over ``count`` renders."""

    view: str
    angle: str
    space: str
    count: int
    median: float
    worst: float


def summarise(outcomes: list[Outcome], truly_visible: bool = True) -> list[Summary]:
    """Per view, angle and space (2d/3d): median and worst absolute error.

    With ``truly_visible`` only angles whose landmarks are really in view count; without it,
    every angle MediaPipe reported as visible counts (including hidden limbs it guessed).
    """
    outcomes = [
        Outcome(
            o.case,
            o.found,
            {k: v for k, v in o.errors_2d.items() if not (truly_visible and k in o.hidden)},
            {k: v for k, v in o.errors_3d.items() if not (truly_visible and k in o.hidden)},
        )
        for o in outcomes
    ]
    rows = []
    views = sorted({o.case.view_name for o in outcomes})
    for view in views:
        for angle in KEY_ANGLES:
            for space in ("2d", "3d"):
                errors = [
                    (o.errors_2d if space == "2d" else o.errors_3d)[angle.name]
                    for o in outcomes
                    if o.found
                    and o.case.view_name == view
                    and angle.name in (o.errors_2d if space == "2d" else o.errors_3d)
                ]
                errors = [e for e in errors if math.isfinite(e)]
                if errors:
                    rows.append(
                        Summary(
                            view,
                            angle.name,
                            space,
                            len(errors),
                            statistics.median(errors),
                            float(np.max(errors)),
                        )
                    )
    return rows
