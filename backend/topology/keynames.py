"""The keys one place of a topology file accepts, so that an unknown key can name the one
that was probably meant ("unknown key 'adresses'; did you mean 'addresses'?").

It reads the model's own fields (their file names, aliases such as ``port-firewall``
included) along pydantic's error location, whose union labels (``ipvlan`` for an interface's
kind, a member's class name) pick the member; it never guesses a key the place refuses.
"""

from __future__ import annotations

import types
import typing
from difflib import get_close_matches
from typing import Any

from pydantic import BaseModel

from netwright.backend.topology.model import Topology


def close_key(loc: tuple[int | str, ...]) -> str | None:
    """The accepted key nearest to the unknown one ``loc`` ends in, if one is close enough
    to be a typo of it (difflib's ratio ≥ 0.6: 'adresses', 'interface', 'vai')."""
    if not loc or not isinstance(loc[-1], str):
        return None
    found = get_close_matches(loc[-1], accepted_keys(loc[:-1]), n=1, cutoff=0.6)
    return found[0] if found else None


def accepted_keys(loc: tuple[int | str, ...]) -> list[str]:
    """The keys the mapping at ``loc`` accepts, as the file writes them ([] if unknown)."""
    nodes: list[Any] = [Topology]
    for part in loc:
        nodes = [after for node in nodes for after in _step(node, part)]
    return sorted({(info.alias or name) for node in nodes for member in _members(node)
                   if _is_model(member) for name, info in member.model_fields.items()})


def _step(node: Any, part: int | str) -> list[Any]:
    """What lies under ``part`` of ``node``: a model's field, a dict's value, a list's item,
    or the union member ``part`` labels."""
    found: list[Any] = []
    for member in _members(node):
        origin = typing.get_origin(member)
        if _is_model(member) and isinstance(part, str):
            field = next((info.annotation for name, info in member.model_fields.items()
                          if part in (name, info.alias)), None)
            if field is not None:
                found.append(field)
            elif part == member.__name__ or part in _tags(member):
                found.append(member)
        elif origin is dict and isinstance(part, str):
            found.append(typing.get_args(member)[1])
        elif origin is list and isinstance(part, int):
            found.append(typing.get_args(member)[0])
    return found


def _members(node: Any) -> list[Any]:
    """``node`` without Annotated, a union as its members."""
    while typing.get_origin(node) is typing.Annotated:
        node = typing.get_args(node)[0]
    if typing.get_origin(node) in (typing.Union, types.UnionType):
        return [member for arg in typing.get_args(node) for member in _members(arg)]
    return [node]


def _is_model(node: Any) -> bool:
    return isinstance(node, type) and issubclass(node, BaseModel)


def _tags(model: type[BaseModel]) -> tuple[Any, ...]:
    """The values of ``model``'s ``kind`` (an interface's discriminator), if it has one."""
    kind = model.model_fields.get("kind")
    return typing.get_args(kind.annotation) if kind is not None else ()
