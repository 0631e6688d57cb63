"""A topology file as a document: its text, its round-trip tree, its model and its problems.

The GUI edits the tree (every edit a path and a value), the CLI and daemon read the model; a
save re-emits the tree and merges the change into the original bytes, so comments, key order
and the user's own spacing survive (see textmerge). Saving is atomic: a temporary file in the
same directory is written, fsynced and renamed over the target.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from netwright.backend.topology.check import check_plain, parse_valid
from netwright.backend.topology.fastload import to_plain
from netwright.backend.topology.model import FORMAT_VERSION, Topology
from netwright.backend.topology.problems import (
    PathPart,
    Problem,
    TopologyError,
    errors_of,
)
from netwright.backend.topology.source import atomic_write, read_topology_text
from netwright.backend.topology.textmerge import merge_edit
from netwright.backend.topology.yamltree import (
    dump_yaml,
    locate,
    make_yaml,
    parse_yaml,
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


def load_topology(path: str | os.PathLike[str]) -> tuple[Document, Topology]:
    """Open a file and return it with its validated model (TopologyError if invalid)."""
    document = Document.from_file(path)
    return document, document.topology()


def parse_topology(text: str, file: str = "") -> Topology:
    """Validate topology text (as the daemon receives it) and return the model.

    Valid text takes the fast path (``check.parse_valid``: libyaml, no round-trip tree);
    anything with an error is parsed again by the round-trip parser, so every problem gets
    its line and column.
    """
    model = parse_valid(text)
    if model is not None:
        return model
    return Document.from_text(text, file).topology()
