"""Fuzzing the rule loader: whatever a rule file holds, loading it ends well and quickly.

Starting from the bundled Janu Sirsasana rules and the Dandasana example, Hypothesis replaces
the value at any field path with a wrong type (nested lists, mappings, None, bools, huge or
non-finite numbers, hostile unicode, very long text), splices raw YAML in (anchors and
aliases, alias bombs, deep nesting, explicit tags), deletes keys and duplicates or breaks
lines. The properties, for every file:

- :func:`load_rules` returns a RuleSet or raises :class:`RuleFileError`, nothing else;
- one load takes under 1 s of CPU and under 100 MB of memory (tracemalloc);
- every issue names the file, a line (>= 1) and a field, in a message of bounded length.

The runs are derandomized and keep no example database, so CI sees the same examples on
every run; the whole file runs in a few tens of seconds on a busy machine.
"""

from __future__ import annotations

import copy
import gc
import math
import os
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from aligncheck.rules.loader import RuleFileError, RuleIssue, load_rules
from aligncheck.rules.schema import RuleSet

ROOT = Path(__file__).resolve().parent.parent
BASES = {
    "janu": ROOT / "rules" / "janu_sirsasana.yaml",
    "dandasana": ROOT / "tests" / "data" / "dandasana_example.yaml",
}
DOCS = {name: yaml.safe_load(path.read_text(encoding="utf-8")) for name, path in BASES.items()}

MAX_SECONDS = 1.0
MAX_BYTES = 100 * 1024 * 1024
#: A generous bound on one issue's text: values are quoted at 60 characters at most.
MAX_MESSAGE = 600

#: Examples per test are multiplied by this (environment variable ALIGNCHECK_FUZZ_SCALE) for a
#: deeper run by hand; CI runs the default.
SCALE = max(1, int(os.environ.get("ALIGNCHECK_FUZZ_SCALE", "1")))
FUZZ = settings(
    max_examples=20 * SCALE,
    deadline=None,  # time is checked as CPU time in _check, not as wall time
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: each example costs a load
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SENTINEL = "__fuzz_raw_yaml__"


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path (keys and indices) to a value in ``value``, the root excluded."""
    found = []
    if isinstance(value, dict):
        items: list[tuple[Any, Any]] = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    else:
        return []
    for key, child in items:
        found.append((*prefix, key))
        found.extend(_paths(child, (*prefix, key)))
    return found


PATHS = {name: _paths(doc) for name, doc in DOCS.items()}
#: A base file, then a field path in it: the small example is drawn as often as the big one.
CASES = st.sampled_from(sorted(PATHS)).flatmap(
    lambda name: st.tuples(st.just(name), st.sampled_from(PATHS[name]))
)


def _replace(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    doc = copy.deepcopy(doc)
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return doc


def _delete(doc: Any, path: tuple[Any, ...]) -> Any:
    doc = copy.deepcopy(doc)
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    return doc


_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's is 5 times faster


def _dump(doc: Any, unicode: bool = True) -> str:
    options = {"allow_unicode": unicode, "sort_keys": False, "width": 10_000}
    try:
        return yaml.dump(doc, Dumper=_DUMPER, **options)
    except UnicodeEncodeError:  # libyaml refuses lone surrogates; PyYAML's own escapes them
        return yaml.dump(doc, Dumper=yaml.SafeDumper, **options)


def _check(path: Path) -> RuleSet | list[RuleIssue]:
    """Load ``path`` under the properties; the RuleSet, or the issues of the rejection.

    The load is timed untraced, then repeated under tracemalloc for its peak memory (tracing
    makes it several times slower, which would blur the time).
    """
    result: RuleSet | list[RuleIssue]
    gc.disable()  # so that no collection of the test's own garbage is timed
    start = time.process_time()
    try:
        result = load_rules(path)
    except RuleFileError as exc:
        result = exc.issues
    finally:
        elapsed = time.process_time() - start
        gc.enable()
    assert elapsed < MAX_SECONDS, f"{elapsed:.2f} s CPU to load {path}"
    tracemalloc.start()
    try:
        load_rules(path)
    except RuleFileError:
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < MAX_BYTES, f"{peak / 1e6:.0f} MB to load {path}"
    if isinstance(result, list):
        assert result, "a rejection with no issue"
        for issue in result:
            assert issue.path == path
            assert issue.line >= 1, str(issue)
            assert issue.field.strip(), str(issue)
            assert len(issue.message) < MAX_MESSAGE, issue.message[:200]
            assert len(issue.field) < MAX_MESSAGE, issue.field[:200]
            str(issue).encode("utf-8")  # printable: no lone surrogate
    return result


# -- values of the wrong type ---------------------------------------------------------------
HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "nul \x00 in text",
    "\ud800",
    "bell \x07",
    "שלום עולם",  # Hebrew, right to left
    "مرحبا بالعالم",  # Arabic, right to left
    "\u202egnp.exe",  # right-to-left override
    "🧘\u200d♀️ 🙏🏽",
    "Jānuśīrṣāsana जानुशीर्षासन",
    "[/x] [bold]markup[/bold]",
    "*alias &anchor !!tag",
    "mid(LEFT_HIP, RIGHT_HIP",
    "mid(",
    "LEFT_" * 200,
    "x" * 100_000,
    "lol " * 20_000,
]
NUMBERS = [
    0,
    -1,
    -0.0,
    1e308,
    -1e308,
    5e-324,
    10**400,
    -(10**400),
    2**63,
    math.nan,
    math.inf,
    -math.inf,
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(NUMBERS),
    st.integers(),
    st.floats(),
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=40),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=10), inner, max_size=4),
    ),
    max_leaves=12,
)


@FUZZ
@given(case=CASES, value=values, unicode=st.booleans())
def test_any_value_at_any_field(workdir: Path, case, value, unicode):
    name, path = case
    file = workdir / "value.yaml"
    file.write_text(_dump(_replace(DOCS[name], path, value), unicode), encoding="utf-8")
    _check(file)


@settings(FUZZ, max_examples=12 * SCALE)
@given(case=CASES)
def test_a_key_or_item_deleted(workdir: Path, case):
    name, path = case
    file = workdir / "deleted.yaml"
    file.write_text(_dump(_delete(DOCS[name], path)), encoding="utf-8")
    _check(file)


# -- raw YAML spliced in at a field ----------------------------------------------------------
def _bomb(depth: int, width: int) -> str:
    """Anchors and aliases that expand to width ** depth values: a flow 'billion laughs'."""
    text = '&l0 ["lol", "lol"]'
    for level in range(1, depth + 1):
        text = f"&l{level} [{text}, " + ", ".join([f"*l{level - 1}"] * (width - 1)) + "]"
    return text


RAW = [
    "[" * 30 + "]" * 30,
    "[" * 5000 + "]" * 5000,
    "{a: " * 40 + "1" + "}" * 40,
    "[[side], diagonal]",
    "[[upright], [fold]]",
    "{measure: [x]}",
    "&a [*a]",
    "&m {<<: *m}",
    "*nowhere",
    "{<<: 5}",
    "!!int abc",
    "!!float abc",
    "!!bool maybe",
    "!!timestamp not-a-date",
    "2024-13-45",
    "!!binary '!!!'",
    "!!set {a, b}",
    "!!omap [a: 1, b: 2]",
    "!!pairs [a: 1]",
    "!!map abc",
    "!!seq abc",
    "!!str [1, 2]",
    "!!python/object/apply:os.system ['true']",
    "!custom value",
    "1:2:3:4:5:6:7:8:9",
    "1" + ":59" * 400,
    "0x" + "f" * 900,
    "9" * 401,
    "9" * 5000,
    "1e99999",
    ".nan",
    "-.inf",
    '"\\0 nul"',
    '"\\ud800"',
    "'[/x]'",
    "? [complex, key]\n",
]


@FUZZ
@given(case=CASES, raw=st.sampled_from(RAW))
def test_raw_yaml_at_any_field(workdir: Path, case, raw):
    name, path = case
    file = workdir / "raw.yaml"
    file.write_text(
        _dump(_replace(DOCS[name], path, SENTINEL)).replace(SENTINEL, raw, 1), encoding="utf-8"
    )
    _check(file)


@settings(FUZZ, max_examples=15 * SCALE)
@given(
    case=CASES,
    depth=st.integers(1, 12),
    width=st.integers(2, 10),
    uses=st.integers(1, 3),
)
def test_alias_bomb_at_any_field(workdir: Path, case, depth, width, uses):
    name, path = case
    doc = _replace(DOCS[name], path, SENTINEL)
    top_keys = list(doc)
    for i in range(1, uses):  # the bomb's top anchor used again at other top-level keys
        doc = _replace(doc, (top_keys[i % len(top_keys)],), f"{SENTINEL}{i}")
    text = _dump(doc)
    for i in range(uses - 1, 0, -1):
        text = text.replace(f"{SENTINEL}{i}", f"*l{depth}", 1)
    file = workdir / "bomb.yaml"
    file.write_text(text.replace(SENTINEL, _bomb(depth, width), 1), encoding="utf-8")
    issues = _check(file)
    if width**depth > 20_000 * 4:
        assert isinstance(issues, list)


# -- damage to the text itself ---------------------------------------------------------------
@settings(FUZZ, max_examples=15 * SCALE)
@given(
    name=st.sampled_from(sorted(BASES)),
    line=st.integers(0, 10_000),
    how=st.sampled_from(["duplicate", "delete", "truncate", "tab", "indent", "garbage"]),
    garbage=st.text(min_size=1, max_size=8),
)
def test_damaged_lines(workdir: Path, name, line, how, garbage):
    lines = BASES[name].read_text(encoding="utf-8").splitlines(keepends=True)
    i = line % len(lines)
    if how == "duplicate":  # a duplicate key, or a repeated list item
        lines.insert(i, lines[i])
    elif how == "delete":
        del lines[i]
    elif how == "truncate":
        lines = [*lines[:i], lines[i][: len(lines[i]) // 2]]
    elif how == "tab":
        lines[i] = "\t" + lines[i]
    elif how == "indent":
        lines[i] = "   " + lines[i]
    else:
        cut = len(lines[i]) // 2
        lines[i] = lines[i][:cut] + garbage + lines[i][cut:]
    file = workdir / "damaged.yaml"
    file.write_bytes("".join(lines).encode("utf-8", "surrogatepass"))
    _check(file)


def test_the_bases_load(workdir: Path):
    for path in BASES.values():
        assert isinstance(_check(path), RuleSet)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")
