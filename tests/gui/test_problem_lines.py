"""A problem's line is the line of its object in the text as it is now (the text a save would
write): a design drawn from nothing and saved said "line 1" for every problem (what an edit
adds has no position until the text is read again), and a design edited since it was read or
saved lost every line (a demanding user reads the lines of the current text)."""

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
    target = tmp_path / "drawn.yaml"
    document.save(target)
    text = target.read_text()
    problem = next(p for p in document.problems if p.path[:2] == ("interfaces", "veth2"))
    assert problem.line == _line_of(text, "veth2:"), (problem, text)
    assert problem.file == str(target)


def _veth2_line(document: TopologyDocument) -> int:
    return next(p.line for p in document.problems if p.path[:2] == ("interfaces", "veth2"))


def test_an_unsaved_drawing_has_the_lines_of_its_current_text(qtbot: QtBot) -> None:
    document = TopologyDocument()
    _drawn(document)
    assert _veth2_line(document) == _line_of(document.render(), "veth2:")


def test_an_edit_after_the_save_places_problems_in_the_edited_text(qtbot: QtBot,
                                                                    tmp_path: Path) -> None:
    document = TopologyDocument()
    _drawn(document)
    document.save(tmp_path / "drawn.yaml")
    saved_line = _veth2_line(document)
    # a namespace more: its entry comes before the interfaces, which move down
    edits, keys = create_edits(document.snapshot, "namespace", None, 0, 0)
    document.undo_stack.push(CreateCommand(document, "namespace", keys, edits))
    text = document.render()
    assert _veth2_line(document) == _line_of(text, "veth2:") > saved_line, text
    # the same after a change to a field of veth2 itself (its position read again)
    document.apply([Edit(("interfaces", "veth2", "mtu"), 1400)])
    assert _veth2_line(document) == _line_of(document.render(), "veth2:")


def test_a_large_design_edited_shows_no_stale_line(qtbot: QtBot, tmp_path: Path) -> None:
    """Too large to emit and read again on every change: its problems keep their place in
    words (the dock) and show no line, never the line the text had before the edit."""
    from netwright.gui.model.document import PLACED_NOW_MOST

    count = PLACED_NOW_MOST // 2 + 1
    lines = ["netwright: 1", "name: big", "namespaces:"]
    lines += [f"  n{i}: {{}}" for i in range(count)]
    lines += ["interfaces:", "  bad: {kind: bridge, addresses: [10.0.0.1/33]}"]
    lines += [f"  br{i}: {{kind: bridge}}" for i in range(count)]
    path = tmp_path / "big.yaml"
    path.write_text("\n".join(lines) + "\n")
    document = TopologyDocument()
    document.open(path)
    document.finish_reading()
    bad = next(p for p in document.problems if p.path[:2] == ("interfaces", "bad"))
    assert bad.line == _line_of(path.read_text(), "bad:")
    edits, keys = create_edits(document.snapshot, "namespace", None, 0, 0)
    document.undo_stack.push(CreateCommand(document, "namespace", keys, edits))
    bad = next(p for p in document.problems if p.path[:2] == ("interfaces", "bad"))
    assert bad.line == 0 and bad.path[:2] == ("interfaces", "bad")
