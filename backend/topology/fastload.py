"""A fast read of topology text into plain data, for callers that only need the model.

The round-trip parser (ruamel.yaml, pure Python) keeps comments and positions but needs ~2 s
for a file of 1,000 namespaces; the daemon and the CLI only need the meaning. libyaml (through
PyYAML's C loader) reads the same text in a tenth of that. PyYAML resolves scalars by YAML 1.1
(``yes`` is true, ``0755`` is octal, ``1:20`` is a number), ruamel.yaml by YAML 1.2, so the
loader here uses YAML 1.2's core schema: both readers give the same data for the same text.

Anything unusual (no C loader, a duplicate key, a syntax error) returns None, and the caller
falls back to the round-trip parser, which explains the problem with its line and column.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from netwright.backend.topology.bounds import MAX_TEXT_BYTES
from netwright.backend.topology.problems import Problem, TopologyError

# Without libyaml (a PyYAML built without it) the fast path is off: the slow path still works.
_C_LOADER: Any = getattr(yaml, "CSafeLoader", None)

# ruamel.yaml's YAML 1.2 resolvers (ruamel/yaml/resolver.py), so both readers agree.
_CORE_SCHEMA = [
    ("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"]),
    ("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), [*"~nN", ""]),
    ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
     list("tTfF")),
    ("tag:yaml.org,2002:float", re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""", re.X), list("-+0123456789.")),
    ("tag:yaml.org,2002:int", re.compile(
        r"""^(?:[-+]?0b[0-1_]+
        |[-+]?0o?[0-7_]+
        |[-+]?[0-9_]+
        |[-+]?0x[0-9a-fA-F_]+)$""", re.X), list("-+0123456789")),
    ("tag:yaml.org,2002:timestamp", re.compile(
        r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
        (?:[Tt]|[ \t]+)[0-9][0-9]?
        :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
        (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""", re.X), list("0123456789")),
]


class _DuplicateKeyError(Exception):
    pass


class _Core12Loader(_C_LOADER or yaml.SafeLoader):  # type: ignore[misc]
    """libyaml's parser with YAML 1.2 core-schema scalars and no duplicate keys."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)  # merge keys; an overridden merged key reads as a twin
        keys = [self.construct_object(key, deep=True) for key, _ in node.value]
        hashable = [k for k in keys if isinstance(k, str | int | float | bool) or k is None]
        if len(set(hashable)) != len(hashable) or len(hashable) != len(keys):
            raise _DuplicateKeyError
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]

    def construct_yaml_int(self, node: Any) -> int:
        value = str(self.construct_scalar(node)).replace("_", "")
        sign = -1 if value.startswith("-") else 1
        digits = value.lstrip("+-")
        for prefix, base in (("0b", 2), ("0o", 8), ("0x", 16)):
            if digits.startswith(prefix):
                return sign * int(digits[2:], base)
        return sign * int(digits, 10)  # YAML 1.2: a leading 0 is not octal

    def construct_yaml_float(self, node: Any) -> float:
        value = str(self.construct_scalar(node)).replace("_", "").lower()
        if value.endswith("inf"):
            return float("-inf") if value.startswith("-") else float("inf")
        return float("nan") if value == ".nan" else float(value)

_Core12Loader.yaml_implicit_resolvers = {}  # none of YAML 1.1's: only the core schema below
for _tag, _pattern, _first in _CORE_SCHEMA:
    _Core12Loader.add_implicit_resolver(_tag, _pattern, _first)
_Core12Loader.add_constructor("tag:yaml.org,2002:int", _Core12Loader.construct_yaml_int)
_Core12Loader.add_constructor("tag:yaml.org,2002:float", _Core12Loader.construct_yaml_float)



def load_plain(text: str) -> Any | None:
    """The data of ``text`` by YAML 1.2 rules, or None to ask the round-trip parser."""
    loaded = load_nodes(text)
    return None if loaded is None else loaded[0]


def load_nodes(text: str) -> tuple[Any, Any] | None:
    """The data of ``text`` by YAML 1.2 rules and libyaml's node tree it was built from
    (each node knows where it starts: ``marks``), or None to ask the round-trip parser."""
    if _C_LOADER is None:
        return None
    loader = _Core12Loader(text)  # a SafeLoader subclass; yaml.load does the same
    try:
        node = loader.get_single_node()
        return (None if node is None else loader.construct_document(node)), node
    except MemoryError:  # not the text's fault: a reader's memory bound (see parser.py)
        raise
    except Exception:  # every failure is explained by the slow path
        return None
    finally:
        loader.dispose()


# Bounds shared with the round-trip reader (yamltree): the input may come from an
# unprivileged D-Bus caller.
MAX_DEPTH = 32
MAX_NODES = 200_000


def within_bounds(text: str) -> bool:
    """Whether ``text`` is within the size and nesting bounds, so that libyaml may read it
    (the round-trip reader refuses the rest, each bound with its own sentence)."""
    return (len(text.encode("utf-8", errors="replace")) <= MAX_TEXT_BYTES
            and flow_depth(text) <= MAX_DEPTH)


def input_problem(code: str, message: str, line: int = 0, column: int = 0) -> Problem:
    """A problem of the input as a whole (no model path): size, depth, syntax."""
    return Problem("error", code, (), message, line, column)


def flow_depth(text: str) -> int:
    """Deepest nesting of [ and { outside quotes and comments, found without parsing.

    ruamel.yaml takes seconds on thousands of nested brackets; this scan takes microseconds
    and lets such input be refused before the parser sees it.
    """
    depth = deepest = 0
    quote = ""
    for line in text.splitlines():
        quote = "" if quote == "'" else quote
        previous = ""
        for char in line:
            if quote:
                if char == quote and previous != "\\":
                    quote = ""
            elif char in "\"'" and previous in " [{,:":
                quote = char
            elif char == "#" and previous in " \t":
                break
            elif char in "[{":
                depth += 1
                deepest = max(deepest, depth)
            elif char in "]}":
                depth = max(depth - 1, 0)
            previous = char
    return deepest


class _Budget:
    def __init__(self) -> None:
        self.nodes = 0


def to_plain(tree: Any) -> Any:
    """Convert the round-trip tree to plain dicts, lists and scalars for the model.

    Bounded: aliases could otherwise expand a small file into a huge structure.
    """
    return _plain(tree, 0, _Budget())


def _plain(node: Any, depth: int, budget: _Budget) -> Any:
    budget.nodes += 1
    if budget.nodes > MAX_NODES:
        raise TopologyError(
            [input_problem("too-large", f"the file has more than {MAX_NODES} values")]
        )
    if depth > MAX_DEPTH:
        raise TopologyError(
            [input_problem("too-deep", f"the file nests deeper than {MAX_DEPTH} levels")]
        )
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if isinstance(key, dict | list | tuple):
                raise TopologyError([input_problem("wrong-type", "a key must be a plain word")])
            out[str(key)] = _plain(value, depth + 1, budget)
        return out
    if isinstance(node, list):
        return [_plain(item, depth + 1, budget) for item in node]
    if isinstance(node, bool | int | float | str) or node is None:
        if isinstance(node, str):
            return str(node)  # drop ruamel's scalar string subclasses
        if isinstance(node, bool):
            return bool(node)
        if isinstance(node, int):
            return int(node)
        return float(node) if isinstance(node, float) else node
    value = getattr(node, "value", None)  # tagged scalars: keep the text, drop the tag
    if isinstance(value, str):
        return value
    return str(node)
