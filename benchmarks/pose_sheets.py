"""Contact sheets of the synthetic practitioner's key poses, with what the pose model read.

    python benchmarks/pose_sheets.py --pose vrksasana --out out/sheets [--faults]

For each key pose of a pose library file (``aligncheck/synth/library/<pose>.yaml``; correct
poses, and with ``--faults`` every fault at its clear strength), one PNG: the reference body
rendered from the side, a diagonal, the front and the back, each with MediaPipe's skeleton drawn
on it (grey where it is below the visibility threshold). Below each view: whether the skeleton
is plausible (:mod:`aligncheck.plausibility`) and the camera view aligncheck recognised. This is
for looking at the poses as a teacher would; nothing is judged.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from aligncheck.core import Frame
from aligncheck.draw.skeleton import draw_skeleton
from aligncheck.estimate import PoseEstimator
from aligncheck.plausibility import assess
from aligncheck.rules.measures import camera_view
from aligncheck.synth.cases import load_cases
from aligncheck.synth.poses import load_poses
from aligncheck.synth.render import render

#: Azimuths shown (degrees, positive from the person's left), with their labels.
VIEWS = ((90.0, "side (left)"), (45.0, "diagonal (left)"), (0.0, "front"), (-135.0, "back"))


def sheet(name: str, estimator: PoseEstimator, library: object, size: int = 420) -> np.ndarray:
    """One row of views of the key pose ``name``, each with the model's skeleton and a note."""
    tiles = []
    for azimuth, label in VIEWS:
        shot = render(library.pose(name), view=azimuth, elevation=8.0, width=640, height=480)
        pose = estimator.estimate(Frame(shot.image, 0, 0.0))
        tile = draw_skeleton(shot.image, pose)
        if pose.detected:
            judged = assess(pose)
            note = f"{label}: {camera_view(pose).name or '?'}, " + (
                "plausible" if judged.reliable else judged.check
            )
        else:
            note = f"{label}: nobody found"
        tile = cv2.resize(tile, (size, size * 480 // 640))
        cv2.rectangle(tile, (0, 0), (size, 22), (0, 0, 0), -1)
        cv2.putText(tile, note, (4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1)
        tiles.append(tile)
    row = np.hstack(tiles)
    title = np.zeros((26, row.shape[1], 3), np.uint8)
    cv2.putText(title, name, (6, 19), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 1)
    return np.vstack([title, row])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pose", required=True, help="a pose id of the pose library")
    parser.add_argument("--out", type=Path, required=True, help="folder for the PNGs")
    parser.add_argument("--faults", action="store_true", help="also every fault (clear)")
    args = parser.parse_args()
    cases = load_cases(args.pose)
    library = load_poses()
    names = [c.pose for c in cases.cases if c.correct or args.faults]
    args.out.mkdir(parents=True, exist_ok=True)
    with PoseEstimator(mode="image") as estimator:
        for name in names:
            path = args.out / f"{name}.png"
            cv2.imwrite(str(path), sheet(name, estimator, library))
            print(path)


if __name__ == "__main__":
    main()
