"""Load and validate rule files: YAML in, :class:`~aligncheck.rules.schema.RuleSet` out.

Every problem is reported with the file, the line, the field path (``rules[3].measure``), what
was expected and, for names, the nearest valid one. All problems of a file are collected and
raised together as one :class:`RuleFileError`, so a teacher can fix them in one pass.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from aligncheck.errors import AligncheckError
from aligncheck.landmarks import Landmark
from aligncheck.rules.schema import (
    IMAGE_ONLY,
    MEASURE_TYPES,
    SCHEMA_VERSION,
    VIEWS,
    WORLD_ONLY,
    Band,
    Calibration,
    Condition,
    Guidance,
    GuideStep,
    Measure,
    Phase,
    Point,
    PoseCard,
    Rule,
    RuleSet,
    SideDetection,
    Sides,
    fixed_points_problem,
)
from aligncheck.rules.yamlio import LineDict, LineList, load_with_lines

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_MID = re.compile(r"^mid\(\s*([A-Za-z_]+)\s*,\s*([A-Za-z_]+)\s*\)$")
_SIDED = {lm.name.split("_", 1)[1] for lm in Landmark if lm.name.startswith(("LEFT_", "RIGHT_"))}


@dataclass(frozen=True)
class RuleIssue:
    """One problem in a rule file."""

    path: Path
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class RuleFileError(AligncheckError):
    """A rule file is not valid; ``issues`` lists every problem found."""

    def __init__(self, issues: list[RuleIssue]) -> None:
        self.issues = issues
        noun = "problem" if len(issues) == 1 else "problems"
        super().__init__(
            f"{issues[0].path}: {len(issues)} {noun}:\n" + "\n".join(f"  {i}" for i in issues)
        )


def _suggest(value: object, valid: Iterable[str]) -> str:
    options = sorted(valid)
    close = difflib.get_close_matches(str(value), options, n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(str(value).lower(), [o.lower() for o in options], n=1)
        close = [o for o in options if close and o.lower() == close[0]]
    shown = ", ".join(options) if len(options) <= 12 else ", ".join(options[:12]) + ", ..."
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"expected one of: {shown}{hint}"


def _rejoin_mid(items: list[Any]) -> list[Any]:
    """Undo YAML's split of ``[mid(A, B), C]`` into ``"mid(A"``, ``"B)"``, ``"C"``.

    In a flow list the comma inside ``mid(A, B)`` separates items; teachers should not have to
    know that, so the two halves are joined again. Line numbers are kept.
    """
    joined = LineList()
    joined.line = getattr(items, "line", 0)
    joined.item_lines = []
    lines = getattr(items, "item_lines", [joined.line] * len(items))
    i = 0
    while i < len(items):
        item, line = items[i], lines[i]
        if (
            isinstance(item, str)
            and item.strip().startswith("mid(")
            and ")" not in item
            and i + 1 < len(items)
            and isinstance(items[i + 1], str)
            and items[i + 1].strip().endswith(")")
        ):
            item = f"{item}, {items[i + 1].strip()}"
            i += 1
        joined.append(item)
        joined.item_lines.append(line)
        i += 1
    return joined


class _Checker:
    """Walks the parsed YAML, building schema objects and collecting issues."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.issues: list[RuleIssue] = []
        self.roles: dict[str, str] = {}
        #: Measures defined but invalid: references to them are not reported again.
        self.broken_measures: set[str] = set()

    def error(self, line: int, field: str, message: str) -> None:
        self.issues.append(RuleIssue(self.path, line, field, message))

    # -- generic shapes -------------------------------------------------------------------
    def mapping(
        self, node: Any, field: str, line: int, required: set[str], optional: set[str]
    ) -> LineDict | None:
        if not isinstance(node, LineDict):
            self.error(line, field, f"expected a mapping with keys {', '.join(sorted(required))}")
            return None
        for key in node:
            if key not in required | optional:
                self.error(
                    node.line_of(key),
                    f"{field}.{key}",
                    "unknown field; " + _suggest(key, required | optional),
                )
        for key in sorted(required - set(node)):
            self.error(node.line, f"{field}.{key}", "required field is missing")
        return node

    def text(self, node: LineDict, key: str, field: str, default: str | None = None) -> str:
        if key not in node:  # a missing required key was reported by mapping()
            return default or ""
        value = node[key]
        if not isinstance(value, str) or not value.strip():
            self.error(
                node.line_of(key), f"{field}.{key}", f"expected non-empty text, got {value!r}"
            )
            return default or ""
        return " ".join(value.split())

    def number(self, node: LineDict, key: str, field: str, default: float | None = None) -> float:
        value = node.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(node.line_of(key), f"{field}.{key}", f"expected a number, got {value!r}")
            return float("nan")
        return float(value)

    def name_list(
        self, node: LineDict, key: str, field: str, valid: Iterable[str]
    ) -> tuple[str, ...]:
        value = node.get(key)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            self.error(node.line_of(key), f"{field}.{key}", "expected a non-empty list")
            return ()
        valid = set(valid)
        names = []
        for i, item in enumerate(value):
            line = value.line_of(i) if isinstance(value, LineList) else node.line_of(key)
            if item not in valid:
                self.error(
                    line, f"{field}.{key}[{i}]", f"unknown name {item!r}; " + _suggest(item, valid)
                )
            else:
                names.append(item)
        return tuple(names)

    def view_names(self) -> list[str]:
        """Camera views a measure may name: plain, or with the role nearer the camera."""
        return [*VIEWS, *(f"{view}/{role}" for view in VIEWS for role in self.roles)]

    def ident(self, node: LineDict, key: str, field: str) -> str:
        value = node.get(key)
        if not isinstance(value, str) or not _ID.match(value):
            self.error(
                node.line_of(key), f"{field}.{key}", f"expected a lower_case_id, got {value!r}"
            )
            return str(value)
        return value

    # -- landmarks and points -------------------------------------------------------------
    def landmark(self, text: str, field: str, line: int) -> tuple[Landmark, str] | None:
        name = text.strip().upper()
        role, _, part = name.partition("_")
        if role in ("NEAR", "FAR") and part in _SIDED:
            return Landmark[f"LEFT_{part}"], role.lower()
        if role.lower() in self.roles and part in _SIDED:
            return Landmark[f"{self.roles[role.lower()]}_{part}"], ""
        if name in Landmark.__members__:
            return Landmark[name], ""
        prefixes = [r.upper() for r in self.roles] + ["NEAR", "FAR"]
        valid = list(Landmark.__members__) + [f"{r}_{p}" for r in prefixes for p in sorted(_SIDED)]
        self.error(line, field, f"unknown landmark {text!r}; " + _suggest(name, valid))
        return None

    def point(self, value: Any, field: str, line: int) -> Point | None:
        if not isinstance(value, str):
            self.error(line, field, f"expected a landmark name or mid(A, B), got {value!r}")
            return None
        match = _MID.match(value.strip())
        names = match.groups() if match else (value,)
        parsed = [self.landmark(n, field, line) for n in names]
        if any(p is None for p in parsed):
            return None
        landmarks = tuple(p[0] for p in parsed)  # type: ignore[index]
        relative = tuple(p[1] for p in parsed)  # type: ignore[index]
        return Point(landmarks, value.strip(), relative)  # type: ignore[arg-type]

    def points(self, node: LineDict, key: str, field: str, count: int) -> tuple[Point, ...] | None:
        value = node.get(key)
        if isinstance(value, list):
            value = _rejoin_mid(value)
        if not isinstance(value, list) or len(value) != count:
            self.error(node.line_of(key), f"{field}.{key}", f"expected a list of {count} points")
            return None
        points = [
            self.point(
                v,
                f"{field}.{key}[{i}]",
                value.line_of(i) if isinstance(value, LineList) else node.line,
            )
            for i, v in enumerate(value)
        ]
        return None if any(p is None for p in points) else tuple(points)  # type: ignore[misc]

    # -- sections ------------------------------------------------------------------------
    def pose_card(self, node: Any, line: int) -> PoseCard | None:
        keys = {"id", "english", "sanskrit", "family", "description", "views"}
        node = self.mapping(node, "pose", line, keys, {"source"})
        if node is None:
            return None
        return PoseCard(
            id=self.ident(node, "id", "pose"),
            english=self.text(node, "english", "pose"),
            sanskrit=self.text(node, "sanskrit", "pose"),
            family=self.text(node, "family", "pose"),
            description=self.text(node, "description", "pose"),
            views=self.name_list(node, "views", "pose", VIEWS),
            source=self.text(node, "source", "pose", default="-"),
        )

    def sides(self, node: Any, line: int) -> tuple[Sides | None, LineDict | None]:
        node = self.mapping(node, "sides", line, {"roles", "written", "mirrored", "detect"}, set())
        if node is None:
            return None, None
        roles_node = node.get("roles")
        roles: dict[str, str] = {}
        if isinstance(roles_node, LineDict) and roles_node:
            for role, side in roles_node.items():
                if not _ID.match(role):
                    self.error(
                        roles_node.line_of(role),
                        f"sides.roles.{role}",
                        "expected a lower_case role name",
                    )
                elif side not in ("LEFT", "RIGHT"):
                    self.error(
                        roles_node.line_of(role), f"sides.roles.{role}", "expected LEFT or RIGHT"
                    )
                else:
                    roles[role] = side
        else:
            self.error(
                node.line_of("roles"), "sides.roles", "expected a mapping of role: LEFT or RIGHT"
            )
        self.roles = roles
        detect = self.mapping(
            node.get("detect"),
            "sides.detect",
            node.line_of("detect"),
            {"measure", "prefer", "margin"},
            {"threshold"},
        )
        return (
            Sides(
                roles=roles,  # type: ignore[arg-type]
                written=self.text(node, "written", "sides"),
                mirrored=self.text(node, "mirrored", "sides"),
                detect=SideDetection(
                    measure=str(detect.get("measure")) if detect else "",
                    prefer=detect.get("prefer") if detect else "larger",  # checked later
                    margin=self.number(detect, "margin", "sides.detect") if detect else 0.0,
                    threshold=(
                        self.number(detect, "threshold", "sides.detect")
                        if detect and "threshold" in detect
                        else None
                    ),
                ),
            ),
            detect,
        )

    def measure(self, mid: str, node: Any, line: int) -> Measure | None:
        field = f"measures.{mid}"
        if not _ID.match(mid):
            self.error(line, field, "expected a lower_case_id as the measure name")
        node = self.mapping(
            node,
            field,
            line,
            {"type", "points", "space", "views", "label"},
            {"reference", "calibrate"},
        )
        if node is None:
            return None
        kind = node.get("type")
        if kind not in MEASURE_TYPES:
            self.error(
                node.line_of("type"),
                f"{field}.type",
                f"unknown measure type {kind!r}; " + _suggest(kind, MEASURE_TYPES),
            )
            return None
        count, needs_reference = MEASURE_TYPES[kind]
        points = self.points(node, "points", field, count)
        if points is not None and (problem := fixed_points_problem(kind, points)):
            self.error(node.line_of("points"), f"{field}.points", problem)
        reference = None
        if needs_reference:
            reference = self.points(node, "reference", field, 2) if "reference" in node else None
            if "reference" not in node:
                self.error(
                    node.line,
                    f"{field}.reference",
                    f"a {kind} measure needs a reference segment of 2 points",
                )
        elif "reference" in node:
            self.error(
                node.line_of("reference"),
                f"{field}.reference",
                f"a {kind} measure takes no reference",
            )
        space = node.get("space")
        if space not in ("image", "world"):
            self.error(
                node.line_of("space"),
                f"{field}.space",
                f"unknown space {space!r}; " + _suggest(space, ["image", "world"]),
            )
        calibration = None
        if "calibrate" in node:
            cal = self.mapping(
                node["calibrate"],
                f"{field}.calibrate",
                node.line_of("calibrate"),
                {"phase"},
                {"seconds", "fallback", "mode"},
            )
            if cal is not None:
                mode = cal.get("mode", "ratio")
                if mode not in ("ratio", "difference"):
                    self.error(
                        cal.line_of("mode"),
                        f"{field}.calibrate.mode",
                        f"unknown mode {mode!r}; " + _suggest(mode, ["ratio", "difference"]),
                    )
                calibration = Calibration(
                    phase=str(cal.get("phase")),
                    fallback=(
                        self.number(cal, "fallback", f"{field}.calibrate")
                        if "fallback" in cal
                        else None
                    ),
                    seconds=self.number(cal, "seconds", f"{field}.calibrate", default=2.0),
                    mode=mode,
                )
        if kind in WORLD_ONLY and space != "world":
            self.error(node.line_of("space"), f"{field}.space", f"a {kind} needs space: world")
        if kind in IMAGE_ONLY and space != "image":
            self.error(node.line_of("space"), f"{field}.space", f"a {kind} needs space: image")
        if points is None:
            return None
        return Measure(
            id=mid,
            type=kind,
            points=points,
            space=space,
            views=frozenset(self.name_list(node, "views", field, self.view_names())),
            label=self.text(node, "label", field),
            reference=reference,
            calibrate=calibration,
            line=line,  # type: ignore[arg-type]
        )

    def condition(
        self, node: Any, field: str, line: int, measures: dict[str, Measure]
    ) -> Condition | None:
        node = self.mapping(node, field, line, {"measure"}, {"above", "below"})
        if node is None:
            return None
        name = node.get("measure")
        if name not in measures and name not in self.broken_measures:
            self.error(
                node.line_of("measure"),
                f"{field}.measure",
                f"unknown measure {name!r}; " + _suggest(name, measures),
            )
        if "above" not in node and "below" not in node:
            self.error(node.line, field, "a condition needs 'above', 'below' or both")
        above = self.number(node, "above", field) if "above" in node else None
        below = self.number(node, "below", field) if "below" in node else None
        if above is not None and below is not None and above > below:
            self.error(
                node.line,
                field,
                f"'above' ({above:g}) is greater than 'below' ({below:g}): no value can satisfy it",
            )
        return Condition(str(name), above, below)

    def band(self, node: LineDict, key: str, field: str) -> Band | None:
        value = node.get(key)
        line = node.line_of(key)
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        ):
            self.error(line, f"{field}.{key}", f"expected [low, high] numbers, got {value!r}")
            return None
        low, high = float(value[0]), float(value[1])
        if low > high:
            self.error(
                line, f"{field}.{key}", f"band out of order: low {low:g} is above high {high:g}"
            )
            return None
        return Band(low, high)

    def rule(
        self, index: int, node: Any, line: int, measures: dict[str, Measure], phases: set[str]
    ) -> Rule | None:
        field = f"rules[{index}]"
        if isinstance(node, LineDict) and isinstance(node.get("id"), str):
            field = f"rules[{index}] ({node['id']})"
        required = {
            "id",
            "title",
            "measure",
            "phases",
            "ok",
            "close",
            "priority",
            "cue",
            "source",
            "why",
        }
        node = self.mapping(node, field, line, required, {"modification", "level_up"})
        if node is None:
            return None
        rid = self.ident(node, "id", field)
        measure = node.get("measure")
        if measure not in measures and measure not in self.broken_measures:
            self.error(
                node.line_of("measure"),
                f"{field}.measure",
                f"unknown measure {measure!r}; " + _suggest(measure, measures),
            )
        ok = self.band(node, "ok", field)
        close = self.band(node, "close", field)
        if ok and close and not (close.low <= ok.low and ok.high <= close.high):
            self.error(
                node.line_of("close"),
                f"{field}.close",
                f"the close band {close} must contain the ok band {ok}",
            )
        priority = node.get("priority")
        if isinstance(priority, bool) or not isinstance(priority, int) or priority < 1:
            self.error(
                node.line_of("priority"),
                f"{field}.priority",
                f"expected a whole number >= 1 (1 = most important), got {priority!r}",
            )
            priority = 99
        if ok is None or close is None:
            return None
        return Rule(
            id=rid,
            title=self.text(node, "title", field),
            measure=str(measure),
            phases=frozenset(self.name_list(node, "phases", field, phases)),
            ok=ok,
            close=close,
            priority=priority,
            cue=self.text(node, "cue", field),
            source=self.text(node, "source", field),
            why=self.text(node, "why", field),
            modification=self.text(node, "modification", field, default=""),
            level_up=self.text(node, "level_up", field, default=""),
            line=line,
        )


def _check_references(
    checker: _Checker,
    doc: LineDict,
    rules: list[Rule],
    measures: dict[str, Measure],
    phases: tuple[Phase, ...],
    detect_node: LineDict | None,
    sides: Sides | None,
) -> None:
    seen: dict[str, int] = {}
    for rule in rules:
        if rule.id in seen:
            checker.error(
                rule.line,
                f"rules ({rule.id}).id",
                f"duplicate rule id; first used on line {seen[rule.id]}",
            )
        seen.setdefault(rule.id, rule.line)
    phase_ids = [p.id for p in phases]
    for duplicate in {p for p in phase_ids if phase_ids.count(p) > 1}:
        checker.error(doc.line_of("phases"), "phases", f"duplicate phase id {duplicate!r}")
    for measure in measures.values():
        if measure.calibrate and measure.calibrate.phase not in phase_ids:
            checker.error(
                measure.line,
                f"measures.{measure.id}.calibrate.phase",
                f"unknown phase {measure.calibrate.phase!r}; "
                + _suggest(measure.calibrate.phase, phase_ids),
            )
    hold = doc.get("hold_phase")
    if hold is not None and hold not in phase_ids:
        checker.error(
            doc.line_of("hold_phase"),
            "hold_phase",
            f"unknown phase {hold!r}; " + _suggest(hold, phase_ids),
        )
    if sides is not None and detect_node is not None:
        known = set(measures) | checker.broken_measures
        if sides.detect.measure not in known:
            checker.error(
                detect_node.line_of("measure"),
                "sides.detect.measure",
                f"unknown measure {sides.detect.measure!r}; "
                + _suggest(sides.detect.measure, measures),
            )
        if sides.detect.prefer not in ("larger", "smaller"):
            checker.error(
                detect_node.line_of("prefer"),
                "sides.detect.prefer",
                f"unknown choice {sides.detect.prefer!r}; "
                + _suggest(sides.detect.prefer, ["larger", "smaller"]),
            )


def _guide(
    checker: _Checker, top: LineDict, phase_ids: set[str], rule_ids: set[str]
) -> tuple[GuideStep, ...]:
    """The optional ``guide:`` list: the steps of a guided entry into the pose."""
    node = top.get("guide", [])
    if not isinstance(node, LineList):
        if "guide" in top:
            checker.error(top.line_of("guide"), "guide", "expected a list of steps")
        return ()
    steps = []
    for i, item in enumerate(node):
        field = f"guide[{i}]"
        step = checker.mapping(
            item, field, node.line_of(i), {"id", "say", "source", "phases"}, {"rules_ok", "hold"}
        )
        if step is None:
            continue
        rules_ok = (
            checker.name_list(step, "rules_ok", field, rule_ids) if "rules_ok" in step else ()
        )
        steps.append(
            GuideStep(
                id=checker.ident(step, "id", field),
                say=checker.text(step, "say", field),
                source=checker.text(step, "source", field),
                phases=frozenset(checker.name_list(step, "phases", field, phase_ids)),
                rules_ok=tuple(rules_ok),
                hold=checker.number(step, "hold", field, default=1.0),
                line=step.line,
            )
        )
    return tuple(steps)


def load_rules(path: Path | str) -> RuleSet:
    """Parse and validate a rule file; raise :class:`RuleFileError` listing every problem."""
    path = Path(path)
    if not path.is_file():
        raise RuleFileError([RuleIssue(path, 0, "file", "no such rule file")])
    try:
        doc = load_with_lines(path)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise RuleFileError([RuleIssue(path, line, "yaml", f"{exc.problem or exc}")]) from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RuleFileError([RuleIssue(path, 0, "yaml", f"not valid YAML ({exc})")]) from exc

    checker = _Checker(path)
    top_required = {"schema_version", "pose", "measures", "phases", "rules"}
    top = checker.mapping(
        doc, "(top level)", 1, top_required, {"sides", "hold_phase", "guidance", "guide"}
    )
    if top is None:
        raise RuleFileError(checker.issues)
    version = top.get("schema_version")
    if version != SCHEMA_VERSION:
        checker.error(
            top.line_of("schema_version"),
            "schema_version",
            f"this aligncheck reads schema_version {SCHEMA_VERSION}, got {version!r}",
        )
    pose = checker.pose_card(top.get("pose"), top.line_of("pose"))
    sides, detect_node = (
        checker.sides(top["sides"], top.line_of("sides")) if "sides" in top else (None, None)
    )

    measures: dict[str, Measure] = {}
    measures_node = top.get("measures")
    if isinstance(measures_node, LineDict) and measures_node:
        for mid, node in measures_node.items():
            measure = checker.measure(mid, node, measures_node.line_of(mid))
            if measure is not None:
                measures[mid] = measure
            else:
                checker.broken_measures.add(mid)
    elif "measures" in top:
        checker.error(
            top.line_of("measures"), "measures", "expected a mapping of measure name: definition"
        )

    phases: list[Phase] = []
    phases_node = top.get("phases")
    if isinstance(phases_node, LineList) and phases_node:
        for i, node in enumerate(phases_node):
            field = f"phases[{i}]"
            node = checker.mapping(
                node, field, phases_node.line_of(i), {"id", "label", "when"}, set()
            )
            if node is None:
                continue
            when = node.get("when")
            if not isinstance(when, LineList) or not when:
                checker.error(
                    node.line_of("when"), f"{field}.when", "expected a non-empty list of conditions"
                )
                when = []
            conditions = [
                checker.condition(c, f"{field}.when[{j}]", when.line_of(j), measures)
                for j, c in enumerate(when)
            ]
            phases.append(
                Phase(
                    checker.ident(node, "id", field),
                    checker.text(node, "label", field),
                    tuple(c for c in conditions if c),
                    node.line,
                )
            )
    elif "phases" in top:
        checker.error(top.line_of("phases"), "phases", "expected a non-empty list of phases")

    rules: list[Rule] = []
    rules_node = top.get("rules")
    if isinstance(rules_node, LineList) and rules_node:
        phase_ids = {p.id for p in phases}
        for i, node in enumerate(rules_node):
            rule = checker.rule(i, node, rules_node.line_of(i), measures, phase_ids)
            if rule is not None:
                rules.append(rule)
    elif "rules" in top:
        checker.error(top.line_of("rules"), "rules", "expected a non-empty list of rules")

    guidance: list[Guidance] = []
    guidance_node = top.get("guidance", [])
    if isinstance(guidance_node, list):
        for i, node in enumerate(guidance_node):
            field = f"guidance[{i}]"
            line = guidance_node.line_of(i) if isinstance(guidance_node, LineList) else top.line
            node = checker.mapping(node, field, line, {"title", "text", "source"}, set())
            if node is not None:
                guidance.append(
                    Guidance(
                        checker.text(node, "title", field),
                        checker.text(node, "text", field),
                        checker.text(node, "source", field),
                    )
                )
    else:
        checker.error(
            top.line_of("guidance"), "guidance", "expected a list of {title, text, source}"
        )

    guide = _guide(checker, top, {p.id for p in phases}, {r.id for r in rules})
    _check_references(checker, top, rules, measures, tuple(phases), detect_node, sides)
    if checker.issues or pose is None:
        raise RuleFileError(checker.issues)
    return RuleSet(
        path=path,
        schema_version=SCHEMA_VERSION,
        pose=pose,
        measures=measures,
        phases=tuple(phases),
        rules=tuple(rules),
        guidance=tuple(guidance),
        guide=guide,
        sides=sides,
        hold_phase=top.get("hold_phase"),
    )
