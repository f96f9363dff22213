"""Render evaluation items, run the pose model once, and keep what it saw in a cache.

Rendering and pose estimation are the slow part of an evaluation; judging is fast. So each
item's estimated :class:`~aligncheck.core.PoseFrame` is stored (with the true landmarks of the
render) in a cache folder, one compressed ``.npz`` per chunk of items, and any rule set can be
judged on the cached poses in seconds: that is what makes tuning on one split and reporting on
another practical.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, fields, replace
from pathlib import Path

import numpy as np

from aligncheck.core import Frame, PoseFrame
from aligncheck.landmarks import NUM_LANDMARKS
from aligncheck.synth.evalset import Item
from aligncheck.synth.params import PoseParams
from aligncheck.synth.poses import PoseLibrary, load_poses

#: Bump when what the cache holds, or how items are rendered, changes.
CACHE_VERSION = 3


@dataclass(frozen=True, eq=False)
class Seen:
    """What the model saw on one item, and the truth of the render."""

    item: Item
    pose: PoseFrame
    truth: PoseFrame


def default_cache() -> Path:
    """``$XDG_CACHE_HOME/aligncheck/eval`` (``~/.cache/aligncheck/eval``)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "aligncheck" / "eval"


def item_params(item: Item, library: object | None = None) -> PoseParams:
    """The joint angles of an item: its pose on its side, a mild fault part of the way from
    the correct base, joints varied naturally (less on the joints the fault changes and the
    case's ``steady`` ones), and the
    head anywhere the text allows in that phase (not for a head fault: Janu Sirsasana's
    ``head_released`` or a case whose ``head`` is ``fixed``). The mild strength is
    the case's own, else :func:`~aligncheck.synth.variation.mild_strength`."""
    from aligncheck.synth import population as pop
    from aligncheck.synth.params import mirror_params

    library = library or load_poses()
    params = library.pose(item.case.pose)
    protect: tuple[str, ...] = ()
    if item.case.base:
        base = library.pose(item.case.base)
        a, b = base.as_dict(), params.as_dict()
        protect = tuple(name for name in a if abs(a[name] - b[name]) > 1e-9)
        if item.strength == "mild":
            mild = item.case.mild or pop.mild_strength(item.case.pose)
            params = pop.fault_strength(base, params, mild)
    protect += item.case.steady
    rng = np.random.default_rng([item.seed, 3])
    if item.case.head != "fixed" and "head_released" not in item.case.faults:
        params = pop.head_variant(params, item.case.head or item.case.phase, rng)
    params = pop.vary_pose(params, rng, protect=protect)
    return mirror_params(params) if item.mirrored else params


def render_item(item: Item, library: object | None = None) -> object:
    """The :class:`~aligncheck.synth.render.Render` of an item."""
    from aligncheck.synth import population as pop

    scene = pop.sample_scene(item.seed, item.azimuth())
    scene = replace(scene, shot=replace(scene.shot, camera_height=item.camera_height()))
    return pop.render_scene(item_params(item, library), scene)


def truth_pose(render: object) -> PoseFrame:
    """The render's true landmarks as a PoseFrame (every landmark fully visible)."""
    width, height = render.image.shape[1], render.image.shape[0]
    return PoseFrame(
        render.image_xy, render.camera_xyz, np.ones(NUM_LANDMARKS), 0.0, (width, height)
    )


def _angles_tag(item: Item, library: PoseLibrary) -> str:
    """The joint angles of an item's case (pose and base) and how it is varied, as part of a
    cache key."""
    case = item.case
    names = [case.pose, *([case.base] if case.base else [])]
    how = [case.mild, case.head, list(case.steady)] if case.mild or case.head or case.steady else []
    return json.dumps([sorted(library.pose(n).as_dict().items()) for n in names] + how)


def _chunk_key(items: list[Item], model: str) -> str:
    text = json.dumps([CACHE_VERSION, model, [i.key for i in items]])
    return hashlib.sha256(text.encode()).hexdigest()[:20]


_POSE_FIELDS = ("image_xy", "world_xyz", "visibility")


def _pack(seen: list[Seen]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for name in _POSE_FIELDS:
        out[name] = np.stack([getattr(s.pose, name) for s in seen])
        out["truth_" + name] = np.stack([getattr(s.truth, name) for s in seen])
    out["people"] = np.array([s.pose.people for s in seen])
    out["size"] = np.array([s.pose.image_size for s in seen])
    for name, like in _extra_fields(seen).items():
        missing = np.full(like.shape, np.nan)
        values = [getattr(s.pose, name) for s in seen]
        out["extra_" + name] = np.stack(
            [missing if v is None else np.asarray(v, float) for v in values]
        )
    return out


def _extra_fields(seen: list[Seen]) -> dict[str, np.ndarray]:
    """Optional array fields of PoseFrame beyond the landmarks (e.g. the back's profile) that
    any pose of ``seen`` carries, each with one example value; poses without it (nobody found)
    are stored as NaN."""
    names: dict[str, np.ndarray] = {}
    for f in fields(PoseFrame):
        if f.name in _POSE_FIELDS:
            continue
        for s in seen:
            value = getattr(s.pose, f.name)
            if isinstance(value, np.ndarray):
                names[f.name] = value
                break
    return names


def _unpack(data: dict[str, np.ndarray], items: list[Item]) -> list[Seen]:
    out = []
    for i, item in enumerate(items):
        size = (int(data["size"][i][0]), int(data["size"][i][1]))
        extra = {k[len("extra_") :]: data[k][i] for k in data if k.startswith("extra_")}
        pose = PoseFrame(
            data["image_xy"][i],
            data["world_xyz"][i],
            data["visibility"][i],
            0.0,
            size,
            people=int(data["people"][i]),
            **extra,
        )
        truth = PoseFrame(
            data["truth_image_xy"][i],
            data["truth_world_xyz"][i],
            data["truth_visibility"][i],
            0.0,
            size,
        )
        out.append(Seen(item, pose, truth))
    return out


def _estimate_chunk(args: tuple[list[Item], str | None, dict]) -> dict[str, np.ndarray]:
    items, model, options = args
    from aligncheck.estimate import PoseEstimator

    library = load_poses()
    seen = []
    with PoseEstimator(model, mode="image", max_people=1, **options) as estimator:
        for item in items:
            render = render_item(item, library)
            pose = estimator.estimate(Frame(render.image, 0, 0.0))
            seen.append(Seen(item, pose, truth_pose(render)))
    return _pack(seen)


def estimate_items(
    items: Iterable[Item],
    cache: Path | None = None,
    jobs: int = 1,
    model: str | None = None,
    chunk: int = 80,
    estimator_options: dict | None = None,
    progress: object | None = None,
) -> Iterator[Seen]:
    """What the model saw on every item, from the cache or by rendering and estimating.

    Items are cached in chunks of one pose case and replicate, so adding cases or replicates
    leaves the chunks already made valid; a chunk's key holds its key poses' joint angles, so
    editing a pose renders its items again."""
    cache = cache or default_cache()
    cache.mkdir(parents=True, exist_ok=True)
    options = estimator_options or {}
    groups: dict[tuple[str, int], list[Item]] = {}
    for item in items:
        groups.setdefault((item.case.pose, item.replicate), []).append(item)
    chunks = [g[i : i + chunk] for g in groups.values() for i in range(0, len(g), chunk)]
    tag = f"{model or 'bundled'}|{sorted(options.items())}"
    library = load_poses()
    paths = [cache / f"{_chunk_key(c, tag + _angles_tag(c[0], library))}.npz" for c in chunks]
    todo = [(c, p) for c, p in zip(chunks, paths, strict=True) if not p.exists()]
    if todo:
        with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
            work = [(c, model, options) for c, _ in todo]
            for (c, path), data in zip(todo, pool.map(_estimate_chunk, work), strict=True):
                tmp = path.with_suffix(".tmp.npz")
                np.savez_compressed(tmp, **data)
                tmp.replace(path)
                if progress is not None:
                    progress(len(c))
    for c, path in zip(chunks, paths, strict=True):
        with np.load(path) as data:
            yield from _unpack(dict(data), c)
