"""Plain topology data to problems and model, and the fast read of valid text.

What the daemon, ``--local`` and the CLI need from a file is the model, or the proof that the
text is invalid; only then are line and column worth the round-trip parser (ruamel.yaml,
``document.py``). This module imports neither ruamel.yaml nor the document, so a command
that reads a valid file loads libyaml and the model only.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from netwright.backend.topology.bounds import too_many_objects
from netwright.backend.topology.fastload import (
    load_nodes,
    load_plain,
    to_plain,
    within_bounds,
)
from netwright.backend.topology.marks import locate_node, plain_text
from netwright.backend.topology.model import FORMAT_VERSION, Topology
from netwright.backend.topology.modelerrors import problems_from_validation_error
from netwright.backend.topology.problems import Problem, TopologyError, errors_of
from netwright.backend.topology.validate import semantic_problems


def parse_valid(text: str) -> Topology | None:
    """The model of ``text`` if it has no error (warnings allowed), else None.

    None means "ask the round-trip parser": it finds the same problems and places each one
    (``document.parse_topology`` and the CLI's ``--local`` do that). A file with more objects
    than the bound raises TopologyError at once: the round-trip parser would spend seconds
    on it to say the same.
    """
    found = _valid(text)
    return None if found is None else found[0]


def valid_with_warnings(text: str, file: str = "") -> tuple[Topology, list[Problem]] | None:
    """``parse_valid``, and the model's warnings as ``netwright validate`` reports them, for
    plan and apply to show: placed at their line and column when libyaml can place them (a
    second read, only for a file that has warnings), with their model path only otherwise."""
    found = _valid(text)
    if found is None:
        return None
    model, warnings = found
    if warnings:
        placed = placed_problems(text, file)
        if placed is not None:
            warnings = [p for p in placed if p.severity == "warning"]
    return model, warnings


def _valid(text: str) -> tuple[Topology, list[Problem]] | None:
    """The model of text with no error and its (unplaced) warnings, else None."""
    if not within_bounds(text):
        return None
    raw = load_plain(text)
    bound = too_many_objects(raw)
    if bound is not None:
        raise TopologyError([bound])
    if raw is None:
        return None
    try:
        problems, model = check_plain(to_plain(raw))
    except TopologyError:
        return None
    if model is None or errors_of([p for p, _ in problems]):
        return None
    return model, [p for p, _ in problems]


def placed_problems(text: str, file: str = "") -> list[Problem] | None:
    """Every problem of ``text``, each at its line and column, read by libyaml alone; None
    when only the round-trip parser can say (``Document.problems``): text libyaml does not
    read, text that is not plain (anchors, aliases, merge keys, tags: see ``marks``), text
    over the bounds or with anything but a mapping at the top.

    ``netwright validate`` places warnings too, so where ``parse_valid`` gives up on a file
    with any problem this places them all, as the round-trip tree would (``marks``).
    """
    if not plain_text(text) or not within_bounds(text):
        return None
    loaded = load_nodes(text)
    if loaded is None or not isinstance(loaded[0], dict):
        return None
    data, root = loaded
    try:
        problems = check_plain(to_plain(data))[0]
    except TopologyError:  # over a bound while converting: the round-trip reader says so
        return None
    placed = []
    for problem, at_key in problems:
        position = locate_node(root, data, problem.path, at_key)
        if position is None:  # an empty value: the round-trip parser places it its way
            return None
        placed.append(problem.located(*position, file))
    return placed


def check_plain(data: Any) -> tuple[list[tuple[Problem, bool]], Topology | None]:
    """Problems of plain topology data (unlocated; True = point at the key) and the model."""
    version = data.get("netwright") if isinstance(data, dict) else None
    if not isinstance(data, dict) or "netwright" not in data:
        return [(Problem(
            "error", "missing-version", ("netwright",),
            f"the file does not say its format: add 'netwright: {FORMAT_VERSION}' at the top",
        ), False)], None
    if type(version) is not int or version != FORMAT_VERSION:
        return [(Problem("error", "unknown-version", ("netwright",), _version_problem(version)),
                 False)], None
    bound = too_many_objects(data)
    if bound is not None:
        return [(bound, False)], None
    try:
        model = Topology.model_validate(data)
    except ValidationError as exc:
        return problems_from_validation_error(exc, data), None
    return [(p, False) for p in semantic_problems(model)], model


def _version_problem(version: Any) -> str:
    """The sentence for a format version this Netwright cannot take as it is written."""
    fix = f"write 'netwright: {FORMAT_VERSION}'"
    if isinstance(version, str) and version.strip().isdigit() and len(version.strip()) <= 20:
        number = int(version.strip())
        return (f"the format version is written as text ('{version.strip()}': quoted, or tagged"
                f" !!str), but it is a number: write 'netwright: {number}' without quotes or tag"
                + ("" if number == FORMAT_VERSION
                   else f"; this Netwright reads format {FORMAT_VERSION}"))
    if isinstance(version, bool):
        return f"'{str(version).lower()}' is not a format version: {fix}"
    if isinstance(version, float):
        return f"the format version is a whole number, not {str(version)[:20]}: {fix}"
    if isinstance(version, int):
        return (f"this file is Netwright format {str(version)[:20]}; this Netwright reads format"
                f" {FORMAT_VERSION} (a newer file needs a newer Netwright)")
    if version is None:
        return f"the format version is empty: {fix}"
    if isinstance(version, str):
        return f"'{version[:20]}' is not a format version: {fix}"
    return f"a {type(version).__name__} is not a format version: {fix}"
