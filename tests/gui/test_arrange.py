"""Arrange Automatically (Graphviz dot) and how relations are drawn: bridges with their
ports, veth pairs port to port, sub-interfaces from their own port, vxlan to its underlay and
its remote; counted with the readability measures the README reports."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from star_design import star_topology

from netwright.gui.canvas.items import BridgeItem, PortItem
from netwright.gui.canvas.metrics import measure_scene
from netwright.gui.window.main import MainWindow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _open(window: MainWindow, name: str) -> None:
    assert window.open_path(EXAMPLES / f"{name}.yaml")


def _moved_away(window: MainWindow) -> None:
    """Put every box on one spot, so the arrangement has to undo a real mess."""
    window.move_nodes(1, {key: (0.0, 0.0) for key in window.scene.nodes})


def test_arrange_openstack_is_one_undo_step_with_no_crossings(window: MainWindow) -> None:
    _open(window, "openstack-linuxbridge")
    _moved_away(window)
    stack = window.document.undo_stack
    before, messy = stack.count(), window.document.snapshot.layout
    assert measure_scene(window.scene).box_overlaps > 0
    assert window.arrange()
    assert stack.count() == before + 1 and stack.undoText() == "Arrange automatically"
    counts = measure_scene(window.scene)
    assert (counts.wire_crossings, counts.wires_through_boxes, counts.box_overlaps) == (0, 0, 0)
    stack.undo()
    assert window.document.snapshot.layout == messy
    stack.redo()
    assert measure_scene(window.scene).box_overlaps == 0


def test_bridge_ports_are_rows_of_the_bridge_and_veth_pairs_run_port_to_port(
        window: MainWindow) -> None:
    _open(window, "openstack-linuxbridge")
    scene = window.scene
    bridge = scene.nodes["qbr-vm1"]
    assert isinstance(bridge, BridgeItem) and list(bridge.ports) == ["tap-vm1", "qvb-vm1"]
    assert "tap-vm1" not in scene.nodes
    assert not scene.wires[("master", "tap-vm1", "qbr-vm1")].isVisible()
    pair = scene.wires[("peer", "tap-vm1", "vm1-eth0")]
    ends = pair.polyline()
    for end, key in ((ends[0], "tap-vm1"), (ends[-1], "vm1-eth0")):
        port = scene.item_for(key)
        assert isinstance(port, PortItem)
        rect = port.sceneBoundingRect().adjusted(9, 9, -9, -9)
        assert abs(end.y() - rect.center().y()) < 1 and rect.left() - 1 <= end.x() \
            <= rect.right() + 1


def test_sub_interface_wire_starts_at_its_own_port(window: MainWindow) -> None:
    _open(window, "seed-ipvlan-l2")
    wire = window.scene.wires[("parent", "ipvlan2", "wlp2s0")]
    port = window.scene.item_for("ipvlan2")
    start = wire.polyline()[0]
    assert abs(start.y() - port.sceneBoundingRect().center().y()) < 1
    box = window.scene.nodes["net2"].sceneBoundingRect().adjusted(10, 10, -10, -10)
    assert box.contains(start)  # from the port inside net2, not from the box's edge elsewhere


def test_vxlan_wires_to_its_underlay_and_its_remote_are_drawn_outside_the_box(
        window: MainWindow) -> None:
    _open(window, "vxlan-overlay")
    scene = window.scene
    underlay = scene.wires[("dev", "vxlan-a", "underlay-a")]
    assert underlay.isVisible()
    box = scene.nodes["hosta"].sceneBoundingRect().adjusted(10, 10, -10, -10)
    assert max(p.x() for p in underlay.polyline()) > box.right() + 10  # bulges out beside it
    remote = scene.wires[("remote", "vxlan-a", "underlay-b")]
    assert remote.isVisible()
    assert "remote" in remote.toolTip()


def test_missing_dot_is_a_sentence_and_nothing_moves(window: MainWindow, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _open(window, "openstack-linuxbridge")
    monkeypatch.setenv("PATH", str(tmp_path))
    count = window.document.undo_stack.count()
    assert not window.arrange()
    message = window.statusBar().currentMessage()
    assert "nothing was arranged" in message and "apt install graphviz" in message
    assert window.document.undo_stack.count() == count


def test_dot_that_hangs_is_stopped_with_a_sentence(window: MainWindow, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _open(window, "openstack-linuxbridge")
    slow = tmp_path / "dot"
    slow.write_text("#!/bin/sh\nexec sleep 30\n")
    slow.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr("netwright.gui.canvas.graph_layout.DOT_TIMEOUT_S", 0.3)
    assert not window.arrange()
    assert "took more than" in window.statusBar().currentMessage()


def _without_layout(tmp_path: Path, name: str) -> Path:
    text = (EXAMPLES / f"{name}.yaml").read_text()
    path = tmp_path / f"{name}.yaml"
    path.write_text(text[:text.index("layout:")])
    return path


def test_a_file_without_positions_opens_laid_out_by_dot(window: MainWindow,
                                                        tmp_path: Path) -> None:
    assert window.open_path(_without_layout(tmp_path, "openstack-linuxbridge"))
    counts = measure_scene(window.scene)
    assert (counts.wire_crossings, counts.wires_through_boxes, counts.box_overlaps) == (0, 0, 0)
    placed = {key: (item.x(), item.y()) for key, item in window.scene.nodes.items()}
    assert not window.document.snapshot.layout and not window.isWindowModified()
    assert window.arrange()  # the same positions, now written to the file
    assert window.document.snapshot.layout == placed


def test_without_dot_a_file_without_positions_still_opens(
        window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _without_layout(tmp_path, "openstack-linuxbridge")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert window.open_path(path)
    assert measure_scene(window.scene).box_overlaps == 0
    assert set(window.scene.nodes) == set(window.document.snapshot.placed_keys())


def test_names_never_reach_dot_as_text() -> None:
    """A key dot would choke on (quotes, a newline, a brace) is still laid out: dot sees only
    n0, n1 … and port numbers."""
    from netwright.gui.canvas.graph_layout import dot_positions
    from netwright.gui.canvas.items import box_shape
    from netwright.gui.model.snapshot import Snapshot

    odd = 'we"ird\n} name'
    snapshot = Snapshot(namespaces={odd: {}, "b": {}},
                        interfaces={"x": {"kind": "veth", "namespace": odd, "peer": "y"},
                                    "y": {"kind": "veth", "namespace": "b", "peer": "x"}})
    positions = dot_positions(snapshot, lambda key: box_shape(snapshot, key))
    assert set(positions) == {odd, "b"} and positions[odd] != positions["b"]


def test_many_namespaces_on_one_bridge_sit_beside_its_ports(
        window: MainWindow, tmp_path: Path) -> None:
    """50 namespaces on one bridge: a column each side of it, each namespace level with the
    port it is wired to, so every wire is short, straight across and crosses nothing. dot
    put them in one column (then a block of 5) right of the bridge, in no order of ports,
    and the wires fanned across each other and through the boxes."""
    path = tmp_path / "star.yaml"
    path.write_text(star_topology(50))
    assert window.open_path(path)
    _moved_away(window)
    assert window.arrange()
    scene = window.scene
    bridge = scene.nodes["br0"].sceneBoundingRect()
    sides = set()
    for i in range(50):
        box = scene.nodes[f"n{i}"].sceneBoundingRect()
        assert box.left() > bridge.right() or box.right() < bridge.left()
        sides.add(box.left() > bridge.right())
        inside, port = scene.item_for(f"c{i}"), scene.item_for(f"p{i}")
        assert inside is not None and port is not None
        assert inside.scenePos().y() == port.scenePos().y(), i
    assert sides == {True, False}
    counts = measure_scene(scene)
    assert (counts.wire_crossings, counts.wires_through_boxes, counts.box_overlaps) == (0, 0, 0)


def test_arrange_says_what_it_moved_and_when_nothing_moved(window: MainWindow) -> None:
    """An Arrange of a design dot has already laid out changed nothing to see and said
    nothing: the user could not tell the click from a miss."""
    _open(window, "vxlan-overlay")
    steps = window.document.undo_stack.count()
    assert window.arrange()
    assert window.document.undo_stack.count() == steps
    assert "already" in window.statusBar().currentMessage()
    assert "nothing moved" in window.statusBar().currentMessage()
    _moved_away(window)
    assert window.arrange()
    assert window.statusBar().currentMessage() == \
        "Arrange Automatically moved 2 items (Undo puts them back)"
