"""A problem's line is the line of its object in the file on disk, or none: a design drawn
from nothing and saved said "line 1" for every problem (what an edit adds has no position
until the text is read again), and a design edited since it was saved named lines the file
does not have yet."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from netwright.gui.model.commands import CreateCommand
from netwright.gui.model.document import Edit, TopologyDocument
from netwright.gui.model.edits import create_edits


def _line_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.strip().startswith(start))


def _drawn(document: TopologyDocument) -> None:
    """Two namespaces and a veth pair drawn, one end given an address that is no address."""
    for kind, namespace in (("namespace", None), ("namespace", None), ("veth", "net1")):
        edits, keys = create_edits(document.snapshot, kind, namespace, 0, 0)
        document.undo_stack.push(CreateCommand(document, kind, keys, edits))
    document.apply([Edit(("interfaces", "veth2", "addresses"), ["10.0.0.1/33"])])


def test_a_drawn_design_once_saved_has_its_problems_at_their_lines(qtbot: QtBot,
                                                                  tmp_path: Path) -> None:
    document = TopologyDocument()
    _drawn(document)
    assert document.problems and all(p.line == 0 for p in document.problems)
    target = tmp_path / "drawn.yaml"
    document.save(target)
    text = target.read_text()
    problem = next(p for p in document.problems if p.path[:2] == ("interfaces", "veth2"))
    assert problem.line == _line_of(text, "veth2:"), (problem, text)
    assert problem.file == str(target)


def test_an_edit_after_the_save_takes_the_lines_away(qtbot: QtBot, tmp_path: Path) -> None:
    document = TopologyDocument()
    _drawn(document)
    document.save(tmp_path / "drawn.yaml")
    edits, keys = create_edits(document.snapshot, "namespace", None, 0, 0)
    document.undo_stack.push(CreateCommand(document, "namespace", keys, edits))
    assert document.problems and all(p.line == 0 for p in document.problems)
