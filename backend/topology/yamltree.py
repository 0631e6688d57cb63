"""Reading YAML text into a round-trip tree, bounded, and pointing back into it.

The round-trip tree (ruamel.yaml) is what keeps comments and key order; it is also where line
and column numbers come from. Input may come from an unprivileged D-Bus caller, so reading is
bounded in size, depth and node count, and every failure becomes a TopologyError.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator, Sequence
from itertools import pairwise
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from netwright.backend.topology.bounds import MAX_TEXT_BYTES
from netwright.backend.topology.fastload import MAX_DEPTH, flow_depth
from netwright.backend.topology.fastload import input_problem as _problem
from netwright.backend.topology.problems import PathPart, Problem, TopologyError
from netwright.backend.topology.yaml_words import yaml_reason_in_words


def make_yaml(mapping: int = 2, sequence: int = 2, offset: int = 0) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line the user wrote on one line
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _content_lines(text: str) -> list[tuple[int, str]]:
    lines = []
    for raw in text.splitlines():
        stripped = raw.lstrip(" ")
        if stripped and not stripped.startswith("#"):
            lines.append((len(raw) - len(stripped), stripped))
    return lines


def guess_indent(text: str) -> tuple[int, int, int]:
    """The block indentation a file uses: (mapping, sequence, dash offset), for re-emitting.

    Looks at each ``key:`` that opens a block and at the line under it; the most common step
    wins. Defaults to ruamel's 2/2/0 when the file has no nested blocks.
    """
    mapping_steps: dict[int, int] = {}
    sequence_steps: dict[tuple[int, int], int] = {}
    lines = _content_lines(text)
    for (indent, line), (next_indent, next_line) in pairwise(lines):
        head = line.split(" #", 1)[0].rstrip()
        if not head.endswith(":") or next_indent < indent:
            continue
        if next_line.startswith("- ") or next_line == "-":
            after_dash = len(next_line) - len(next_line[1:].lstrip(" "))
            step = (next_indent - indent + after_dash, next_indent - indent)
            sequence_steps[step] = sequence_steps.get(step, 0) + 1
        elif next_indent > indent:
            mapping_steps[next_indent - indent] = mapping_steps.get(next_indent - indent, 0) + 1
    mapping = max(mapping_steps, key=lambda k: mapping_steps[k]) if mapping_steps else 2
    sequence, offset = (
        max(sequence_steps, key=lambda k: sequence_steps[k]) if sequence_steps else (mapping, 0)
    )
    if not 1 <= mapping <= 10 or not 0 <= offset < sequence <= 12:
        return 2, 2, 0
    return mapping, sequence, offset


def parse_yaml(text: str) -> tuple[Any, YAML]:
    """Parse text into a round-trip tree; return the tree and an emitter matching its indent."""
    if len(text.encode("utf-8", errors="replace")) > MAX_TEXT_BYTES:
        raise TopologyError(
            [_problem("too-large", f"the file is larger than {MAX_TEXT_BYTES // 1024} KiB")]
        )
    if "\x00" in text:
        raise TopologyError([_problem("yaml-syntax", "the file contains a NUL byte: not text")])
    if flow_depth(text) > MAX_DEPTH:
        raise TopologyError(
            [_problem("too-deep", f"the file nests deeper than {MAX_DEPTH} levels")]
        )
    try:
        yaml = make_yaml(*guess_indent(text))
        tree = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        reason = yaml_reason_in_words(exc.problem or exc.context or "the text is not valid YAML")
        raise TopologyError(
            [_problem("yaml-syntax", f"not valid YAML: {reason}", line, column)]
        ) from None
    except RecursionError:
        raise TopologyError(
            [_problem("too-deep", f"the file nests deeper than {MAX_DEPTH} levels")]
        ) from None
    except MemoryError:  # the reader's memory bound, not the text's fault: its caller's
        raise
    except Exception:  # ruamel raises a zoo of types on hostile input: say what it tripped on
        raise TopologyError([_unreadable(text)]) from None
    return tree, yaml


def _unreadable(text: str) -> Problem:
    """Why ruamel failed with an exception that is not a YAML error, found in the composed
    node graph (composing builds no values, so it survives what constructing did not)."""
    try:
        root = YAML(typ="rt").compose(text)
    except MemoryError:
        raise
    except Exception:
        root = None
    for problem in _node_problems(root, []):
        return problem
    return _problem("yaml-syntax", "not valid YAML: the parser could not build values from it")


def _node_problems(node: Any, ancestors: list[Any]) -> Iterator[Problem]:
    """Merge keys that merge a mapping into itself, and numbers too long to convert."""
    if node is None or any(node is a for a in ancestors) or len(ancestors) > MAX_DEPTH:
        return
    tag = str(getattr(node.tag, "value", node.tag))
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    if tag == "tag:yaml.org,2002:int":
        digits = sum(c.isdigit() for c in str(node.value))
        limit = sys.get_int_max_str_digits()
        if limit and digits > limit:
            yield _problem("too-large", f"this number has {digits:,} digits, more than the"
                           f" {limit:,} a number may have; no topology value needs more than a"
                           " few", line, column)
        return
    if not isinstance(node.value, list):
        return
    inner = [*ancestors, node]
    for item in node.value:
        key, value = item if isinstance(item, tuple) else (None, item)
        if key is not None and str(getattr(key.tag, "value", key.tag)).endswith(":merge"):
            merged = value.value if isinstance(value.value, list) and not any(
                isinstance(v, tuple) for v in value.value) else [value]
            for source in merged:
                if any(source is a for a in inner):
                    yield _problem(
                        "yaml-syntax", "this merge key ('<<') merges a mapping that contains it"
                        f"{' (&' + source.anchor + ')' if source.anchor else ''}, a loop with no"
                        " end: merge another mapping, or copy the keys here",
                        key.start_mark.line + 1, key.start_mark.column + 1)
                    return
        for child in (key, value):
            yield from _node_problems(child, inner)


def dump_yaml(tree: Any, yaml: YAML) -> str:
    stream = io.StringIO()
    yaml.dump(tree, stream)
    return stream.getvalue()


def locate(tree: Any, path: Sequence[PathPart], at_key: bool = False) -> tuple[int, int]:
    """1-based line and column of the deepest node of ``path`` present in the tree.

    With ``at_key`` the position of the last key itself is returned (for "unknown key").
    Nodes added by an edit have no position yet: the nearest positioned ancestor stands in.
    """
    line, column = 1, 1
    node = tree
    try:
        return _walk(node, path, at_key, line, column)
    except (KeyError, IndexError, TypeError):
        return _walk(node, path, at_key, line, column, tolerant=True)


def _walk(  # noqa: PLR0917 - the walk's state, passed once
    node: Any, path: Sequence[PathPart], at_key: bool, line: int, column: int,
    tolerant: bool = False,
) -> tuple[int, int]:
    for index, part in enumerate(path):
        if tolerant and not _positioned(node, part):
            break
        last = index == len(path) - 1
        if isinstance(node, CommentedMap):
            key = _find_key(node, part)
            if key is None:
                break
            if last and at_key:
                kl, kc = node.lc.key(key)
                return kl + 1, kc + 1
            child = node[key]
            if isinstance(child, CommentedMap | CommentedSeq):
                kl, kc = node.lc.key(key)  # a whole section: point at its key
                line, column = kl + 1, kc + 1
            else:
                line, column = _value_position(node, key)
            node = child
        elif isinstance(node, CommentedSeq) and isinstance(part, int):
            if not 0 <= part < len(node):
                break
            il, ic = node.lc.item(part)
            line, column = il + 1, ic + 1
            node = node[part]
        else:
            break
    return line, column


def _positioned(node: Any, part: PathPart) -> bool:
    """Whether ruamel recorded where ``part`` of ``node`` is (nodes loaded from text are)."""
    try:
        if isinstance(node, CommentedMap):
            key = _find_key(node, part)
            return key is not None and node.lc.key(key) is not None
        if isinstance(node, CommentedSeq) and isinstance(part, int):
            return node.lc.item(part) is not None
    except (KeyError, IndexError, TypeError):
        return False
    return False


def _find_key(node: CommentedMap, part: PathPart) -> Any:
    if part in node:
        return part
    for key in node:
        if str(key) == str(part):
            return key
    return None


def _value_position(node: CommentedMap, key: Any) -> tuple[int, int]:
    try:
        vl, vc = node.lc.value(key)
    except (KeyError, TypeError):
        vl, vc = node.lc.key(key)
    return vl + 1, vc + 1
