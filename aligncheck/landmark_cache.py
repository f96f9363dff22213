"""Landmarks of still photos cached on disk, so that studies and tests over many photos run the
pose model once per photo.

Each photo's :class:`PoseFrame` is kept as one ``.npz`` file named after the SHA-256 of the
photo's bytes and of the model file (a changed photo or another model is estimated afresh),
under ``~/.cache/aligncheck/landmarks/`` unless another folder is given. Nothing is written
unless :func:`estimate_cached` is called.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from aligncheck.core import Frame, PoseFrame
from aligncheck.estimate import PoseEstimator
from aligncheck.estimate.model import check_model
from aligncheck.sources import read_image

DEFAULT_CACHE = Path("~/.cache/aligncheck/landmarks")


def file_sha256(path: Path | str) -> str:
    """The SHA-256 of a file's bytes, as hex."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _save(path: Path, pose: PoseFrame) -> None:
    profile = pose.back_profile if pose.back_profile is not None else np.zeros(0)
    partial = path.with_suffix(".tmp.npz")
    np.savez(
        partial,
        image_xy=pose.image_xy,
        world_xyz=pose.world_xyz,
        visibility=pose.visibility,
        image_size=np.array(pose.image_size),
        people=np.array(pose.people),
        back_profile=profile,
    )
    partial.replace(path)  # a cache entry is whole or absent


def _load(path: Path) -> PoseFrame:
    with np.load(path) as data:
        width, height = (int(v) for v in data["image_size"])
        profile = data["back_profile"] if "back_profile" in data.files else np.zeros(0)
        return PoseFrame(
            data["image_xy"],
            data["world_xyz"],
            data["visibility"],
            0.0,
            (width, height),
            people=int(data["people"]),
            back_profile=profile if profile.size >= 3 else None,
        )


def estimate_cached(
    paths: Sequence[Path | str],
    cache_dir: Path | str = DEFAULT_CACHE,
    model: Path | str | None = None,
    silhouette: bool = False,
) -> dict[Path, PoseFrame]:
    """The pose found in each photo (``PoseFrame.empty`` when nobody was found), estimated
    with the bundled model in IMAGE mode, or read back from ``cache_dir``. The model is loaded
    only when some photo is not cached yet. ``silhouette``: also the back's profile from the
    person's outline (for rules that read it), cached apart."""
    folder = Path(cache_dir).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    tag = check_model(model).sha256[:16] + ("_silhouette" if silhouette else "")
    found: dict[Path, PoseFrame] = {}
    missing: list[tuple[Path, Path]] = []
    for raw in paths:
        path = Path(raw)
        entry = folder / f"{file_sha256(path)}_{tag}.npz"
        if entry.is_file():
            found[path] = _load(entry)
        else:
            missing.append((path, entry))
    if missing:
        with PoseEstimator(model, mode="image", silhouette=silhouette) as estimator:
            for index, (path, entry) in enumerate(missing):
                pose = estimator.estimate(Frame(read_image(path), index, 0.0, str(path)))
                _save(entry, pose)
                found[path] = _load(entry)
    return {Path(p): found[Path(p)] for p in paths}
