"""The ``recognise:`` section of a rule file: parsed into conditions with scales, each kind of
mistake reported with its line and field."""

from __future__ import annotations

import pytest
from test_rules_loader import VALID

from aligncheck.rules import RuleFileError, load_rules
from aligncheck.rules.schema import NATURAL_SCALES

RECOGNISE = """\
recognise:
  when:
    - {measure: straight_knee, above: 140}
    - {measure: trunk, below: 30, if_visible: true, scale: 10}
"""


def _load(tmp_path, text):
    path = tmp_path / "test_pose.yaml"
    path.write_text(text, encoding="utf-8")
    return load_rules(path)


def test_recognise_section_loads_with_natural_and_given_scales(tmp_path):
    rules = _load(tmp_path, VALID + RECOGNISE)
    assert rules.recognise is not None
    knee, trunk = rules.recognise.when
    assert (knee.measure, knee.above, knee.below, knee.if_visible) == (
        "straight_knee",
        140,
        None,
        False,
    )
    assert (trunk.measure, trunk.below, trunk.if_visible) == ("trunk", 30, True)
    assert rules.recognise.scales == (NATURAL_SCALES["deg"], 10.0)


def test_a_file_without_recognise_is_never_auto_picked(tmp_path):
    assert _load(tmp_path, VALID).recognise is None


BROKEN = [
    (
        "measure: trunk, below: 30",
        "measure: trunc, below: 30",
        "recognise.when[1].measure",
        "trunk",
    ),
    (
        "below: 30, if_visible",
        "below: 30, wehn: 1, if_visible",
        "recognise.when[1].wehn",
        "unknown",
    ),
    ("scale: 10", "scale: -2", "recognise.when[1].scale", "above 0"),
    ("scale: 10", "scale: wide", "recognise.when[1].scale", "finite number"),
    ("above: 140}", "above: 140, if_visible: true}", "recognise.when", "always be measured"),
    (
        "{measure: straight_knee, above: 140}",
        "{measure: straight_knee}",
        "recognise.when[0]",
        "'above'",
    ),
    ("  when:", "  whan:", "recognise.whan", "unknown field"),
]


@pytest.mark.parametrize(("old", "new", "field", "words"), BROKEN, ids=[b[2] for b in BROKEN])
def test_broken_recognise_names_line_field_and_what_to_write(tmp_path, old, new, field, words):
    text = VALID + RECOGNISE.replace(old, new)
    with pytest.raises(RuleFileError) as caught:
        _load(tmp_path, text)
    issues = [i for i in caught.value.issues if i.field == field]
    assert issues, [str(i) for i in caught.value.issues]
    assert words in issues[0].message
    assert issues[0].line > VALID.count("\n")


def test_an_empty_recognise_list_is_refused(tmp_path):
    with pytest.raises(RuleFileError, match="non-empty list of conditions"):
        _load(tmp_path, VALID + "recognise:\n  when: []\n")
