"""Write the bundled sample stills and clip of the synthetic practitioner.

Run ``python -m aligncheck.synth.samples [--out samples] [--no-video]``. Output is reproducible:
the same code and library versions write byte-identical files.

* ``<name>.png``: stills (see :data:`STILLS`).
* ``janu_sirsasana_right.mp4``: the ``janu_sirsasana_right`` sequence from ``poses.yaml``,
  H.264 (yuv420p, CRF 28, one encoder thread, ``+faststart``), 960x540 at 30 fps.
* ``janu_sirsasana_right.json``: per-frame ground truth: timestamp, the pose being held or
  approached, and the true key angles in degrees, both 3D (``angles_3d``) and as projected in the
  image (``angles_2d``), rounded to 0.1.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from aligncheck.angles import KEY_ANGLES, key_angles
from aligncheck.synth.body import pose_body
from aligncheck.synth.camera import Camera, view_camera
from aligncheck.synth.poses import PoseLibrary, Step, load_poses, pose_at, sequence_duration
from aligncheck.synth.render import framing_points, render, render_skeleton

log = logging.getLogger(__name__)

CLIP_SEQUENCE = "janu_sirsasana_right"
CLIP_SIZE = (960, 540)
CLIP_FPS = 30
#: Camera azimuth (degrees, see :data:`aligncheck.synth.camera.VIEWS`) and elevation of the clip.
CLIP_VIEW = (70.0, 15.0)
SIDECAR_VERSION = 1


@dataclass(frozen=True)
class Still:
    """One sample still: file stem, pose name, view name or azimuth, elevation in degrees."""

    name: str
    pose: str
    view: str | float
    elevation: float = 10.0


STILLS: tuple[Still, ...] = (
    Still("seated_side", "seated_straight_legs", "right"),
    Still("janu_right_upright_side", "janu_right_upright", "left"),
    Still("janu_right_folded", "janu_right_folded", 70.0, 15.0),
    Still("janu_right_folded_rounded", "janu_right_folded_rounded", 70.0, 15.0),
)


def write_stills(out: Path, library: PoseLibrary) -> list[Path]:
    """Render :data:`STILLS` at 960x720 into ``out``; return the written paths."""
    paths = []
    for still in STILLS:
        result = render(library.pose(still.pose), view=still.view, elevation=still.elevation)
        path = out / f"{still.name}.png"
        cv2.imwrite(str(path), np.ascontiguousarray(result.image), [cv2.IMWRITE_PNG_COMPRESSION, 9])
        paths.append(path)
    return paths


def clip_camera(library: PoseLibrary, steps: tuple[Step, ...]) -> Camera:
    """One fixed camera that frames every pose of the sequence."""
    points = np.concatenate([framing_points(pose_body(library.pose(s.pose))) for s in steps])
    azimuth, elevation = CLIP_VIEW
    width, height = CLIP_SIZE
    return view_camera(points, azimuth, 0.0, elevation, 0.8, width, height)


def step_label(steps: tuple[Step, ...], t: float) -> tuple[str, bool]:
    """(pose name, holding) at time ``t``: the pose held, or the one being moved towards."""
    elapsed = 0.0
    for step in steps:
        if t < elapsed + step.transition:
            return step.pose, False
        elapsed += step.transition + step.hold
        if t < elapsed:
            return step.pose, True
    return steps[-1].pose, True


def _rounded(angles: dict[str, float]) -> list[float | None]:
    return [None if np.isnan(angles[a.name]) else round(angles[a.name], 1) for a in KEY_ANGLES]


def write_clip(out: Path, library: PoseLibrary) -> tuple[Path, Path]:
    """Render and encode the sample clip and its ground-truth sidecar; return both paths."""
    import av  # imported here: only the sample writer needs the encoder

    steps = library.sequence(CLIP_SEQUENCE)
    camera = clip_camera(library, steps)
    video_path = out / f"{CLIP_SEQUENCE}.mp4"
    count = round(sequence_duration(steps) * CLIP_FPS)
    frames = []
    with av.open(str(video_path), "w", options={"movflags": "+faststart"}) as container:
        stream = container.add_stream("libx264", rate=Fraction(CLIP_FPS, 1))
        stream.width, stream.height = camera.width, camera.height
        stream.pix_fmt = "yuv420p"
        stream.codec_context.thread_count = 1
        stream.options = {"crf": "28", "preset": "medium", "threads": "1"}
        for index in range(count):
            t = index / CLIP_FPS
            result = render_skeleton(pose_body(pose_at(steps, library.poses, t)), camera)
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(result.image), format="bgr24")
            container.mux(stream.encode(frame))
            pose, holding = step_label(steps, t)
            frames.append(
                [
                    round(t, 4),
                    pose,
                    holding,
                    _rounded(dict(result.angles)),
                    _rounded(key_angles(result.image_xy)),
                ]
            )
        container.mux(stream.encode(None))
    sidecar = {
        "version": SIDECAR_VERSION,
        "video": video_path.name,
        "fps": CLIP_FPS,
        "size": [camera.width, camera.height],
        "sequence": [{"pose": s.pose, "transition": s.transition, "hold": s.hold} for s in steps],
        "angle_names": [a.name for a in KEY_ANGLES],
        "columns": ["timestamp", "pose", "holding", "angles_3d", "angles_2d"],
        "frames": frames,
    }
    json_path = out / f"{CLIP_SEQUENCE}.json"
    json_path.write_text(json.dumps(sidecar, separators=(",", ":")) + "\n", encoding="utf-8")
    return video_path, json_path


def write_samples(out: Path | str = "samples", video: bool = True) -> list[Path]:
    """Write all samples into ``out`` (created if missing); return the written paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    library = load_poses()
    paths = write_stills(out, library)
    if video:
        paths.extend(write_clip(out, library))
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description="Write the synthetic practitioner samples.")
    parser.add_argument("--out", default="samples", help="output folder (default: samples)")
    parser.add_argument("--no-video", action="store_true", help="write only the stills")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for path in write_samples(args.out, video=not args.no_video):
        log.info("wrote %s (%d KB)", path, path.stat().st_size // 1024)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
