"""Where each value of a file libyaml read is: the round-trip tree's positions without it.

`netwright validate` must place every problem, warnings included, at its line and column;
the round-trip parser (ruamel.yaml, pure Python) knows them, but importing it and building
its tree is ~25 ms of a command that has ~300 (issue 23). libyaml's composed node tree has
the same positions (each node's start mark), so a file libyaml reads is placed from it here,
by the rules of ``yamltree.locate``: a section (mapping or list) at its key, a scalar at its
value, a list item at the item, the key itself for ``at_key``; the deepest node of the path
present stands in for a missing one.

Only plain files are placed here: anchors, aliases, merge keys and explicit tags (``&``,
``*``, ``<<``, ``!`` anywhere in the text) go to the round-trip parser, whose tree places
merged and aliased values its own way, and so do the few characters the two parsers count
lines by differently, and problems at an empty value (``locate_node``). Every rule's cases
compare both placements (tests/topology/rule_cases.py), as do the fuzz tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from netwright.backend.topology.problems import PathPart

#: Text with any of these may hold anchors, aliases, merge keys or tags; or a character
#: the two parsers read differently: libyaml counts YAML 1.1's line breaks (NEL, line and
#: paragraph separators) as lines where the round-trip parser (YAML 1.2) does not, takes a
#: tab before a comment that the round-trip parser refuses, and skips a byte-order mark
#: after the start that the round-trip parser reads as text. Not placed here.
_NOT_PLAIN = ("&", "*", "<<", "!", "\t", "\x85", "\u2028", "\u2029")
_BOM = "\ufeff"


def plain_text(text: str) -> bool:
    """Whether ``text`` can hold no anchor, alias, merge key, tag or character the two
    parsers read differently (see ``_NOT_PLAIN``; a byte-order mark only at the start)."""
    return not any(mark in text for mark in _NOT_PLAIN) and _BOM not in text[1:]


def locate_node(root: Any, data: Any, path: Sequence[PathPart],
                at_key: bool = False) -> tuple[int, int] | None:
    """1-based line and column of the deepest node of ``path`` in libyaml's node tree
    ``root``, whose constructed value is ``data`` (its keys name the mapping nodes' keys).

    None for an empty value (``kind:`` and nothing): the two parsers place it differently
    (libyaml right after the colon, the round-trip tree at the next token in a block and
    after the colon in a flow), and for a key that is not text (``~:``, ``1:``), so the
    round-trip parser places those.
    """
    position: tuple[int, int] | None = (1, 1)
    node = root
    for index, part in enumerate(path):
        last = index == len(path) - 1
        if isinstance(data, dict) and node.id == "mapping":
            found = _find(node, data, part)
            if found is None:
                break
            key_node, value_node, key = found
            if not isinstance(key, str):  # a null or number as a key: the round-trip tree
                return None  # keeps no position for some of them
            key_position = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if last and at_key:
                return key_position
            if value_node.id in ("mapping", "sequence"):
                position = key_position  # a whole section: point at its key
            else:
                position = _value_position(value_node)
            node, data = value_node, data[key]
        elif isinstance(data, list) and node.id == "sequence" and isinstance(part, int):
            if not 0 <= part < len(data):
                break
            node, data = node.value[part], data[part]
            position = _value_position(node)
        else:
            break
    return position


def _find(node: Any, data: dict[Any, Any], part: PathPart) -> tuple[Any, Any, Any] | None:
    """(key node, value node, key) of ``part`` in a mapping (its key as given, else the key
    whose text is ``part``, as ``yamltree`` finds it)."""
    pairs = list(zip(node.value, data, strict=True))
    for (key_node, value_node), key in pairs:
        if key == part:
            return key_node, value_node, key
    for (key_node, value_node), key in pairs:
        if str(key) == str(part):
            return key_node, value_node, key
    return None


def _value_position(node: Any) -> tuple[int, int] | None:
    """Where a node starts; None for an empty scalar (see ``locate_node``)."""
    if node.id == "scalar" and not node.value and not node.style:
        return None
    return node.start_mark.line + 1, node.start_mark.column + 1
