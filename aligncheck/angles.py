"""The key joint angles that aligncheck reports for any pose, defined once by landmark names.

Each angle is a :class:`KeyAngle`; :func:`key_angles` evaluates them all on a (33, 2) image or
(33, 3) world landmark array. The same definitions give the synthetic practitioner's true angles
and the angles measured on MediaPipe's output, so the two can be compared directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from aligncheck import geometry
from aligncheck.landmarks import Landmark as L

AngleKind = Literal["joint", "between", "from_vertical"]


@dataclass(frozen=True)
class KeyAngle:
    """A named angle built from landmarks.

    ``joint``: inner angle at ``points[1]`` (180 = straight). ``between``: angle between the
    segments points[0]→points[1] and points[2]→points[3]. ``from_vertical``: inclination of the
    segment from the midpoint of points[0:2] to the midpoint of points[2:4], from straight up.
    """

    name: str
    kind: AngleKind
    points: tuple[L, ...]
    label: str

    def evaluate(self, xyz: np.ndarray) -> float:
        """The angle in degrees on landmark array ``xyz`` of shape (33, 2) or (33, 3)."""
        p = [xyz[i] for i in self.points]
        if self.kind == "joint":
            return float(geometry.joint_angle(*p))
        if self.kind == "between":
            return float(geometry.angle_between(*p))
        return float(
            geometry.inclination_from_vertical(
                geometry.midpoint(p[0], p[1]), geometry.midpoint(p[2], p[3])
            )
        )


def _sided(name: str, label: str, left: tuple[L, ...]) -> tuple[KeyAngle, KeyAngle]:
    right = tuple(L[p.name.replace("LEFT", "RIGHT")] for p in left)
    return (
        KeyAngle(f"left_{name}", "joint", left, f"Left {label}"),
        KeyAngle(f"right_{name}", "joint", right, f"Right {label}"),
    )


KEY_ANGLES: tuple[KeyAngle, ...] = (
    *_sided("knee", "knee (hip-knee-ankle)", (L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE)),
    *_sided("hip", "hip (shoulder-hip-knee)", (L.LEFT_SHOULDER, L.LEFT_HIP, L.LEFT_KNEE)),
    *_sided("elbow", "elbow (shoulder-elbow-wrist)", (L.LEFT_SHOULDER, L.LEFT_ELBOW, L.LEFT_WRIST)),
    *_sided(
        "shoulder", "shoulder (hip-shoulder-elbow)", (L.LEFT_HIP, L.LEFT_SHOULDER, L.LEFT_ELBOW)
    ),
    *_sided("ankle", "ankle (knee-ankle-toes)", (L.LEFT_KNEE, L.LEFT_ANKLE, L.LEFT_FOOT_INDEX)),
    KeyAngle(
        "thighs",
        "between",
        (L.LEFT_HIP, L.LEFT_KNEE, L.RIGHT_HIP, L.RIGHT_KNEE),
        "Between the thighs",
    ),
    KeyAngle(
        "trunk_from_vertical",
        "from_vertical",
        (L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
        "Trunk from vertical (hips to shoulders)",
    ),
)

KEY_ANGLES_BY_NAME: dict[str, KeyAngle] = {a.name: a for a in KEY_ANGLES}


def key_angles(xyz: np.ndarray) -> dict[str, float]:
    """Every key angle in degrees on a (33, 2) or (33, 3) landmark array; NaN where unmeasurable."""
    xyz = np.asarray(xyz, dtype=float)
    return {angle.name: angle.evaluate(xyz) for angle in KEY_ANGLES}
