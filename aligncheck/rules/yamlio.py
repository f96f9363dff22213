"""Safe, bounded YAML reading that remembers where every value came from.

:func:`load_with_lines` parses with PyYAML's ``SafeLoader`` (no Python objects are ever
constructed from tags) and returns plain dicts and lists whose mappings are :class:`LineDict`:
a ``dict`` that also knows the line of each key, so validation errors can say "line 42".

Rule files are shared between teachers, so reading one is bounded in time and memory whatever
it holds: the file size, the nesting depth, the number of aliases and the number of values
after expanding aliases ("billion laughs") are all limited, and so is the length of a number
(Python's big integers make very long ones slow). Every refusal is a :class:`RuleFileError`
with the line where the limit was crossed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.scanner import ScannerError

from aligncheck.rules.issues import RuleFileError, RuleIssue, brief, field_name

#: A rule file is a few tens of KB; anything much bigger is a mistake or an attack.
MAX_BYTES = 256 * 1024
#: Lists and mappings inside one another, aliases expanded (the bundled files use 5).
MAX_DEPTH = 24
#: Aliases (``*name``) in one file.
MAX_ALIASES = 100
#: Values (scalars, lists, mappings) in the document once every alias is expanded.
MAX_VALUES = 10_000
#: Characters in one number.
MAX_NUMBER_CHARS = 1000

_TAG = "tag:yaml.org,2002:"
_NUMBER_TAGS = frozenset({_TAG + "int", _TAG + "float"})


class LineDict(dict):
    """A dict from YAML that records the 1-based line of the mapping and of each key."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """Line of ``key`` if present, else the line of the mapping itself."""
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A list from YAML that records its own line and each item's line."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        """Line of item ``index`` (the list's line if out of range)."""
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that enforces the limits and builds LineDict / LineList."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        #: (values, depth) of every finished node once its aliases are expanded, by id.
        self.expanded: dict[int, tuple[int, int]] = {}
        self.values = 0
        self.aliases = 0
        self.depth = 0
        self.open_anchors: list[str] = []

    def fetch_flow_collection_start(self, TokenClass: type) -> None:
        # Refused here, in the scanner: it looks ahead at every open bracket, so thousands of
        # them would cost seconds before the composer saw the first too deep.
        if self.flow_level >= MAX_DEPTH:
            raise ScannerError(
                None, None, f"values nested more than {MAX_DEPTH} deep", self.get_mark()
            )
        super().fetch_flow_collection_start(TokenClass)

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            return self._alias(parent, index, event)
        collection = isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent)
        self.depth += collection
        if self.depth > MAX_DEPTH:
            raise ComposerError(
                None, None, f"values nested more than {MAX_DEPTH} deep", event.start_mark
            )
        if collection and event.anchor is not None:
            self.open_anchors.append(event.anchor)
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= collection
            if collection and event.anchor is not None:
                self.open_anchors.pop()
        self._count(node, 1, event.start_mark)
        if node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_CHARS:
            raise ComposerError(
                None,
                None,
                f"a number of {len(node.value)} characters (at most {MAX_NUMBER_CHARS})",
                node.start_mark,
            )
        return node

    def _alias(self, parent: Node | None, index: Any, event: yaml.AliasEvent) -> Node:
        self.aliases += 1
        if self.aliases > MAX_ALIASES:
            raise ComposerError(
                None, None, f"more than {MAX_ALIASES} aliases in one file", event.start_mark
            )
        if event.anchor in self.open_anchors:
            raise ComposerError(
                None,
                None,
                f"alias *{field_name(event.anchor)} is inside its own anchor (a loop)",
                event.start_mark,
            )
        node = super().compose_node(parent, index)  # undefined aliases are refused here
        values, depth = self.expanded[id(node)]
        if self.depth + depth > MAX_DEPTH:
            raise ComposerError(
                None,
                None,
                f"alias *{field_name(event.anchor)} nests values more than {MAX_DEPTH} deep",
                event.start_mark,
            )
        self._count(node, values, event.start_mark, alias=event.anchor)
        return node

    def _count(self, node: Node, values: int, mark: yaml.Mark, alias: str | None = None) -> None:
        """Add ``values`` to the document's total; remember ``node``'s expanded size."""
        self.values += values
        if self.values > MAX_VALUES:
            what = f"alias *{field_name(alias)} ({values} values)" if alias else "this value"
            raise ComposerError(
                None,
                None,
                f"with {what} the file holds more than {MAX_VALUES} values"
                " once aliases are expanded",
                mark,
            )
        if id(node) in self.expanded:
            return
        children: list[Node] = []
        if isinstance(node, SequenceNode):
            children = node.value
        elif isinstance(node, MappingNode):
            children = [n for pair in node.value for n in pair]
        sizes = [self.expanded[id(c)] for c in children]
        self.expanded[id(node)] = (
            1 + sum(s[0] for s in sizes),
            (not isinstance(node, ScalarNode)) + max((s[1] for s in sizes), default=0),
        )


def _construct_mapping(loader: _LineLoader, node: Node) -> LineDict:
    if not isinstance(node, MappingNode):
        raise ConstructorError(None, None, f"expected a mapping, found {node.id}", node.start_mark)
    explicit = sum(key.tag != _TAG + "merge" for key, _ in node.value)
    loader.flatten_mapping(node)
    merged = len(node.value) - explicit  # merged keys come first; explicit ones override them
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    written: set[str] = set()
    for position, (key_node, value_node) in enumerate(node.value):
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) and key is not None:
            raise ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                "found a key that is not plain text",
                key_node.start_mark,
            )
        key = str(key)
        if position >= merged:
            if key in written:
                raise ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {brief(key)}",
                    key_node.start_mark,
                )
            written.add(key)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_sequence(loader: _LineLoader, node: Node) -> LineList:
    if not isinstance(node, SequenceNode):
        raise ConstructorError(None, None, f"expected a list, found {node.id}", node.start_mark)
    items = LineList(loader.construct_object(child, deep=True) for child in node.value)
    items.line = node.start_mark.line + 1
    items.item_lines = [child.start_mark.line + 1 for child in node.value]
    return items


def _checked(construct: Callable[[SafeConstructor, Node], Any], what: str) -> Callable[..., Any]:
    """``construct`` turning PyYAML's stray ValueError & co into a ConstructorError with a line.

    PyYAML trusts explicit tags and the resolver: ``!!int abc``, ``!!bool maybe`` or the date
    ``2024-13-45`` otherwise end in an exception with no position.
    """

    def checked(loader: SafeConstructor, node: Node) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, KeyError, AttributeError, OverflowError) as exc:
            raise ConstructorError(
                None, None, f"{brief(node.value)} is not a valid {what}", node.start_mark
            ) from exc

    return checked


_LineLoader.add_constructor(_TAG + "map", _construct_mapping)
_LineLoader.add_constructor(_TAG + "seq", _construct_sequence)
for _suffix, _what in (
    ("int", "whole number"),
    ("float", "number"),
    ("bool", "true or false"),
    ("timestamp", "date"),
):
    _LineLoader.add_constructor(
        _TAG + _suffix, _checked(SafeConstructor.yaml_constructors[_TAG + _suffix], _what)
    )


def _issue(path: Path, line: int, message: str) -> RuleFileError:
    return RuleFileError([RuleIssue(path, line, "yaml", message)])


def _read_text(path: Path) -> str:
    """The file's text, refused when it is too big, unreadable or not UTF-8."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise RuleFileError([RuleIssue(path, 0, "file", f"cannot read it: {reason}")]) from exc
    if len(data) > MAX_BYTES:
        line = data.count(b"\n", 0, MAX_BYTES) + 1
        message = (
            f"larger than {MAX_BYTES // 1024} KB (the limit falls on line {line}); "
            "a rule file is a few tens of KB"
        )
        raise RuleFileError([RuleIssue(path, line, "file", message)])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _issue(
            path, line, f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8"
        ) from exc


def load_with_lines(path: Path) -> Any:
    """Parse ``path`` safely within the limits; raise :class:`RuleFileError` with the line of
    the first YAML problem."""
    text = _read_text(path)
    loader = None
    try:
        loader = _LineLoader(text)  # refuses unprintable characters at once
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(exc.problem or exc.context or "not valid YAML").split())
        raise _issue(path, mark.line + 1 if mark else 0, problem[:200]) from exc
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        message = f"the character U+{code:04X} is not allowed in YAML; remove it"
        raise _issue(path, line, message) from exc
    finally:
        if loader is not None:
            loader.dispose()
