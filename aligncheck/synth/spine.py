"""Forward folds with a known spine shape, from an extended spine to a rounded back.

Used to validate spine-rounding measures (``benchmarks/spine_rounding.py``,
``tests/test_spine_rounding.py``): the truth is the spine flexion the figure was built with.

:func:`spine_fold` starts from an extended fold (by default ``janu_right_folded``: lumbar 0,
thoracic 5, upper 8 degrees) and adds ``flexion`` degrees of spine flexion, spread over the
lumbar, thoracic and upper segments (:data:`SPLIT`). To keep the trunk reaching forward, the
pelvis tilts back by ``pelvis_share`` times that flexion; pelvis tilt and hip flexion add up,
so both hip flexions drop by the same amount and the thighs stay where they were, on the
floor. With the default share of 0.7 the hips-to-shoulders line of ``janu_right_folded`` stays
within 7 degrees of its extended inclination (59 -> 52 degrees from vertical at 70 degrees of
flexion) while the head stays above the straight shin (a smaller share curls the head into
the leg, a larger one makes the rounded fold visibly shallower). The arms are then refitted by
:func:`reach_for_foot` so the hands reach for the straight leg's ankle as far as they can
without pushing the body off the floor.

:func:`truth_pose` turns a render's exact landmarks into a :class:`PoseFrame`, so a rule file's
measures can be evaluated on the truth exactly as on the model's output.

Classes (:func:`spine_class`): up to :data:`EXTENDED_MAX` degrees of added flexion is
"extended", from :data:`ROUNDED_MIN` on "rounded", in between "moderate".
"""

from __future__ import annotations

import numpy as np

from aligncheck.core import PoseFrame
from aligncheck.landmarks import Landmark
from aligncheck.synth.body import pose_body
from aligncheck.synth.params import PoseParams
from aligncheck.synth.render import Render

#: Share of the added flexion taken by the lumbar, thoracic and upper segments.
SPLIT: tuple[float, float, float] = (0.40, 0.35, 0.25)
#: Pelvis tilt given back per degree of added spine flexion.
PELVIS_SHARE = 0.7
#: Added spine flexion (degrees) up to which a fold counts as extended.
EXTENDED_MAX = 15.0
#: Added spine flexion (degrees) from which a fold counts as rounded.
ROUNDED_MIN = 40.0
#: Spine flexions (degrees) of the validation family.
FLEXIONS: tuple[float, ...] = (0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0)

_SEGMENTS = ("lumbar", "thoracic", "upper")
_LIFT_TOLERANCE = 0.003  # metres the straight ankle may rise while the arms are refitted


def spine_class(flexion: float) -> str:
    """'extended', 'moderate' or 'rounded' for an added spine flexion in degrees."""
    if flexion <= EXTENDED_MAX:
        return "extended"
    if flexion >= ROUNDED_MIN:
        return "rounded"
    return "moderate"


def spine_fold(
    base: PoseParams,
    flexion: float,
    *,
    pelvis_share: float = PELVIS_SHARE,
    split: tuple[float, float, float] = SPLIT,
    fit_arms: bool = True,
) -> PoseParams:
    """``base`` (a right-leg-straight fold) with ``flexion`` degrees more spine flexion.

    The pelvis tilts back by ``pelvis_share * flexion`` and both hip flexions drop by as much
    (thighs unchanged in the world); with ``fit_arms`` the arms are refitted to reach for the
    right ankle (:func:`reach_for_foot`). Mirror the result for the other side.
    """
    if abs(sum(split) - 1.0) > 1e-9:
        raise ValueError(f"split must add up to 1, got {split}")
    back = pelvis_share * flexion
    changes = {
        f"{seg}_flexion": getattr(base, f"{seg}_flexion") + share * flexion
        for seg, share in zip(_SEGMENTS, split, strict=True)
    }
    params = base.with_(
        pelvis_tilt=base.pelvis_tilt - back,
        left_hip_flexion=base.left_hip_flexion - back,
        right_hip_flexion=base.right_hip_flexion - back,
        **changes,
    )
    return reach_for_foot(params, base) if fit_arms else params


def reach_for_foot(params: PoseParams, reference: PoseParams) -> PoseParams:
    """Both shoulders' flexion changed by one common amount so the wrists come closest to the
    right ankle (mean distance), as long as the right ankle stays within 3 mm of its height
    in ``reference`` (hands pressing into the floor would lift the body).

    Searched over -60..+60 degrees in 1-degree steps; body proportions scale uniformly with
    height, so the answer holds for every body height.
    """
    ankle_z = pose_body(reference).landmarks[Landmark.RIGHT_ANKLE, 2]
    best: tuple[float, PoseParams] | None = None
    for delta in range(-60, 61):
        candidate = params.with_(
            left_shoulder_flexion=params.left_shoulder_flexion + delta,
            right_shoulder_flexion=params.right_shoulder_flexion + delta,
        )
        lm = pose_body(candidate).landmarks
        if lm[Landmark.RIGHT_ANKLE, 2] > ankle_z + _LIFT_TOLERANCE:
            continue
        gap = float(
            np.mean(
                [
                    np.linalg.norm(lm[wrist] - lm[Landmark.RIGHT_ANKLE])
                    for wrist in (Landmark.LEFT_WRIST, Landmark.RIGHT_WRIST)
                ]
            )
        )
        if best is None or gap < best[0]:
            best = (gap, candidate)
    return params if best is None else best[1]


def truth_pose(shot: Render) -> PoseFrame:
    """The render's true landmarks as a pose: image pixels, camera-axis metres (hips at the
    origin, like MediaPipe's world landmarks) and every landmark visible."""
    height, width = shot.image.shape[:2]
    return PoseFrame(
        shot.image_xy, shot.camera_xyz, np.ones(len(shot.image_xy)), 0.0, (width, height)
    )
