"""Turn pydantic's validation errors into Netwright problems users can act on.

pydantic reports union members and discriminator tags in its error locations
(``interfaces.x.ipvlan.mode``) and speaks in Python types ("Input should be a valid integer").
Users read the file, not the model: paths here follow the data, and messages name the key, the
value and what would be accepted.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from netwright.backend.topology.firewall import NAT_TAGS, nat_field_purpose
from netwright.backend.topology.problems import ModelPath, PathPart, Problem

_TYPE_WORDS = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "text",
    "dict_type": "a mapping (key: value lines)",
    "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
    "list_type": "a list",
    "literal_error": None,
}
_RANGE_TYPES = {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}
_SIZE_TYPES = {"too_long", "too_short", "string_too_long", "string_too_short"}


def _data_path(data: Any, loc: tuple[int | str, ...]) -> tuple[ModelPath, bool]:
    """Keep the location parts that index the data; drop union and tag labels.

    Returns the path and whether it points at a mapping key rather than a value.
    """
    path: list[PathPart] = []
    node = data
    at_key = False
    for part in loc:
        if part == "[key]":
            at_key = True
            break
        indexes_dict = isinstance(node, dict) and isinstance(part, str) and part in node
        indexes_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if indexes_dict or indexes_list:
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and not _is_label(part):
            path.append(part)  # a key that is missing or unknown
            node = None
        # else: a union member or discriminator label; skip it
    return tuple(path), at_key


def _is_label(part: str) -> bool:
    return "[" in part or part in {"bridge", "veth", "ipvlan", "macvlan", "vlan", "vxlan", "dummy",
                                   "str", "int", "bool", "DhcpEntry", "Dhcp"} | NAT_TAGS


def _value_text(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "…"


def _convert(error: Any, data: Any) -> tuple[Problem, bool]:
    kind = error["type"]
    path, at_key = _data_path(data, tuple(error["loc"]))
    value = error.get("input")
    ctx = error.get("ctx") or {}
    # the field's name: a list item's index is no name ("'bogus' is not allowed for '0'")
    name = next((str(part) for part in reversed(path) if isinstance(part, str)), "the file")
    if kind == "extra_forbidden":
        # an error's path only: difflib and the model walk cost a valid file nothing
        from netwright.backend.topology.keynames import close_key

        meant = close_key(tuple(error["loc"]))
        text = f"unknown key '{name}'" + (f"; did you mean '{meant}'?" if meant else "")
        return Problem("error", "unknown-key", path, text), True
    if kind == "missing":
        purpose = nat_field_purpose(str(path[-2]), name) if len(path) >= 2 else None
        if purpose is not None:  # host.nat[0].masquerade.from
            text = f"{path[-2]} needs '{name}': {purpose[0].lower()}{purpose[1:].rstrip('.')}"
            return Problem("error", "missing-field", path, text), True
        return Problem("error", "missing-field", path, f"'{name}' is required here"), True
    if kind == "union_tag_invalid":
        kinds = ", ".join(str(k).strip("'") for k in str(ctx.get("expected_tags", "")).split(", "))
        return Problem(
            "error", "unknown-kind", (*path, "kind"),
            f"unknown interface kind {_value_text(ctx.get('tag'))}; use one of: {kinds}",
        ), False
    if kind == "union_tag_not_found":
        return Problem(
            "error", "missing-field", path,
            "an interface needs a 'kind': bridge, veth, ipvlan, macvlan, vlan, vxlan or dummy",
        ), True
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "")
        return Problem(
            "error", "invalid-value", path,
            f"{_value_text(value)} is not allowed for '{name}'; use one of: {expected}",
        ), False
    if kind in _RANGE_TYPES:
        return Problem(
            "error", "out-of-range", path,
            f"{_value_text(value)} is out of range for '{name}' ({error['msg'].lower()})",
        ), False
    if kind in _SIZE_TYPES:
        return Problem("error", "too-large", path, f"'{name}': {error['msg'].lower()}"), False
    if kind in _TYPE_WORDS:
        return Problem(
            "error", "wrong-type", path,
            f"'{name}' must be {_TYPE_WORDS[kind]}, not {_value_text(value)}",
        ), False
    if "-" in kind:  # one of our own PydanticCustomError codes; its message is ours
        return Problem("error", kind, path, error["msg"]), at_key
    return Problem("error", "invalid-value", path, f"'{name}': {error['msg']}"), at_key


def problems_from_validation_error(exc: ValidationError, data: Any) -> list[tuple[Problem, bool]]:
    """One problem per distinct place, the most specific one when unions report several."""
    converted = [_convert(error, data) for error in exc.errors(include_url=False)]
    paths = [p.path for p, _ in converted]
    kept: dict[ModelPath, tuple[Problem, bool]] = {}
    for problem, at_key in converted:
        deeper = any(other[: len(problem.path)] == problem.path and len(other) > len(problem.path)
                     for other in paths)
        if deeper:
            continue  # a union member that failed further down said something more precise
        current = kept.get(problem.path)
        if current is None or (current[0].code == "wrong-type" and problem.code != "wrong-type"):
            kept[problem.path] = (problem, at_key)
    return list(kept.values())
