"""The document layer: edits, undo that restores the file byte for byte, merged moves."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from netwright.gui.model.commands import CreateCommand, DeleteCommand, MoveCommand, WireCommand
from netwright.gui.model.document import DELETE, Edit, TopologyDocument
from netwright.gui.model.edits import create_edits, delete_edits, position, wire_edits

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "examples" / "seed-ipvlan-l2.yaml"


def _open_seed(qtbot: QtBot) -> TopologyDocument:
    document = TopologyDocument()
    document.open(SEED)
    return document


def test_apply_returns_an_inverse_that_restores_the_text(qtbot: QtBot) -> None:
    document = _open_seed(qtbot)
    before = document.render()
    inverse = document.apply([
        Edit(("interfaces", "ipvlan1", "addresses"), ["192.168.31.7/24"]),
        Edit(("namespaces", "net1"), DELETE),
        Edit(("namespaces", "net3", "routes"), [{"to": "default", "via": "192.168.31.1"}]),
    ])
    after = document.render()
    assert "192.168.31.7/24" in after and "net3:" in after and "  net1: {}" not in after
    assert "addresses: [192.168.31.7/24]" in after  # the flow style of the list is kept
    document.apply(inverse)
    assert document.render() == before


def test_a_list_item_replaced_comes_back_in_its_place(qtbot: QtBot) -> None:
    """The inverse of replacing a list item (a NAT entry given another type) inserted the
    old item beside the new one: a trial (every Inspector edit is tried first) or an undo
    left both entries, two NAT rules where the person had one."""
    document = TopologyDocument()
    document.load_text((REPO / "examples" / "docker-bridge.yaml").read_text())
    nat = ("host", "nat")
    before = document.render()
    entries = [dict(e) for e in document.get(nat)]
    snat = {"snat": {"from": "172.17.0.0/16", "out": "wlp2s0", "to": "192.168.31.240"}}
    document.trial([Edit((*nat, 0), snat)])
    assert document.render() == before
    inverse = document.apply([Edit((*nat, 0), snat)])
    assert [dict(e) for e in document.get(nat)] == [snat, entries[1]]
    document.apply(inverse)
    assert document.render() == before


def test_problems_follow_edits(qtbot: QtBot) -> None:
    document = _open_seed(qtbot)
    with qtbot.waitSignal(document.problems_changed):
        document.apply([Edit(("interfaces", "ipvlan1", "mode"), "l3")])
    codes = {p.code for p in document.problems}
    assert "ipvlan-mixed-modes" in codes


def test_layout_edits_do_not_revalidate(qtbot: QtBot) -> None:
    document = _open_seed(qtbot)
    with qtbot.assertNotEmitted(document.content_changed), \
            qtbot.waitSignal(document.layout_changed) as blocker:
        document.apply([Edit(("layout", "net1"), position(10, 20))])
    assert blocker.args == [["net1"]]
    assert document.snapshot.layout["net1"] == (10.0, 20.0)


def test_create_wire_delete_undo_redo(qtbot: QtBot) -> None:
    document = _open_seed(qtbot)
    original = document.render()
    stack = document.undo_stack
    edits, keys = create_edits(document.snapshot, "veth", "net1", 0, 0)
    stack.push(CreateCommand(document, "veth", keys, edits))
    assert keys == ["veth1", "veth2"]
    assert document.get(("interfaces", "veth1", "peer")) == "veth2"
    assert document.is_modified()
    edits, bridge = create_edits(document.snapshot, "bridge", None, 300, 0)
    stack.push(CreateCommand(document, "bridge", bridge, edits))
    stack.push(WireCommand(document, "veth2", "br1", wire_edits(document.snapshot, "veth2", "br1")))
    assert document.get(("interfaces", "veth2", "master")) == "br1"
    stack.push(DeleteCommand(document, ["br1"], delete_edits(document.snapshot, ["br1"])))
    assert document.get(("interfaces", "br1")) is None
    assert document.get(("interfaces", "veth2", "master")) is None
    for _ in range(4):
        stack.undo()
    assert document.render() == original
    assert not document.is_modified()
    for _ in range(4):
        stack.redo()
    assert document.get(("interfaces", "veth1", "namespace")) == "net1"
    assert document.get(("interfaces", "br1")) is None


def test_moves_of_one_drag_merge(qtbot: QtBot) -> None:
    document = _open_seed(qtbot)
    stack = document.undo_stack
    original = document.snapshot.layout["net1"]
    for step in range(5):
        stack.push(MoveCommand(document, 1, [Edit(("layout", "net1"), position(step, step))]))
    stack.push(MoveCommand(document, 2, [Edit(("layout", "net1"), position(99, 99))]))
    assert stack.count() == 2
    stack.undo()
    assert document.snapshot.layout["net1"] == (4.0, 4.0)
    stack.undo()
    assert document.snapshot.layout["net1"] == original


def test_save_keeps_comments_and_reopens_identical(qtbot: QtBot, tmp_path: Path) -> None:
    document = _open_seed(qtbot)
    document.apply([Edit(("interfaces", "ipvlan2", "mtu"), 1400)])
    target = tmp_path / "seed.yaml"
    document.save(target)
    assert not document.is_modified()
    text = target.read_text()
    assert text.startswith("# yaml-language-server")
    assert "# The seed: two namespaces" in text
    reopened = TopologyDocument()
    reopened.open(target)
    assert reopened.render() == text
    assert reopened.snapshot == document.snapshot


def test_save_as_elsewhere_keeps_the_schema_modeline_reaching_the_schema(
        window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """An example saved to another folder kept '$schema=../packaging/…', which from there
    reaches nothing: an editor lost completion and checks for the copy. The path is rewritten
    to reach the same schema file from the new folder (relative where the two share a folder
    below /, else absolute); the rest of the file is as it was."""
    schema = (REPO / "packaging" / "netwright-topology.schema.json").resolve()
    example = REPO / "examples" / "docker-bridge.yaml"
    assert window.open_path(example)
    copy = tmp_path / "docker.yaml"
    assert window._save_to(str(copy))
    first, rest = copy.read_text().split("\n", 1)
    assert first == f"# yaml-language-server: $schema={schema}"
    assert rest == example.read_text().split("\n", 1)[1]
    project = tmp_path / "project"
    (project / "examples").mkdir(parents=True)
    (project / "packaging").mkdir()
    (project / "packaging" / schema.name).write_text("{}")
    (project / "examples" / "a.yaml").write_text(example.read_text())
    assert window.open_path(project / "examples" / "a.yaml")
    deeper = project / "mine" / "deep" / "a.yaml"
    deeper.parent.mkdir(parents=True)
    assert window._save_to(str(deeper))
    assert deeper.read_text().startswith(
        f"# yaml-language-server: $schema=../../packaging/{schema.name}\n")
    assert window._save_to(str(project / "a.yaml"))  # from the copy on: still the same file
    assert (project / "a.yaml").read_text().startswith(
        f"# yaml-language-server: $schema=packaging/{schema.name}\n")


def test_an_example_opened_from_the_welcome_panel_saves_a_modeline_that_reaches_the_schema(
        window, qtbot: QtBot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """New from Example (the welcome panel's buttons, File › New from Example) made an
    unsaved document with no file, so its first save kept '$schema=../packaging/…' from the
    examples folder: the copy in the user's home pointed at nothing. The example's own path
    is where the modeline is read from until the document has a file of its own."""
    from PySide6.QtCore import Qt

    schema = (REPO / "packaging" / "netwright-topology.schema.json").resolve()
    example = REPO / "examples" / "docker-bridge.yaml"
    button = window.welcome.example_buttons["docker-bridge"]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.document.snapshot.name == "docker" and not window.document.file
    copy = tmp_path / "docker.yaml"
    assert window._save_to(str(copy))
    first, rest = copy.read_text().split("\n", 1)
    assert first == f"# yaml-language-server: $schema={schema}"
    assert rest == example.read_text().split("\n", 1)[1]
    window.document.new()  # a new document is no copy of the example any more
    window.document.load_text(example.read_text())
    assert window._save_to(str(tmp_path / "pasted.yaml"))
    assert (tmp_path / "pasted.yaml").read_text() == example.read_text()


def test_save_as_leaves_a_modeline_it_cannot_improve(window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A URL, or a relative path that reached nothing before the move (and no installed
    schema to offer), is the user's own: it is written back exactly."""
    example = (REPO / "examples" / "docker-bridge.yaml").read_text()
    for ref in ("https://example.org/netwright.json", "../nowhere/mine.json"):
        source = tmp_path / "in" / "a.yaml"
        source.parent.mkdir(exist_ok=True)
        source.write_text(example.replace("../packaging/netwright-topology.schema.json", ref))
        assert window.open_path(source)
        target = tmp_path / "out" / "a.yaml"
        target.parent.mkdir(exist_ok=True)
        assert window._save_to(str(target))
        assert target.read_text().startswith(f"# yaml-language-server: $schema={ref}\n")
