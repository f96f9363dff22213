"""Evaluation cases of each pose, read from the ``evaluation:`` section of its pose library file.

``aligncheck/synth/library/<pose id>.yaml`` holds a pose's key poses (read by
:func:`aligncheck.synth.poses.load_poses`) and how its rules are evaluated on them::

    evaluation:
      roles: {left: lifted, right: standing}   # roles of the left and right limbs as written
      views: [side/standing, side/lifted, diagonal/standing, diagonal/lifted, front, back]
      floor: [right_leg]                       # parts resting on the floor in every key pose
      steady: [right_hip_flexion, right_hip_abduction]  # joints that vary only a little
      head: upright                            # head positions of variation.head_variant
      cases:
        - {pose: vrksasana_right, phase: tree}
        - {pose: vrksasana_right_knee_out, phase: tree, faults: [knee_out], also: [...]}

A case is a correct pose (no ``faults``) or a fault pose with the rule ids it breaks; ``also``
lists rules the same body genuinely breaks too (neither counted as detections nor as false
alarms), ``base`` the correct pose a fault departs from (default: the first correct case),
``mild`` its mild strength (default :data:`~aligncheck.synth.variation.MILD`), ``sided: false``
a case with no side to recognise, ``head`` a case's own head positions. ``floor`` names the parts
(of :func:`~aligncheck.synth.variation.part_lows`) that rest on the floor in the pose as
written, so that a test can check that a standing pose stands on its feet; ``steady`` the
joints (:class:`~aligncheck.synth.params.PoseParams` fields, as written) that vary only as
little as the joints under test, such as a standing leg's hip, so that a body balancing on one
foot does not lean over it. ``roles`` is omitted
for a pose that is the same on both sides; views are those of
:data:`~aligncheck.synth.evalset.VIEW_AZIMUTHS`, with ``/<role>`` for a one-sided pose.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aligncheck.synth.evalset import HEIGHT_BUCKETS, Item, PoseCase, items, view_range
from aligncheck.synth.params import PARAM_NAMES
from aligncheck.synth.poses import LIBRARY_DIR, PoseFileError, read_pose_file

_CASE_KEYS = {"pose", "phase", "faults", "also", "base", "mild", "sided", "head"}
_KEYS = {"rules", "roles", "views", "head", "floor", "steady", "cases"}
#: Body parts that may rest on the floor (:func:`aligncheck.synth.variation.part_lows`).
FLOOR_PARTS = ("pelvis", "left_leg", "right_leg", "left_arm", "right_arm", "head")


@dataclass(frozen=True)
class CaseSet:
    """The evaluation of one pose: its rule file's id, cases and camera view buckets."""

    pose_id: str
    cases: tuple[PoseCase, ...]
    views: tuple[str, ...]
    roles: tuple[str, str] = ("", "")
    floor: tuple[str, ...] = ()

    @property
    def one_sided(self) -> bool:
        """True when the pose is practised on a right and a left side."""
        return any(self.roles)

    def items(
        self,
        split: str,
        replicates: int = 1,
        views: tuple[str, ...] | None = None,
        heights: tuple[str, ...] = tuple(HEIGHT_BUCKETS),
        sides: tuple[str, ...] = ("right", "left"),
    ) -> Iterator[Item]:
        """Every item of a split for this pose (see :func:`~aligncheck.synth.evalset.items`)."""
        return items(split, replicates, self.cases, views or self.views, heights, sides)


def case_poses() -> tuple[str, ...]:
    """Pose ids whose library file has an ``evaluation:`` section."""
    found = []
    for path in sorted(LIBRARY_DIR.glob("*.yaml")):
        if "evaluation" in read_pose_file(path):
            found.append(path.stem)
    return tuple(found)


def _strings(where: str, value: Any, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PoseFileError(f"{where}: '{field}' must be a list of names")
    return tuple(value)


def _case(
    where: str, entry: Any, roles: tuple[str, str], head: str, base: str, steady: tuple[str, ...]
) -> PoseCase:
    if not isinstance(entry, dict) or "pose" not in entry or "phase" not in entry:
        raise PoseFileError(f"{where}: a case is a mapping with at least 'pose' and 'phase'")
    unknown = set(entry) - _CASE_KEYS
    if unknown:
        raise PoseFileError(f"{where}: unknown keys {sorted(unknown)}; use {sorted(_CASE_KEYS)}")
    faults = _strings(where, entry.get("faults"), "faults")
    mild = entry.get("mild", 0.0)
    if isinstance(mild, bool) or not isinstance(mild, (int, float)) or not 0 <= mild <= 1:
        raise PoseFileError(f"{where}: 'mild' must be a strength between 0 and 1, got {mild!r}")
    return PoseCase(
        str(entry["pose"]),
        str(entry["phase"]),
        faults,
        str(entry.get("base", base if faults else "")),
        _strings(where, entry.get("also"), "also"),
        roles,
        bool(entry.get("sided", any(roles))),
        float(mild),
        str(entry.get("head", head)),
        steady,
    )


def parse_cases(pose_id: str, section: Mapping[str, Any], source: str) -> CaseSet:
    """A :class:`CaseSet` from a parsed ``evaluation:`` section (errors name ``source``)."""
    where = f"{source}: evaluation"
    if not isinstance(section, dict):
        raise PoseFileError(f"{where} must be a mapping")
    unknown = set(section) - _KEYS
    if unknown:
        raise PoseFileError(f"{where}: unknown keys {sorted(unknown)}; use {sorted(_KEYS)}")
    raw_roles = section.get("roles") or {}
    if not isinstance(raw_roles, dict) or (raw_roles and set(raw_roles) != {"left", "right"}):
        raise PoseFileError(f"{where}: 'roles' must be {{left: ROLE, right: ROLE}}")
    roles = (str(raw_roles.get("left", "")), str(raw_roles.get("right", "")))
    views = _strings(where, section.get("views"), "views")
    if not views:
        raise PoseFileError(f"{where}: 'views' must list the camera view buckets")
    for view in views:
        try:
            view_range(view, roles)
        except ValueError as exc:
            raise PoseFileError(f"{where}: {exc}") from exc
    raw_cases = section.get("cases")
    if not isinstance(raw_cases, list) or not raw_cases:
        raise PoseFileError(f"{where}: 'cases' must be a non-empty list")
    correct = [c.get("pose") for c in raw_cases if isinstance(c, dict) and not c.get("faults")]
    if not correct:
        raise PoseFileError(f"{where}: no correct case (one without 'faults')")
    floor = _strings(where, section.get("floor"), "floor")
    for part in floor:
        if part not in FLOOR_PARTS:
            known = ", ".join(FLOOR_PARTS)
            raise PoseFileError(f"{where}: unknown floor part {part!r}; use {known}")
    head = str(section.get("head", ""))
    steady = _strings(where, section.get("steady"), "steady")
    for name in steady:
        if name not in PARAM_NAMES:
            raise PoseFileError(f"{where}: 'steady' names an unknown joint angle {name!r}")
    cases = tuple(
        _case(f"{where} case {i + 1}", entry, roles, head, str(correct[0]), steady)
        for i, entry in enumerate(raw_cases)
    )
    return CaseSet(str(section.get("rules", pose_id)), cases, views, roles, floor)


def load_cases(pose_id: str, path: Path | str | None = None) -> CaseSet:
    """The evaluation cases of ``pose_id`` (from ``library/<pose_id>.yaml`` by default)."""
    path = Path(path) if path is not None else LIBRARY_DIR / f"{pose_id}.yaml"
    if not path.is_file():
        known = case_poses()
        close = difflib.get_close_matches(pose_id, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise PoseFileError(
            f"no evaluation cases for pose {pose_id!r}{hint} (poses with cases: "
            f"{', '.join(known) or 'none'})"
        )
    data = read_pose_file(path)
    if "evaluation" not in data:
        raise PoseFileError(f"{path}: no 'evaluation' section")
    return parse_cases(pose_id, data["evaluation"], str(path))
