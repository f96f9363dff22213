"""Pose recognition (``--pose auto``) on renders of the synthetic practitioner.

    python benchmarks/recognition_synth.py [--rules-dir DIR] [--seeds N]

Renders key poses of ``aligncheck/synth/poses.yaml`` (Janu Sirsasana's phases and faults,
other yoga poses) and bodies at rest that must be no known pose (standing, sitting with
straight legs, lying on the back and on the front), each from five camera azimuths (0, +-45,
+-80 degrees) and ``--seeds`` varied people, rooms and joint angles, runs the bundled model
once (cached in ``~/.cache/aligncheck/recognition_synth``) and prints, per pose, what it was
recognised as; for Janu Sirsasana also by the side the camera looks from.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pickle
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

from aligncheck.core import Frame, PoseFrame
from aligncheck.recognise import recognise
from aligncheck.rules.registry import recognisable_poses

#: Poses rendered; "supine" and "prone" are the standing pose tipped onto the floor.
POSES = (
    "standing",
    "seated_straight_legs",
    "supine",
    "prone",
    "janu_right_upright",
    "janu_right_twist",
    "janu_right_folded",
    "janu_right_folded_rounded",
    "janu_right_folded_stiff",
    "janu_left_folded",
    "janu_right_knee_floating",
    "tree_right",
    "down_dog",
    "standing_fold",
    "warrior2_right",
    "half_moon_right",
)
AZIMUTHS = (80.0, -80.0, 45.0, -45.0, 0.0)
#: Bodies at rest: any pose claimed for them is a false alarm.
AT_REST = ("standing", "seated_straight_legs", "supine", "prone")


def _params(name: str):
    from aligncheck.synth.poses import load_poses

    library = load_poses()
    if name == "supine":
        return replace(library.pose("standing"), pelvis_tilt=-90)
    if name == "prone":
        return replace(library.pose("standing"), pelvis_tilt=90)
    return library.pose(name)


def cache_file(seeds: int) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    key = hashlib.sha256(repr((POSES, AZIMUTHS, seeds, "v1")).encode()).hexdigest()[:16]
    return Path(base) / "aligncheck" / "recognition_synth" / f"{key}.pkl"


def estimate(seeds: int) -> dict[tuple[str, float, int], PoseFrame]:
    """The pose the model finds in every render (cached)."""
    path = cache_file(seeds)
    if path.exists():
        return pickle.loads(path.read_bytes())
    from aligncheck.estimate import PoseEstimator
    from aligncheck.synth import population as pop
    from aligncheck.synth.variation import vary_pose

    found = {}
    with PoseEstimator(mode="image") as estimator:
        for name in POSES:
            for azimuth in AZIMUTHS:
                for seed in range(seeds):
                    rng = np.random.default_rng([seed, int(azimuth) + 200, 7])
                    params = vary_pose(_params(name), rng)
                    scene = pop.sample_scene(7_000_000 + 1000 * seed + int(azimuth) + 100, azimuth)
                    render = pop.render_scene(params, scene)
                    found[(name, azimuth, seed)] = estimator.estimate(Frame(render.image, 0, 0.0))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(found))
    return found


def _janu_side(name: str, azimuth: float) -> str:
    if azimuth == 0:
        return "front"
    folded = azimuth > 0 if "right" in name else azimuth < 0
    return "folded leg's side" if folded else "straight leg's side"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules-dir", type=Path, default=None, help="your own rule files")
    parser.add_argument("--seeds", type=int, default=2, help="people per pose and view")
    parser.add_argument("--write", type=Path, default=None, help="also write it here (.md)")
    args = parser.parse_args(argv)
    library = recognisable_poses(args.rules_dir)
    seen = estimate(args.seeds)
    by_pose: dict[str, Counter] = {}
    janu: dict[str, Counter] = {}
    for (name, azimuth, _), pose in seen.items():
        label = recognise(library, pose).label if pose.detected else "nobody found"
        by_pose.setdefault(name, Counter())[label] += 1
        if name.startswith("janu"):
            janu.setdefault(_janu_side(name, azimuth), Counter())[label] += 1
    lines = [f"Recognised among: {', '.join(r.pose.id for r in library)}", ""]
    for name in POSES:
        counts = ", ".join(f"{k} {v}" for k, v in by_pose[name].most_common())
        lines.append(f"{name:28s} {counts}")
    lines += ["", "Janu Sirsasana renders by where the camera is:"]
    for side, counts in sorted(janu.items()):
        lines.append(f"  {side:22s} " + ", ".join(f"{k} {v}" for k, v in counts.most_common()))
    claimed = sum(
        v
        for n in AT_REST
        for k, v in by_pose[n].items()
        if k not in ("no known pose", "nobody found")
    )
    rest = sum(sum(by_pose[n].values()) for n in AT_REST)
    lines += ["", f"A pose claimed for a body at rest: {claimed} of {rest} renders."]
    text = "\n".join(lines)
    print(text)
    if args.write is not None:
        args.write.write_text(
            "# Pose recognition on renders\n\n"
            f"`python benchmarks/recognition_synth.py --write {args.write}`: renders of the "
            f"synthetic practitioner ({args.seeds} people per pose and camera azimuth, other "
            "seeds than the Janu Sirsasana block was written on), recognised with "
            "`--pose auto`; "
            "real photos: [recognition.md](recognition.md).\n\n```text\n" + text + "\n```\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
