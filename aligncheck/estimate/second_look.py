"""A second look at a photo in which the pose model found nobody.

MediaPipe's person detector sometimes misses a person who is plainly there, in particular in
poses low to the floor (a seated forward fold) whose outline is unlike a standing body. The
same picture at half its size, or mirrored, is often found: on the Janu Sirsasana population
renders (`benchmarks/accuracy.py`, tune split) 217 of 394 renders with nobody found were
found this way (120 at half size, 97 mirrored), which raised the rules judged in side and
diagonal views by 1-5 points and left the false alarms where they were.

Only photos get a second look: in a video the tracker carries a person across frames, and
each look costs one more inference. Each look is a :class:`Look`: the picture to show the
model and how to bring what it found back to the original picture.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import cv2
import numpy as np

from aligncheck.core import Frame, PoseFrame
from aligncheck.landmarks import MIRROR_INDEX

#: Below this many pixels on its long side a picture is not looked at again at half size: the
#: person would come out too small for the model (the renders are 960 x 720).
MIN_HALVED = 720

_MIRROR = np.array(MIRROR_INDEX)


@dataclass(frozen=True)
class Look:
    """One more look: ``frame`` is what the model is shown; ``scale`` (x, y) and ``mirrored``
    say how it was made from the original."""

    frame: Frame
    scale: tuple[float, float] = (1.0, 1.0)
    mirrored: bool = False

    def undo(self, pose: PoseFrame, original: Frame) -> PoseFrame:
        """``pose``, found in :attr:`frame`, in the original picture's pixels and body sides.

        The back's profile is measured in lengths of the body's own chord, so it holds at any
        scale and in the mirror."""
        if not pose.detected:
            return PoseFrame.empty(original.timestamp, original.size, original.index)
        width, _ = original.size
        image_xy = pose.image_xy / np.array(self.scale)
        world_xyz, visibility = pose.world_xyz, pose.visibility
        if self.mirrored:
            # The mirror image's left side is the person's right side.
            image_xy = image_xy[_MIRROR] * np.array([-1.0, 1.0]) + np.array([width, 0.0])
            world_xyz = world_xyz[_MIRROR] * np.array([-1.0, 1.0, 1.0])
            visibility = visibility[_MIRROR]
        return replace(
            pose,
            image_xy=image_xy,
            world_xyz=world_xyz,
            visibility=visibility,
            image_size=original.size,
        )


def looks(frame: Frame) -> Iterator[Look]:
    """The looks to try, in order: the picture at half size (when it is large enough), then
    mirrored."""
    height, width = frame.image.shape[:2]
    if max(width, height) >= MIN_HALVED:
        size = (width // 2, height // 2)
        half = cv2.resize(frame.image, size, interpolation=cv2.INTER_AREA)
        yield Look(replace(frame, image=half), scale=(size[0] / width, size[1] / height))
    mirrored = np.ascontiguousarray(frame.image[:, ::-1])
    yield Look(replace(frame, image=mirrored), mirrored=True)
