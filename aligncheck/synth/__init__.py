"""The synthetic practitioner: a kinematic body with known joint angles, rendered to pixels.

Used by end-to-end tests and the bundled samples: pose the body with :class:`PoseParams` (or a
named pose from :func:`load_poses`), :func:`render` it through a :class:`Camera`, run the real
pose model on ``Render.image`` and compare with the exact truth the :class:`Render` carries.

:mod:`aligncheck.synth.population` turns the one practitioner into a population: sampled
people, rooms and camera shots, natural pose variation and graded faults, for evaluating rules
on renders they were not tuned on.
"""

from aligncheck.synth.body import BodyShape, Skeleton, pose_body
from aligncheck.synth.camera import VIEWS, Camera, frame_points, view_camera, view_direction
from aligncheck.synth.params import PoseParams, interpolate, mirror_params
from aligncheck.synth.poses import (
    PoseFileError,
    PoseLibrary,
    Step,
    load_poses,
    pose_at,
    sequence_duration,
    sequence_frames,
)
from aligncheck.synth.render import Render, framing_points, render, render_skeleton, true_angles

__all__ = [
    "VIEWS",
    "BodyShape",
    "Camera",
    "PoseFileError",
    "PoseLibrary",
    "PoseParams",
    "Render",
    "Skeleton",
    "Step",
    "frame_points",
    "framing_points",
    "interpolate",
    "load_poses",
    "mirror_params",
    "pose_at",
    "pose_body",
    "render",
    "render_skeleton",
    "sequence_duration",
    "sequence_frames",
    "true_angles",
    "view_camera",
    "view_direction",
]
