"""Safe YAML loading that remembers where every value came from.

:func:`load_with_lines` parses with PyYAML's ``SafeLoader`` (no Python objects are ever
constructed from tags) and returns plain dicts and lists whose mappings are :class:`LineDict`:
a ``dict`` that also knows the line of each key, so validation errors can say "line 42".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


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
    """SafeLoader that builds LineDict / LineList instead of dict / list."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) and key is not None:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                "found an unhashable key",
                key_node.start_mark,
            )
        key = str(key)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                f"found duplicate key {key!r}",
                key_node.start_mark,
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    items = LineList(loader.construct_object(child, deep=True) for child in node.value)
    items.line = node.start_mark.line + 1
    items.item_lines = [child.start_mark.line + 1 for child in node.value]
    return items


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_with_lines(path: Path) -> Any:
    """Parse ``path`` safely; raises ``yaml.YAMLError`` (with a mark) on malformed YAML."""
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_LineLoader)
