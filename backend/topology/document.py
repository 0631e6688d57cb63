"""A topology file as a document: its text, its round-trip tree, its model and its problems.

The GUI edits the tree (every edit a path and a value), the CLI and daemon read the model; a
save re-emits the tree and merges the change into the original bytes, so comments, key order
and the user's own spacing survive (see textmerge). Saving is atomic: a temporary file in the
same directory is written, fsynced and renamed over the target.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from netwright.backend.topology.fastload import load_plain
from netwright.backend.topology.model import FORMAT_VERSION, Topology
from netwright.backend.topology.modelerrors import problems_from_validation_error
from netwright.backend.topology.problems import (
    PathPart,
    Problem,
    TopologyError,
    errors_of,
)
from netwright.backend.topology.source import read_topology_text
from netwright.backend.topology.textmerge import merge_edit
from netwright.backend.topology.validate import semantic_problems
from netwright.backend.topology.yamltree import (
    MAX_DEPTH,
    MAX_TEXT_BYTES,
    dump_yaml,
    flow_depth,
    locate,
    make_yaml,
    parse_yaml,
    to_plain,
)

SCHEMA_COMMENT = "# yaml-language-server: $schema="


@dataclass
class Document:
    """An open topology file. ``tree`` is the editable round-trip data."""

    tree: Any
    text: str = ""
    file: str = ""
    yaml: YAML = field(default_factory=make_yaml)
    base: str = ""

    @classmethod
    def from_text(cls, text: str, file: str = "") -> Document:
        """Parse text; YAML syntax errors raise TopologyError with line and column."""
        try:
            tree, yaml = parse_yaml(text)
        except TopologyError as exc:
            raise TopologyError([p.located(p.line, p.column, file) for p in exc.problems]) from None
        if not isinstance(tree, CommentedMap):
            raise TopologyError([Problem(
                "error", "wrong-type", (),
                "a topology file is a mapping that starts with 'netwright: 1'", 1, 1, file,
            )])
        # The emission as loaded, taken now: edits change the tree in place (the GUI edits its
        # containers directly), and a save compares the edited tree with this.
        return cls(tree=tree, text=text, file=file, yaml=yaml, base=dump_yaml(tree, yaml))

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Document:
        return cls.from_text(read_topology_text(path), str(path))

    @classmethod
    def new(cls, name: str) -> Document:
        """An empty topology, as the GUI's File → New makes it."""
        text = f"netwright: {FORMAT_VERSION}\nname: {name}\n"
        return cls.from_text(text)

    # -- reading --------------------------------------------------------------------------

    def problems(self) -> list[Problem]:
        """Every error and warning, each with its line and column."""
        located: list[Problem] = []
        for problem, at_key in self._raw_problems():
            line, column = locate(self.tree, problem.path, at_key)
            located.append(problem.located(line, column, self.file))
        return located

    def topology(self) -> Topology:
        """The validated model; raises TopologyError listing every problem if there are errors."""
        problems = self.problems()
        if errors_of(problems):
            raise TopologyError(problems)
        return self._model()

    def _model(self) -> Topology:
        return Topology.model_validate(to_plain(self.tree))

    def _raw_problems(self) -> list[tuple[Problem, bool]]:
        try:
            data = to_plain(self.tree)
        except TopologyError as exc:
            return [(p, False) for p in exc.problems]
        return check_plain(data)[0]

    def locate(self, path: Sequence[PathPart]) -> tuple[int, int]:
        return locate(self.tree, path)

    # -- editing --------------------------------------------------------------------------

    def get(self, path: Sequence[PathPart], default: Any = None) -> Any:
        node = self.tree
        for part in path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return default
        return node

    def set(self, path: Sequence[PathPart], value: Any) -> None:
        """Set the value at ``path``, creating mappings on the way (keys keep their order)."""
        if not path:
            raise ValueError("cannot replace the whole document")
        node = self.tree
        for part in path[:-1]:
            if isinstance(node, dict) and node.get(part) is None:
                node[part] = CommentedMap()
            node = node[part]
        node[path[-1]] = _to_tree(value)

    def delete(self, path: Sequence[PathPart]) -> None:
        parent = self.get(path[:-1])
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
        elif isinstance(parent, list) and isinstance(path[-1], int) and path[-1] < len(parent):
            del parent[path[-1]]

    # -- writing --------------------------------------------------------------------------

    def render(self) -> str:
        """The text a save would write: the original with exactly the edited lines changed."""
        return merge_edit(self.text, self.base, dump_yaml(self.tree, self.yaml))

    def save(self, path: str | os.PathLike[str] | None = None) -> None:
        """Write atomically; on any failure the previous file is left as it was."""
        target = Path(path or self.file)
        if not str(target):
            raise ValueError("no file name to save to")
        text = self.render()
        atomic_write(target, text)
        self.file = str(target)
        self.text = text
        self.base = dump_yaml(self.tree, self.yaml)


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


def _to_tree(value: Any) -> Any:
    if isinstance(value, CommentedMap | CommentedSeq):
        return value
    if isinstance(value, dict):
        mapping = CommentedMap()
        for key, item in value.items():
            mapping[key] = _to_tree(item)
        return mapping
    if isinstance(value, list | tuple):
        seq = CommentedSeq()
        seq.extend(_to_tree(item) for item in value)
        return seq
    return value


def atomic_write(target: Path, text: str) -> None:
    """Write, fsync, rename over the target, fsync the directory; keep the file's mode."""
    directory = target.parent if str(target.parent) else Path(".")
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o644
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def load_topology(path: str | os.PathLike[str]) -> tuple[Document, Topology]:
    """Open a file and return it with its validated model (TopologyError if invalid)."""
    document = Document.from_file(path)
    return document, document.topology()


def parse_topology(text: str, file: str = "") -> Topology:
    """Validate topology text (as the daemon receives it) and return the model.

    Valid text takes the fast path (libyaml, no round-trip tree); anything with an error is
    parsed again by the round-trip parser, so every problem gets its line and column.
    """
    if len(text.encode("utf-8", errors="replace")) <= MAX_TEXT_BYTES and (
        flow_depth(text) <= MAX_DEPTH
    ):
        raw = load_plain(text)
        if raw is not None:
            try:
                problems, model = check_plain(to_plain(raw))
            except TopologyError:
                model, problems = None, []
            if model is not None and not errors_of([p for p, _ in problems]):
                return model
    return Document.from_text(text, file).topology()
