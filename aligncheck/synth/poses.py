"""Named key poses and pose sequences of the synthetic practitioner, loaded from YAML data.

The bundled file ``poses.yaml`` (next to this module) holds the Janu Sirsasana poses and a few
others; each pose of the pose library has its own file, ``library/<pose id>.yaml``, in the same
format, plus the pose's evaluation cases (read by :mod:`aligncheck.synth.cases`).
:func:`load_poses` parses and validates them into one :class:`PoseLibrary`. A sequence is a
tuple of :class:`Step` values (move to a pose over ``transition`` seconds, then hold it for
``hold`` seconds); :func:`pose_at` evaluates it at any time with eased interpolation, so clips
are reproducible.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from aligncheck.errors import AligncheckError
from aligncheck.synth.params import PARAM_NAMES, Easing, PoseParams, interpolate, mirror_params

#: The pose file bundled with aligncheck.
DEFAULT_POSES_FILE = Path(__file__).with_name("poses.yaml")
#: One file per pose of the pose library, loaded with the bundled file.
LIBRARY_DIR = Path(__file__).with_name("library")
SCHEMA_VERSION = 1


class PoseFileError(AligncheckError):
    """A pose file is missing, malformed or names an unknown pose or angle."""


@dataclass(frozen=True)
class Step:
    """One step of a sequence: move to ``pose`` over ``transition`` s, then hold ``hold`` s."""

    pose: str
    hold: float
    transition: float = 0.0

    def __post_init__(self) -> None:
        for name in ("hold", "transition"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ValueError(f"Step.{name} must be a number of seconds >= 0, got {value!r}")


@dataclass(frozen=True)
class PoseLibrary:
    """Poses by name, their descriptions, and sequences by name."""

    poses: Mapping[str, PoseParams]
    descriptions: Mapping[str, str]
    sequences: Mapping[str, tuple[Step, ...]]

    def pose(self, name: str) -> PoseParams:
        """The pose called ``name``; ``KeyError`` suggests the nearest name."""
        if name not in self.poses:
            raise KeyError(_unknown("pose", name, self.poses))
        return self.poses[name]

    def sequence(self, name: str) -> tuple[Step, ...]:
        """The sequence called ``name``; ``KeyError`` suggests the nearest name."""
        if name not in self.sequences:
            raise KeyError(_unknown("sequence", name, self.sequences))
        return self.sequences[name]


def _unknown(kind: str, name: str, known: Mapping[str, Any] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown {kind} {name!r}{hint}"


def _angles(source: str, name: str, entry: Mapping[str, Any]) -> dict[str, float]:
    angles = entry.get("angles", {}) or {}
    if not isinstance(angles, dict):
        raise PoseFileError(f"{source}: pose {name!r}: 'angles' must be a mapping of name: degrees")
    for key, value in angles.items():
        if key not in PARAM_NAMES:
            raise PoseFileError(
                f"{source}: pose {name!r}: {_unknown('angle', str(key), PARAM_NAMES)}"
            )
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise PoseFileError(f"{source}: pose {name!r}: {key} must be a number, got {value!r}")
    return {str(k): float(v) for k, v in angles.items()}


def _resolve(source: str, raw: Mapping[str, Any]) -> dict[str, PoseParams]:
    resolved: dict[str, PoseParams] = {}

    def get(name: str, chain: tuple[str, ...]) -> PoseParams:
        if name in resolved:
            return resolved[name]
        if name not in raw:
            raise PoseFileError(
                f"{source}: pose {chain[-1]!r} refers to {_unknown('pose', name, raw)}"
            )
        if name in chain:
            raise PoseFileError(
                f"{source}: poses refer to each other in a loop: {' -> '.join((*chain, name))}"
            )
        entry = raw[name] or {}
        if not isinstance(entry, dict):
            raise PoseFileError(f"{source}: pose {name!r} must be a mapping")
        unknown = set(entry) - {"description", "base", "mirror", "angles"}
        if unknown:
            raise PoseFileError(
                f"{source}: pose {name!r}: unknown keys {sorted(unknown)}; "
                "use description, base, mirror, angles"
            )
        if "mirror" in entry:
            pose = mirror_params(get(str(entry["mirror"]), (*chain, name)))
        else:
            pose = get(str(entry["base"]), (*chain, name)) if "base" in entry else PoseParams()
        pose = pose.with_(**_angles(source, name, entry))
        resolved[name] = pose
        return pose

    for name in raw:
        get(str(name), ())
    return resolved


def _steps(source: str, name: str, raw: Any, poses: Mapping[str, PoseParams]) -> tuple[Step, ...]:
    if not isinstance(raw, list) or not raw:
        raise PoseFileError(f"{source}: sequence {name!r} must be a non-empty list of steps")
    steps = []
    for i, item in enumerate(raw):
        where = f"{source}: sequence {name!r} step {i + 1}"
        if not isinstance(item, dict) or "pose" not in item or "hold" not in item:
            raise PoseFileError(
                f"{where}: expected {{pose: NAME, hold: SECONDS, transition: SECONDS}}"
            )
        if item["pose"] not in poses:
            raise PoseFileError(f"{where}: {_unknown('pose', str(item['pose']), poses)}")
        try:
            steps.append(Step(str(item["pose"]), item["hold"], item.get("transition", 0.0)))
        except ValueError as exc:
            raise PoseFileError(f"{where}: {exc}") from exc
    return tuple(steps)


def read_pose_file(path: Path) -> dict[str, Any]:
    """A pose file parsed, with its version checked."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PoseFileError(f"cannot read pose file {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise PoseFileError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or data.get("version") != SCHEMA_VERSION:
        raise PoseFileError(
            f"{path}: expected a mapping with 'version: {SCHEMA_VERSION}' and 'poses'"
        )
    return data


def library_files() -> tuple[Path, ...]:
    """The per-pose files of the bundled pose library, by name."""
    return tuple(sorted(LIBRARY_DIR.glob("*.yaml"))) if LIBRARY_DIR.is_dir() else ()


def load_poses(path: Path | str | None = None) -> PoseLibrary:
    """Parse and validate a pose file; by default the bundled ``poses.yaml`` together with every
    file of the pose library (``library/*.yaml``), whose poses may start from each other's.
    A pose name defined twice is an error naming both files."""
    paths = [Path(path)] if path is not None else [DEFAULT_POSES_FILE, *library_files()]
    source = str(paths[0]) if len(paths) == 1 else f"{paths[0].parent}/{{poses.yaml,library/}}"
    raw: dict[str, Any] = {}
    where: dict[str, Path] = {}
    sequences_raw: dict[str, Any] = {}
    for file in paths:
        data = read_pose_file(file)
        poses = data.get("poses")
        if file == paths[0] and (not isinstance(poses, dict) or not poses):
            raise PoseFileError(f"{file}: 'poses' must be a non-empty mapping of name: pose")
        poses = poses or {}  # a library file may hold only evaluation cases
        if not isinstance(poses, dict):
            raise PoseFileError(f"{file}: 'poses' must be a mapping of name: pose")
        for name, entry in poses.items():
            if name in raw:
                raise PoseFileError(f"{file}: pose {name!r} is already defined in {where[name]}")
            raw[name], where[name] = entry, file
        sequences_raw.update(data.get("sequences") or {})
    poses = _resolve(source, raw)
    descriptions = {name: str((raw[name] or {}).get("description", "")) for name in raw}
    for name, entry in raw.items():
        if "mirror" in (entry or {}) and not descriptions[name]:
            descriptions[name] = f"Mirror image of {entry['mirror']}."
    sequences = {
        str(name): _steps(source, str(name), steps, poses) for name, steps in sequences_raw.items()
    }
    return PoseLibrary(
        MappingProxyType(poses), MappingProxyType(descriptions), MappingProxyType(sequences)
    )


def sequence_duration(steps: tuple[Step, ...]) -> float:
    """Total length of a sequence in seconds."""
    return sum(step.transition + step.hold for step in steps)


def pose_at(
    steps: tuple[Step, ...],
    poses: Mapping[str, PoseParams],
    t: float,
    easing: Easing = "smoothstep",
) -> PoseParams:
    """The pose at time ``t`` (seconds, clamped to the sequence) of a sequence.

    The first step's transition starts from its own pose (so it is just a hold).
    """
    current = poses[steps[0].pose]
    elapsed = 0.0
    for step in steps:
        target = poses[step.pose]
        if t < elapsed + step.transition:
            return interpolate(current, target, (t - elapsed) / step.transition, easing)
        elapsed += step.transition
        if t < elapsed + step.hold:
            return target
        elapsed += step.hold
        current = target
    return current


def sequence_frames(
    steps: tuple[Step, ...],
    poses: Mapping[str, PoseParams],
    fps: float = 30.0,
    easing: Easing = "smoothstep",
) -> Iterator[tuple[float, PoseParams]]:
    """``(timestamp, pose)`` for every frame of a sequence at ``fps``; timestamp = index / fps."""
    if not fps > 0:
        raise ValueError(f"fps must be positive, got {fps}")
    count = round(sequence_duration(steps) * fps)
    for index in range(count):
        yield index / fps, pose_at(steps, poses, index / fps, easing)
