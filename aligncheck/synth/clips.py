"""Short synthetic clips for tests and benchmarks: a pose sequence rendered and encoded.

:func:`sequence_clip` renders a sequence of named key poses (see :mod:`aligncheck.synth.poses`)
from one fixed camera and writes an H.264 MP4; ``second_person`` adds another practitioner
beside the first (for "two people in view"), and ``empty`` renders the room only.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from aligncheck.synth.body import pose_body
from aligncheck.synth.camera import view_camera
from aligncheck.synth.poses import PoseLibrary, Step, load_poses, pose_at, sequence_duration
from aligncheck.synth.render import framing_points, render_skeleton


def sequence_images(
    steps: tuple[Step, ...],
    library: PoseLibrary,
    fps: float,
    size: tuple[int, int] = (640, 360),
    azimuth: float = 70.0,
    elevation: float = 12.0,
) -> Iterator[np.ndarray]:
    """BGR frames of the sequence seen by one camera framing every pose."""
    points = np.concatenate([framing_points(pose_body(library.pose(s.pose))) for s in steps])
    camera = view_camera(points, azimuth, 0.0, elevation, 0.8, size[0], size[1])
    for index in range(round(sequence_duration(steps) * fps)):
        params = pose_at(steps, library.poses, index / fps)
        yield render_skeleton(pose_body(params), camera).image


def write_mp4(path: Path, images: Iterable[np.ndarray], fps: float) -> Path:
    """Encode BGR frames as H.264 (yuv420p) at ``fps``."""
    images = iter(images)
    first = next(images)
    height, width = first.shape[0] & ~1, first.shape[1] & ~1
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "26", "preset": "veryfast"}
        for image in itertools.chain([first], images):
            crop = np.ascontiguousarray(image[:height, :width])
            container.mux(stream.encode(av.VideoFrame.from_ndarray(crop, format="bgr24")))
        container.mux(stream.encode(None))
    return path


def sequence_clip(
    path: Path,
    steps: list[tuple[str, float, float]],
    fps: float = 10.0,
    size: tuple[int, int] = (640, 360),
    azimuth: float = 70.0,
    elevation: float = 12.0,
    second_person: str | None = None,
    empty: bool = False,
) -> Path:
    """Write a clip of ``steps`` given as (pose, transition s, hold s) to ``path``.

    ``second_person``: a pose held by a smaller practitioner added to the right of the frame;
    ``empty``: the same camera, nobody in the room.
    """
    library = load_poses()
    sequence = tuple(Step(pose, hold, transition) for pose, transition, hold in steps)
    images = sequence_images(sequence, library, fps, size, azimuth, elevation)
    if empty:
        images = (_room_only(image) for image in images)
    if second_person is not None:
        other = next(sequence_images((Step(second_person, 1.0, 0.0),), library, 1.0, size, -60.0))
        images = (_side_by_side(image, other) for image in images)
    return write_mp4(path, images, fps)


def _room_only(image: np.ndarray) -> np.ndarray:
    # the wall colour of the top-left corner, with the floor's bottom-left colour below
    room = np.empty_like(image)
    half = image.shape[0] // 2
    room[:half] = image[2, 2]
    room[half:] = image[-3, 2]
    return room


def _side_by_side(image: np.ndarray, other: np.ndarray) -> np.ndarray:
    """The practitioner at 60% size on the left, a smaller second person on the right."""
    height, width = image.shape[:2]
    out = _room_only(image)
    main = cv2.resize(image, (round(width * 0.6), round(height * 0.6)))
    side = cv2.resize(other, (round(width * 0.5), round(height * 0.5)))
    out[height - main.shape[0] :, : main.shape[1]] = main
    out[height - side.shape[0] :, width - side.shape[1] :] = side
    return out
