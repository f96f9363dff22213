"""The ``pose:`` card (what the pose is, for people) and ``sides:`` (roles of a one-sided pose,
and how to tell which side is practised)."""

from __future__ import annotations

from typing import Any

from aligncheck.rules.fields import ID, FieldChecker, is_name
from aligncheck.rules.issues import brief, field_name
from aligncheck.rules.schema import VIEWS, NearCue, PoseCard, SideDetection, Sides
from aligncheck.rules.yamlio import LineDict

#: More roles than this is not a pose (the bundled ones have two).
MAX_ROLES = 8
_PREFER = ("larger", "smaller")


def pose_card(checker: FieldChecker, node: Any, line: int) -> PoseCard | None:
    """The ``pose:`` mapping."""
    keys = {"id", "english", "sanskrit", "family", "description", "views"}
    node = checker.mapping(node, "pose", line, keys, {"source"})
    if node is None:
        return None
    return PoseCard(
        id=checker.ident(node, "id", "pose"),
        english=checker.text(node, "english", "pose"),
        sanskrit=checker.text(node, "sanskrit", "pose"),
        family=checker.text(node, "family", "pose"),
        description=checker.text(node, "description", "pose"),
        views=checker.name_list(node, "views", "pose", frozenset(VIEWS)),
        source=checker.text(node, "source", "pose", default="-"),
    )


def _roles(checker: FieldChecker, node: LineDict) -> dict[str, str]:
    roles_node = node.get("roles")
    if not isinstance(roles_node, LineDict) or not roles_node:
        checker.error(
            node.line_of("roles"),
            "sides.roles",
            f"expected a mapping of role: LEFT or RIGHT, got {brief(roles_node)}",
        )
        return {}
    if len(roles_node) > MAX_ROLES:
        checker.error(roles_node.line, "sides.roles", f"at most {MAX_ROLES} roles")
        return {}
    roles: dict[str, str] = {}
    for role, side in roles_node.items():
        field = f"sides.roles.{field_name(role)}"
        if not ID.match(role):
            checker.error(roles_node.line_of(role), field, "expected a lower_case role name")
        elif not is_name(side, ("LEFT", "RIGHT")):
            checker.error(
                roles_node.line_of(role), field, f"expected LEFT or RIGHT, got {brief(side)}"
            )
        else:
            roles[role] = side
    return roles


def _detection(checker: FieldChecker, detect: LineDict | None) -> SideDetection:
    if detect is None:
        return SideDetection(measure="", prefer="larger", margin=0.0)
    measure = detect.get("measure", "")  # a missing one was reported by mapping()
    if not isinstance(measure, str):  # a name that is no measure is reported by crossref
        checker.error(
            detect.line_of("measure"),
            "sides.detect.measure",
            f"expected a measure name, got {brief(measure)}",
        )
        measure = ""
    prefer = detect.get("prefer", "larger")
    if not is_name(prefer, _PREFER):
        checker.error(
            detect.line_of("prefer"),
            "sides.detect.prefer",
            f"unknown choice {brief(prefer)}; " + checker.suggest(prefer, _PREFER),
        )
        prefer = "larger"
    return SideDetection(
        measure=measure,
        prefer=prefer,
        margin=checker.number(detect, "margin", "sides.detect", minimum=0.0),
        threshold=(
            checker.number(detect, "threshold", "sides.detect") if "threshold" in detect else None
        ),
        near=_near_cue(checker, detect),
    )


def _near_cue(checker: FieldChecker, detect: LineDict) -> NearCue | None:
    """``near: {measure, above, below, role_above, role_below}``: the side from the near limb."""
    field = "sides.detect.near"
    if "near" not in detect:
        return None
    node = checker.mapping(
        detect["near"],
        field,
        detect.line_of("near"),
        {"measure", "above", "below", "role_above", "role_below"},
        set(),
    )
    if node is None:
        return None
    measure = node.get("measure", "")
    if not isinstance(measure, str):
        checker.error(node.line_of("measure"), f"{field}.measure", "expected a measure name")
        return None
    above = checker.number(node, "above", field)
    below = checker.number(node, "below", field)
    if below > above:
        checker.error(node.line, field, f"'below' ({below:g}) is greater than 'above' ({above:g})")
    roles = []
    for key in ("role_above", "role_below"):
        role = node.get(key)
        if not (isinstance(role, str) and role in checker.roles):
            checker.error(
                node.line_of(key),
                f"{field}.{key}",
                f"unknown role {brief(role)}; " + checker.suggest(role, checker.roles),
            )
            return None
        roles.append(role)
    return NearCue(measure, above, below, roles[0], roles[1])


def sides(checker: FieldChecker, node: Any, line: int) -> tuple[Sides | None, LineDict | None]:
    """The ``sides:`` mapping, and its ``detect:`` mapping for the cross-reference checks.

    Sets ``checker.roles``, which the measures' points need.
    """
    node = checker.mapping(node, "sides", line, {"roles", "written", "mirrored", "detect"}, set())
    if node is None:
        return None, None
    checker.roles = _roles(checker, node)
    detect = checker.mapping(
        node.get("detect"),
        "sides.detect",
        node.line_of("detect"),
        {"measure", "prefer", "margin"},
        {"threshold", "near"},
    )
    result = Sides(
        roles=checker.roles,  # type: ignore[arg-type]
        written=checker.text(node, "written", "sides"),
        mirrored=checker.text(node, "mirrored", "sides"),
        detect=_detection(checker, detect),
    )
    return result, detect
