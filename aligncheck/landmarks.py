"""The 33 BlazePose landmarks by name, the skeleton drawn between them, and left/right mirroring.

Rules and code refer to landmarks by name (``Landmark.LEFT_KNEE``), never by index; the enum's
value is MediaPipe's index into its 33-point output. "Left" and "right" are the *person's* left
and right, as in MediaPipe, not the image's.
"""

from __future__ import annotations

from enum import IntEnum


class Landmark(IntEnum):
    """MediaPipe pose landmarks; the value is the index in MediaPipe's output."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32

    @classmethod
    def parse(cls, name: str) -> Landmark:
        """Return the landmark called ``name`` (case-insensitive), or raise ``KeyError``."""
        return cls[name.strip().upper()]


NUM_LANDMARKS = len(Landmark)

L = Landmark

#: Bones of the drawn skeleton, as (from, to) pairs. Face points connect eyes to ears and the
#: mouth corners; hands connect wrist to the three finger points; feet form a heel-toe triangle.
SKELETON: tuple[tuple[Landmark, Landmark], ...] = (
    (L.LEFT_EAR, L.LEFT_EYE_OUTER),
    (L.LEFT_EYE_OUTER, L.LEFT_EYE),
    (L.LEFT_EYE, L.LEFT_EYE_INNER),
    (L.LEFT_EYE_INNER, L.NOSE),
    (L.NOSE, L.RIGHT_EYE_INNER),
    (L.RIGHT_EYE_INNER, L.RIGHT_EYE),
    (L.RIGHT_EYE, L.RIGHT_EYE_OUTER),
    (L.RIGHT_EYE_OUTER, L.RIGHT_EAR),
    (L.MOUTH_LEFT, L.MOUTH_RIGHT),
    (L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
    (L.LEFT_SHOULDER, L.LEFT_ELBOW),
    (L.LEFT_ELBOW, L.LEFT_WRIST),
    (L.LEFT_WRIST, L.LEFT_THUMB),
    (L.LEFT_WRIST, L.LEFT_PINKY),
    (L.LEFT_WRIST, L.LEFT_INDEX),
    (L.LEFT_PINKY, L.LEFT_INDEX),
    (L.RIGHT_SHOULDER, L.RIGHT_ELBOW),
    (L.RIGHT_ELBOW, L.RIGHT_WRIST),
    (L.RIGHT_WRIST, L.RIGHT_THUMB),
    (L.RIGHT_WRIST, L.RIGHT_PINKY),
    (L.RIGHT_WRIST, L.RIGHT_INDEX),
    (L.RIGHT_PINKY, L.RIGHT_INDEX),
    (L.LEFT_SHOULDER, L.LEFT_HIP),
    (L.RIGHT_SHOULDER, L.RIGHT_HIP),
    (L.LEFT_HIP, L.RIGHT_HIP),
    (L.LEFT_HIP, L.LEFT_KNEE),
    (L.LEFT_KNEE, L.LEFT_ANKLE),
    (L.LEFT_ANKLE, L.LEFT_HEEL),
    (L.LEFT_HEEL, L.LEFT_FOOT_INDEX),
    (L.LEFT_ANKLE, L.LEFT_FOOT_INDEX),
    (L.RIGHT_HIP, L.RIGHT_KNEE),
    (L.RIGHT_KNEE, L.RIGHT_ANKLE),
    (L.RIGHT_ANKLE, L.RIGHT_HEEL),
    (L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX),
    (L.RIGHT_ANKLE, L.RIGHT_FOOT_INDEX),
)


def _build_mirror() -> dict[Landmark, Landmark]:
    mirror: dict[Landmark, Landmark] = {}
    for lm in Landmark:
        name = lm.name
        if "LEFT" in name:
            mirror[lm] = Landmark[name.replace("LEFT", "RIGHT")]
        elif "RIGHT" in name:
            mirror[lm] = Landmark[name.replace("RIGHT", "LEFT")]
        else:
            mirror[lm] = lm
    return mirror


#: Each landmark's counterpart on the other side of the body (the nose maps to itself).
MIRROR: dict[Landmark, Landmark] = _build_mirror()

#: Permutation that mirrors a (33, ...) landmark array: ``mirrored = array[MIRROR_INDEX]``.
MIRROR_INDEX: tuple[int, ...] = tuple(int(MIRROR[lm]) for lm in Landmark)


def mirror(landmark: Landmark) -> Landmark:
    """Return the same landmark on the other side of the body."""
    return MIRROR[landmark]
