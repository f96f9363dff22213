"""The rule file loader: a valid file loads; each kind of mistake gives a precise message."""

from __future__ import annotations

from pathlib import Path

import pytest

from aligncheck.landmarks import Landmark
from aligncheck.rules import RuleFileError, load_rules

VALID = """\
schema_version: 1
pose:
  id: test_pose
  english: Test pose
  sanskrit: Parīkṣāsana
  family: seated
  description: A pose for tests.
  views: [side]
sides:
  roles: {straight: RIGHT, folded: LEFT}
  written: right leg straight
  mirrored: left leg straight
  detect: {measure: straight_knee, prefer: larger, margin: 10}
measures:
  straight_knee:
    type: joint_angle
    points: [STRAIGHT_HIP, STRAIGHT_KNEE, STRAIGHT_ANKLE]
    space: image
    views: [side, front]
    label: Straight knee
  trunk:
    type: inclination
    points:
      - mid(LEFT_HIP, RIGHT_HIP)
      - mid(LEFT_SHOULDER, RIGHT_SHOULDER)
    space: image
    views: [side]
    label: Trunk from vertical
phases:
  - id: upright
    label: Sitting upright
    when:
      - {measure: trunk, below: 30}
hold_phase: upright
rules:
  - id: knee_straight
    title: Straight knee
    measure: straight_knee
    phases: [upright]
    ok: [165, 180]
    close: [150, 180]
    priority: 1
    cue: Straighten the leg.
    source: "step 1"
    why: Test rule.
guidance:
  - {title: Breath, text: Breathe., source: "Spanda"}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "test_pose.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_file_loads_with_roles_resolved(tmp_path):
    rules = load_rules(_write(tmp_path, VALID))
    assert rules.pose.sanskrit == "Parīkṣāsana"
    knee = rules.measures["straight_knee"]
    assert [p.landmarks for p in knee.points] == [
        (Landmark.RIGHT_HIP,),
        (Landmark.RIGHT_KNEE,),
        (Landmark.RIGHT_ANKLE,),
    ]
    assert rules.measures["trunk"].points[0].landmarks == (Landmark.LEFT_HIP, Landmark.RIGHT_HIP)
    assert rules.rules[0].ok.low == 165 and rules.hold_phase == "upright"
    assert rules.sides is not None and rules.sides.mirrored == "left leg straight"


def _line_of(text: str, needle: str) -> int:
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines, 1) if line.strip().startswith(needle)]
    return starts[0] if starts else next(i for i, line in enumerate(lines, 1) if needle in line)


# (mutation: old -> new, the line holding `new`, expected field, expected words in the message)
BROKEN = [
    (
        "STRAIGHT_KNEE, STRAIGHT_ANKLE",
        "STRAIGHT_KNEE, STRAIGHT_ANKEL",
        "measures.straight_knee.points[2]",
        ["unknown landmark 'STRAIGHT_ANKEL'", "did you mean 'STRAIGHT_ANKLE'"],
    ),
    (
        "    measure: straight_knee\n    phases",
        "    measure: straight_kne\n    phases",
        "rules[0] (knee_straight).measure",
        ["unknown measure 'straight_kne'", "did you mean 'straight_knee'"],
    ),
    (
        "ok: [165, 180]",
        "ok: [180, 165]",
        "rules[0] (knee_straight).ok",
        ["band out of order", "low 180 is above high 165"],
    ),
    (
        "close: [150, 180]",
        "close: [170, 180]",
        "rules[0] (knee_straight).close",
        ["must contain the ok band"],
    ),
    (
        "    cue: Straighten the leg.\n",
        "",
        "rules[0] (knee_straight).cue",
        ["required field is missing"],
    ),
    (
        "priority: 1",
        "priority: first",
        "rules[0] (knee_straight).priority",
        ["expected a whole number", "'first'"],
    ),
    (
        "type: joint_angle",
        "type: joint_angel",
        "measures.straight_knee.type",
        ["unknown measure type 'joint_angel'", "did you mean 'joint_angle'"],
    ),
    (
        "space: image\n    views: [side, front]",
        "space: imag\n    views: [side, front]",
        "measures.straight_knee.space",
        ["unknown space 'imag'", "did you mean 'image'"],
    ),
    (
        "phases: [upright]",
        "phases: [uprite]",
        "rules[0] (knee_straight).phases[0]",
        ["unknown name 'uprite'", "did you mean 'upright'"],
    ),
    (
        "    cue: Straighten",
        "    cues: x\n    cue: Straighten",
        "rules[0] (knee_straight).cues",
        ["unknown field", "did you mean 'cue'"],
    ),
    (
        "  views: [side]\nsides",
        "  views: [sidee]\nsides",
        "pose.views[0]",
        ["unknown name 'sidee'", "did you mean 'side'"],
    ),
    (
        "  views: [side]\nsides",
        "  views: [side, side]\nsides",
        "pose.views[1]",
        ["'side' is listed twice", "list each name once"],
    ),
    ("schema_version: 1", "schema_version: 7", "schema_version", ["reads schema_version 1, got 7"]),
    (
        "- {measure: trunk, below: 30}",
        "- {measure: trunk, above: 40, below: 30}",
        "phases[0].when[0]",
        ["'above' (40) is greater than 'below' (30)"],
    ),
    (
        "prefer: larger",
        "prefer: larg",
        "sides.detect.prefer",
        ["unknown choice 'larg'", "did you mean 'larger'"],
    ),
    (
        "roles: {straight: RIGHT, folded: LEFT}",
        "roles: {straight: RIGHT, folded: MIDDLE}",
        "sides.roles.folded",
        ["expected LEFT or RIGHT"],
    ),
    ("hold_phase: upright", "hold_phase: fold", "hold_phase", ["unknown phase 'fold'"]),
]


@pytest.mark.parametrize(("old", "new", "field", "words"), BROKEN, ids=[b[2] for b in BROKEN])
def test_broken_file_names_file_line_field_and_choices(tmp_path, old, new, field, words):
    assert old in VALID
    text = VALID.replace(old, new, 1)
    path = _write(tmp_path, text)
    with pytest.raises(RuleFileError) as caught:
        load_rules(path)
    issues = [i for i in caught.value.issues if i.field == field]
    assert issues, str(caught.value)
    issue = issues[0]
    for word in words:
        assert word in issue.message, issue.message
    assert issue.path == path
    if new:
        anchor = new.splitlines()[0].strip()
        assert issue.line == _line_of(text, anchor) or field.endswith("cue")
    assert str(path) in str(caught.value) and f":{issue.line}:" in str(caught.value)


def test_duplicate_rule_id_points_at_first_use(tmp_path):
    rule = VALID[VALID.index("  - id: knee_straight") : VALID.index("guidance:")]
    text = VALID.replace("guidance:", rule + "guidance:")
    with pytest.raises(RuleFileError) as caught:
        load_rules(_write(tmp_path, text))
    message = str(caught.value)
    assert "duplicate rule id" in message
    assert f"first used on line {_line_of(text, '- id: knee_straight')}" in message


def test_missing_rule_field_line_is_the_rule(tmp_path):
    text = VALID.replace("    cue: Straighten the leg.\n", "")
    with pytest.raises(RuleFileError) as caught:
        load_rules(_write(tmp_path, text))
    issue = next(i for i in caught.value.issues if i.field.endswith(".cue"))
    assert issue.line == _line_of(text, "- id: knee_straight")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("pose: [unclosed", "yaml"),
        ("a: !!python/object/apply:os.system ['echo pwned']\n", "yaml"),
        ("- just\n- a list\n", "expected a mapping"),
        (
            VALID.replace(
                "  straight_knee:\n    type", "  straight_knee:\n    type: x\n    type", 1
            ),
            "duplicate key",
        ),
    ],
    ids=["malformed", "python-tag-refused", "not-a-mapping", "duplicate-key"],
)
def test_unsafe_or_malformed_yaml_is_refused(tmp_path, text, words):
    with pytest.raises(RuleFileError) as caught:
        load_rules(_write(tmp_path, text))
    assert words in str(caught.value)


def test_all_problems_are_reported_together(tmp_path):
    text = VALID.replace("ok: [165, 180]", "ok: [180, 165]").replace(
        "type: joint_angle", "type: nope"
    )
    with pytest.raises(RuleFileError) as caught:
        load_rules(_write(tmp_path, text))
    fields = {i.field for i in caught.value.issues}
    assert "measures.straight_knee.type" in fields
    assert "rules[0] (knee_straight).ok" in fields


def test_mid_inside_a_flow_list_needs_no_quotes(tmp_path):
    text = VALID.replace(
        "    points:\n      - mid(LEFT_HIP, RIGHT_HIP)\n      - mid(LEFT_SHOULDER, RIGHT_SHOULDER)",
        "    points: [mid(LEFT_HIP, RIGHT_HIP), mid(LEFT_SHOULDER, RIGHT_SHOULDER)]",
    )
    assert text != VALID
    rules = load_rules(_write(tmp_path, text))
    assert rules.measures["trunk"].points[1].landmarks == (
        Landmark.LEFT_SHOULDER,
        Landmark.RIGHT_SHOULDER,
    )


def test_an_invalid_measure_is_reported_once_not_at_every_use(tmp_path):
    text = VALID.replace("type: joint_angle", "type: nope")
    with pytest.raises(RuleFileError) as caught:
        load_rules(_write(tmp_path, text))
    assert [i.field for i in caught.value.issues] == ["measures.straight_knee.type"]


def _back_curve(text: str = VALID) -> str:
    return text.replace("type: inclination", "type: back_curve")


def test_a_back_curve_measure_loads_and_asks_for_the_silhouette(tmp_path):
    assert not load_rules(_write(tmp_path, VALID)).needs_silhouette
    rules = load_rules(_write(tmp_path, _back_curve()))
    assert rules.measures["trunk"].needs_silhouette
    assert rules.measures["trunk"].unit == "body"
    assert rules.needs_silhouette  # the 'upright' phase uses it


def test_a_back_curve_defined_but_unused_costs_nothing(tmp_path):
    text = _back_curve().replace(
        "{measure: trunk, below: 30}", "{measure: straight_knee, above: 9}"
    )
    rules = load_rules(_write(tmp_path, text))
    assert "trunk" in rules.measures and not rules.needs_silhouette


@pytest.mark.parametrize(
    ("old", "new", "field", "words"),
    [
        (
            "      - mid(LEFT_SHOULDER, RIGHT_SHOULDER)",
            "      - mid(LEFT_EAR, RIGHT_EAR)",
            "measures.trunk.points",
            ["exactly [mid(LEFT_HIP, RIGHT_HIP), mid(LEFT_SHOULDER, RIGHT_SHOULDER)]"],
        ),
        (
            "      - mid(LEFT_HIP, RIGHT_HIP)\n      - mid(LEFT_SHOULDER, RIGHT_SHOULDER)",
            "      - mid(LEFT_SHOULDER, RIGHT_SHOULDER)\n      - mid(LEFT_HIP, RIGHT_HIP)",
            "measures.trunk.points",
            ["exactly"],
        ),
        (
            "    space: image\n    views: [side]\n    label: Trunk",
            "    space: world\n    views: [side]\n    label: Trunk",
            "measures.trunk.space",
            ["needs space: image"],
        ),
    ],
    ids=["other-points", "reversed", "world"],
)
def test_a_back_curve_is_measured_along_the_trunk_in_the_image(tmp_path, old, new, field, words):
    text = _back_curve()
    assert old in text
    with pytest.raises(RuleFileError) as caught:
        load_rules(_write(tmp_path, text.replace(old, new, 1)))
    issues = [i for i in caught.value.issues if i.field == field]
    assert issues, str(caught.value)
    assert all(word in issues[0].message for word in words), issues[0].message


def test_a_back_curve_may_name_the_hips_in_either_order(tmp_path):
    text = _back_curve().replace("mid(LEFT_HIP, RIGHT_HIP)", "mid(RIGHT_HIP, LEFT_HIP)", 1)
    assert load_rules(_write(tmp_path, text)).needs_silhouette
