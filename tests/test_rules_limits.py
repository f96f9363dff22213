"""Rule files that used to crash or hang aligncheck, and the limits that keep loading bounded.

Each case is a plausible typo or a hostile file; each must end in a :class:`RuleFileError`
naming the file, the line and the field, quickly and in little memory, and every command
that reads rules must print it as one clear message (no traceback).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from aligncheck.cli import main
from aligncheck.rules.fields import MAX_ISSUES
from aligncheck.rules.loader import RuleFileError, load_rules
from aligncheck.rules.yamlio import MAX_ALIASES, MAX_BYTES, MAX_DEPTH, MAX_VALUES

ROOT = Path(__file__).resolve().parent.parent
JANU = (ROOT / "rules" / "janu_sirsasana.yaml").read_text(encoding="utf-8")


def _janu(old: str, new: str, count: int = 1) -> str:
    assert old in JANU, old
    return JANU.replace(old, new, count)


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _bomb(levels: int = 9, width: int = 9) -> str:
    """'Billion laughs': anchors whose last alias expands to width ** levels strings."""
    lines = ['lol0: &a0 "lol lol lol lol lol lol lol lol"']
    for level in range(1, levels):
        lines.append(f"lol{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def _description(value: str) -> str:
    """The Janu rules with the pose's (folded, several lines) description replaced."""
    text, count = re.subn(
        r"(?m)^  description: >-\n(?:    .*\n)+", f"  description: {value}\n", JANU
    )
    assert count == 1
    return text


BOMB = _bomb() + _description("*a8")
VIEWS_NESTED = _janu("  views: [side, diagonal]\n", "  views: [[side], diagonal]\n")
PHASES_LIST = _janu("    phases: [fold]\n", "    phases: [[fold], seated]\n")


def _load(tmp_path: Path, text: str | bytes, name: str = "pose.yaml") -> tuple[list, float, int]:
    """Load ``text`` expecting a rejection: its issues, the CPU seconds of the load, and its
    peak traced memory in bytes (measured in a second load: tracing slows it down)."""
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    start = time.process_time()
    with pytest.raises(RuleFileError) as caught:
        load_rules(path)
    seconds = time.process_time() - start
    tracemalloc.start()
    try:
        with pytest.raises(RuleFileError):
            load_rules(path)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    for issue in caught.value.issues:
        assert issue.path == path and issue.line >= 1 and issue.field, str(issue)
        assert len(issue.message) < 600, issue.message[:300]
    assert len(str(caught.value)) < (len(str(path)) + 300) * (MAX_ISSUES + 2)
    return caught.value.issues, seconds, peak


# (text, expected field, line holding it, words in the message)
TYPOS = [
    (
        VIEWS_NESTED,
        "pose.views[0]",
        "views: [[side]",
        ["got the list ['side']", "did you mean 'side'"],
    ),
    (
        PHASES_LIST,
        "rules[0] (spine_long_in_fold).phases[0]",
        "phases: [[fold]",
        ["got the list ['fold']", "did you mean 'fold'"],
    ),
    (
        _janu("type: joint_angle", "type: [joint_angle]"),
        "measures.straight_knee.type",
        "type: [joint_angle]",
        ["unknown measure type ['joint_angle']", "expected one of"],
    ),
    (
        _janu("    measure: back_curve\n", "    measure: {name: back_curve}\n"),
        "rules[0] (spine_long_in_fold).measure",
        "measure: {name: back_curve}",
        ["unknown measure {'name': 'back_curve'}"],
    ),
    (
        _janu("space: image", "space: [image]"),
        ".space",
        "space: [image]",
        ["unknown space ['image']", "expected one of"],
    ),
    (_janu("ok: [", "ok: [.nan, "), ".ok", "ok: [.nan", ["expected [low, high] finite numbers"]),
    (_janu("close: [", "close: [-1e999, "), ".close", "close: [-1e999", ["finite numbers"]),
    (
        _janu("margin: ", "margin: -"),
        "sides.detect.margin",
        "margin: -",
        ["expected 0 or more"],
    ),
    (
        _janu("    cue: ", '    cue: "nul \\0 in a cue" # '),
        ".cue",
        "nul \\0",
        ["control character U+0000"],
    ),
    (
        _janu("schema_version: 1", "schema_version: true"),
        "schema_version",
        "schema_version: true",
        ["reads schema_version 1, got True"],
    ),
    (
        _janu("hold_phase: ", "hold_phase: [x] #"),
        "hold_phase",
        "hold_phase: [x]",
        ["unknown phase 'x'"],
    ),
    (
        _janu("    measure: straight_knee_3d\n    prefer:", "    measure: [x]\n    prefer:"),
        "sides.detect.measure",
        "measure: [x]",
        ["expected a measure name, got ['x']"],
    ),
    (
        _janu("calibrate: {phase: upright", "calibrate: {phase: [x]"),
        ".calibrate.phase",
        "calibrate: {phase: [x]",
        ["expected a phase id, got ['x']"],
    ),
    (
        _janu("  - id: spine_long_in_fold\n", '  - id: "spine_long_in_fold\\n"\n'),
        ".id",
        'id: "spine_long_in_fold',
        ["expected a lower_case_id, got 'spine_long_in_fold\\n'"],
    ),
    (
        _janu("  english: ", "  '[/x]': 1\n  english: "),
        "pose.[/x]",
        "'[/x]': 1",
        ["unknown field"],
    ),
    (
        _janu("  english: ", "  description2: 2024-13-45\n  english: "),
        "yaml",
        "2024-13-45",
        ["'2024-13-45' is not a valid date"],
    ),
    (
        _janu("priority: 1\n", "priority: !!int one\n"),
        "yaml",
        "!!int one",
        ["'one' is not a valid whole number"],
    ),
]


@pytest.mark.parametrize(
    ("text", "field", "needle", "words"), TYPOS, ids=[f"{t[1]}:{t[2]}" for t in TYPOS]
)
def test_typo_of_any_type_is_a_precise_issue(tmp_path, text, field, needle, words):
    issues, _, _ = _load(tmp_path, text)
    matching = [i for i in issues if i.field.startswith(field) or i.field.endswith(field)]
    assert matching, "\n".join(map(str, issues))
    issue = next((i for i in matching if i.line == _line(text, needle)), matching[0])
    assert issue.line == _line(text, needle), str(issue)
    for word in words:
        assert word in issue.message, str(issue)


def test_alias_bomb_is_refused_at_once(tmp_path):
    issues, seconds, peak = _load(tmp_path, BOMB)
    assert [i.field for i in issues] == ["yaml"]
    assert "once aliases are expanded" in issues[0].message
    assert seconds < 1.0 and peak < 20e6, (seconds, peak)


def test_a_small_alias_in_a_text_field_is_reported_briefly(tmp_path):
    text = _bomb(levels=4, width=9) + _description("*a3")
    issues, _, _ = _load(tmp_path, text)
    (issue,) = [i for i in issues if i.field == "pose.description"]
    assert issue.message.startswith("expected non-empty text, got [[[")
    assert len(issue.message) < 120


def test_aliases_used_sensibly_still_load(tmp_path):
    text = _janu("    views: [side, diagonal]\n", "    views: &both [side, diagonal]\n")
    text = text.replace("    views: [side, diagonal]\n", "    views: *both\n")
    path = tmp_path / "aliases.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_rules(path).measures["hip_angle"].views == {"side", "diagonal"}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a: &a [*a]\n", "inside its own anchor"),
        ("a: *nowhere\n", "undefined alias"),
        (
            "a: &x 1\nb: [" + ", ".join(["*x"] * (MAX_ALIASES + 1)) + "]\n",
            f"more than {MAX_ALIASES} aliases",
        ),
        ("a: " + "[" * 100_000 + "]" * 100_000 + "\n", f"nested more than {MAX_DEPTH} deep"),
        ("a: " + "{a: " * 50_000 + "1" + "}" * 50_000 + "\n", f"nested more than {MAX_DEPTH}"),
        ("a:\n" + "".join(" " * i + "- \n" for i in range(60)), f"nested more than {MAX_DEPTH}"),
        ("a: [" + "1, " * (MAX_VALUES + 10) + "]\n", f"more than {MAX_VALUES} values"),
        ("a: " + "9" * 5000 + "\n", "a number of 5000 characters"),
        ("a: 0x" + "f" * 5000 + "\n", "a number of 5002 characters"),
        ("a: 1" + ":59" * 5000 + "\n", "a number of 15001 characters"),
        ("a: x\n" + "b: " + "x" * MAX_BYTES + "\n", f"larger than {MAX_BYTES // 1024} KB"),
        ("a: x\nb: \x00\n", "the character U+0000 is not allowed"),
        ("a: !!python/object/apply:os.system ['true']\n", "could not determine a constructor"),
        ("a: !!bool maybe\n", "'maybe' is not a valid true or false"),
        ("a: !!map x\n", "expected a mapping"),
        ("a: !!seq x\n", "expected a list"),
        ("a: 1\na: 2\n", "duplicate key 'a'"),
        ("? [a, b]\n: 1\n", "not plain text"),
    ],
    ids=[
        "recursive-alias",
        "undefined-alias",
        "too-many-aliases",
        "deep-flow-list",
        "deep-flow-mapping",
        "deep-block",
        "too-many-values",
        "long-number",
        "long-hex",
        "long-sexagesimal",
        "too-big",
        "nul",
        "python-tag",
        "bad-bool",
        "map-tag-on-text",
        "seq-tag-on-text",
        "duplicate-key",
        "list-as-key",
    ],
)
def test_hostile_yaml_is_refused_quickly_with_a_line(tmp_path, text, words):
    issues, seconds, peak = _load(tmp_path, text)
    assert words in issues[0].message, str(issues[0])
    assert seconds < 1.0 and peak < 100e6, (seconds, peak)


def test_merge_keys_may_override_but_keys_may_not_repeat(tmp_path):
    path = tmp_path / "merge.yaml"
    path.write_text("base: &b {x: 1, y: 2}\nc: {<<: *b, x: 3}\n", encoding="utf-8")
    with pytest.raises(RuleFileError) as caught:
        load_rules(path)
    assert "duplicate" not in str(caught.value)  # x overrides the merged x: not a duplicate


def test_bytes_that_are_not_utf8_name_their_line(tmp_path):
    issues, _, _ = _load(tmp_path, b"a: 1\nb: caf\xe9\n")
    assert issues[0].line == 2 and "not UTF-8" in issues[0].message


def test_a_long_value_is_never_echoed_whole(tmp_path):
    long_text = "x" * 200_000
    issues, _, _ = _load(tmp_path, _janu("type: joint_angle", f"type: {long_text}"))
    (issue,) = [i for i in issues if i.field.endswith(".type")]
    assert len(issue.message) < 400 and "xxxx…" in issue.message


def test_very_many_problems_stop_at_a_bound(tmp_path):
    start = JANU.index("  - id: sit_upright")
    rule = JANU[start : JANU.index("\n  - id:", start) + 1]
    bad = rule.replace("phases: [folded_in, upright]", "phases: [folde]")
    assert bad != rule
    text = JANU.replace(rule, rule + bad * 150)
    issues, seconds, _ = _load(tmp_path, text)
    assert len(issues) == MAX_ISSUES + 1 and "stopped after" in issues[-1].message
    assert seconds < 1.0


# -- through the command line ----------------------------------------------------------------
CLI_CASES = {"views_nested": VIEWS_NESTED, "phases_list": PHASES_LIST, "alias_bomb": BOMB}


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    for name, text in CLI_CASES.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", sorted(CLI_CASES))
def test_cli_reports_a_bad_rules_file_without_traceback(rules_dir, name, capsys):
    path = rules_dir / f"{name}.yaml"
    assert main(["rules", "check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path.name}:" in out and "Traceback" not in out
    assert re.search(rf"{re.escape(path.name)}:\d+: \S+", " ".join(out.split()))

    for command in (["check", "photo.png"], ["analyze", "--no-video"]):
        argv = [*command, "--rules-dir", str(rules_dir), "--pose", name]
        assert main(argv) == 2, argv
        captured = capsys.readouterr()
        err = " ".join(captured.err.split())
        assert "error:" in err and f"{path.name}:" in err, err
        assert "Traceback" not in captured.out + captured.err


def test_poses_lists_bad_files_as_invalid(rules_dir, capsys):
    assert main(["poses", "--rules-dir", str(rules_dir)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    for name in CLI_CASES:
        assert f"{name}.yaml" in out
    assert out.count("Invalid rules file") == len(CLI_CASES) and "janu_sirsasana" in out


def test_markup_in_a_rule_file_is_printed_as_written(tmp_path, capsys):
    path = tmp_path / "markup.yaml"
    text = re.sub(r"(?m)^  english: .*$", "  english: 'Head [/x] to [bold]knee'", JANU, count=1)
    path.write_text(text, encoding="utf-8")
    assert main(["rules", "check", str(path)]) == 0
    assert "Head [/x] to [bold]knee" in capsys.readouterr().out
    assert main(["poses", "--rules-dir", str(tmp_path)]) == 0
    assert "[/x]" in capsys.readouterr().out


def test_the_alias_bomb_does_not_hang_the_real_command(rules_dir):
    result = subprocess.run(
        [sys.executable, "-m", "aligncheck", "rules", "check", str(rules_dir / "alias_bomb.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr[-2000:]
    assert "once aliases are expanded" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
