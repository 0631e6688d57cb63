"""Drawing on the canvas with real events: drop from the palette, wire, move, delete, undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from gestures import click, drop_kind, mouse_drag
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from netwright.gui.canvas.items import BridgeItem, DeviceItem, NamespaceItem, PortItem
from netwright.gui.model.edits import PALETTE_KINDS
from netwright.gui.window.main import MainWindow


def _centre(window: MainWindow) -> QPointF:
    view = window.view
    return view.mapToScene(view.viewport().rect().center())


def _namespace_drop(window: MainWindow) -> tuple[str, QPointF]:
    """Drop a namespace at the view centre; returns its key and a point inside it."""
    at = _centre(window)
    assert drop_kind(window.view, "namespace", at)
    key = window.scene.selected_keys()[0]
    box = window.scene.nodes[key]
    return key, box.sceneBoundingRect().center()


@pytest.mark.parametrize("kind", [k for k in PALETTE_KINDS if k not in ("namespace", "nic")])
def test_drop_each_interface_kind_into_a_namespace_then_undo_redo(
        window: MainWindow, kind: str) -> None:
    stack = window.document.undo_stack
    assert drop_kind(window.view, "nic", _centre(window) + QPointF(0, -200))
    namespace, inside = _namespace_drop(window)
    before = window.document.render()
    assert drop_kind(window.view, kind, inside)
    created = [k for k, v in window.document.snapshot.interfaces.items() if v.get("kind") == kind]
    assert created, f"no {kind} in {window.document.snapshot.interfaces}"
    for key in created:
        assert window.document.get(("interfaces", key, "namespace")) == namespace
        assert isinstance(window.scene.item_for(key), PortItem)
    if kind in ("ipvlan", "macvlan", "vlan"):
        assert window.document.get(("interfaces", created[0], "parent")) == "eth1"
        assert ("parent", created[0], "eth1") in window.scene.wires
    if kind == "veth":
        assert len(created) == 2 and stack.undoText() == "Create veth pair veth1, veth2"
    stack.undo()
    assert window.document.render() == before
    assert all(window.scene.item_for(key) is None for key in created)
    stack.redo()
    assert all(window.scene.item_for(key) is not None for key in created)


def test_drop_namespace_and_nic_on_the_host(window: MainWindow) -> None:
    at = _centre(window)
    assert drop_kind(window.view, "namespace", at)
    assert drop_kind(window.view, "nic", _centre(window) + QPointF(300, 0))
    snapshot = window.document.snapshot
    assert list(snapshot.namespaces) == ["net1"] and list(snapshot.nics) == ["eth1"]
    assert isinstance(window.scene.nodes["net1"], NamespaceItem)
    assert isinstance(window.scene.nodes["eth1"], DeviceItem)
    assert snapshot.layout["net1"] == (round(at.x() / 20) * 20, round(at.y() / 20) * 20)


def test_a_dropped_bridge_on_the_host_gets_a_position(window: MainWindow) -> None:
    at = _centre(window) + QPointF(400, 300)
    assert drop_kind(window.view, "bridge", at)
    assert window.document.get(("interfaces", "br1", "namespace")) is None
    assert window.document.snapshot.layout["br1"] == (round(at.x() / 20) * 20,
                                                      round(at.y() / 20) * 20)


def test_wire_port_to_bridge_by_dragging_from_the_connector(window: MainWindow) -> None:
    _namespace, inside = _namespace_drop(window)
    assert drop_kind(window.view, "veth", inside)
    assert drop_kind(window.view, "bridge", inside + QPointF(0, -220))
    port = window.scene.item_for("veth1")
    bridge = window.scene.item_for("br1")
    assert isinstance(port, PortItem) and isinstance(bridge, BridgeItem)
    start = port.mapToScene(port.connector())
    mouse_drag(window.view, start, bridge.sceneBoundingRect().center())
    assert window.document.get(("interfaces", "veth1", "master")) == "br1"
    assert ("master", "veth1", "br1") in window.scene.wires
    assert window.document.undo_stack.undoText() == "Connect veth1 to br1"
    window.document.undo_stack.undo()
    assert window.document.get(("interfaces", "veth1", "master")) is None
    assert ("master", "veth1", "br1") not in window.scene.wires


def test_refused_wire_says_why(window: MainWindow) -> None:
    assert drop_kind(window.view, "namespace", _centre(window))
    assert drop_kind(window.view, "nic", _centre(window) + QPointF(300, 0))
    assert drop_kind(window.view, "bridge", _centre(window) + QPointF(-300, 0))
    count = window.document.undo_stack.count()
    assert not window.wire("eth1", "br1")
    assert "cannot be wired" in window.statusBar().currentMessage()
    assert window.document.undo_stack.count() == count


def test_drag_an_interface_into_another_namespace(window: MainWindow) -> None:
    first, inside_first = _namespace_drop(window)
    assert drop_kind(window.view, "namespace", inside_first + QPointF(320, 0))
    second = "net2"
    assert drop_kind(window.view, "macvlan", inside_first)
    port = window.scene.item_for("macvlan1")
    assert isinstance(port, PortItem)
    target = window.scene.nodes[second].sceneBoundingRect().center()
    mouse_drag(window.view, port.sceneBoundingRect().center() - QPointF(40, 0), target)
    assert window.document.get(("interfaces", "macvlan1", "namespace")) == second
    assert window.scene.endpoint("macvlan1") in window.scene.nodes[second].ports.values()
    window.document.undo_stack.undo()
    assert window.document.get(("interfaces", "macvlan1", "namespace")) == first


def test_one_drag_is_one_undo_step(window: MainWindow) -> None:
    key, _inside = _namespace_drop(window)
    stack = window.document.undo_stack
    count = stack.count()
    start = window.document.snapshot.layout[key]
    header = window.scene.nodes[key].sceneBoundingRect().topLeft() + QPointF(60, 16)
    mouse_drag(window.view, header, header + QPointF(200, 100), steps=10)
    assert stack.count() == count + 1
    assert stack.undoText() == f"Move {key}"
    end = window.document.snapshot.layout[key]
    assert end == (start[0] + 200, start[1] + 100)
    stack.undo()
    assert window.document.snapshot.layout[key] == start
    assert window.scene.nodes[key].pos() == QPointF(*start)


def test_multi_select_delete_and_undo(window: MainWindow, seed: Path) -> None:
    assert window.open_path(seed)
    original = window.document.render()
    area = window.scene.nodes["net1"].sceneBoundingRect().united(
        window.scene.nodes["net2"].sceneBoundingRect()).adjusted(-30, -30, 30, 30)
    window.view.fit_all()
    mouse_drag(window.view, area.topLeft(), area.bottomRight())  # rubber band
    assert set(window.scene.selected_keys()) >= {"net1", "net2"}
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Delete)
    snapshot = window.document.snapshot
    assert not snapshot.namespaces and not snapshot.interfaces
    assert "net1" not in window.scene.nodes
    window.document.undo_stack.undo()
    assert window.document.render() == original
    assert {"net1", "net2", "wlp2s0"} <= set(window.scene.nodes)


def test_click_selects_and_the_inspector_follows(window: MainWindow, seed: Path) -> None:
    window.open_path(seed)
    window.view.fit_all()
    port = window.scene.item_for("ipvlan1")
    assert port is not None
    click(window.view, port.sceneBoundingRect().center() - QPointF(30, 0))
    assert window.scene.selected_keys() == ["ipvlan1"]
    assert window.inspector.key == "ipvlan1"


def test_copy_paste_gives_fresh_keys(window: MainWindow, seed: Path) -> None:
    window.open_path(seed)
    window.scene.select_keys(["net1"])
    assert window.copy()
    keys = window.paste()
    assert sorted(keys) == ["ipvlan3", "net3"]
    assert window.document.get(("interfaces", "ipvlan3", "namespace")) == "net3"
    assert window.document.get(("interfaces", "ipvlan3", "parent")) == "wlp2s0"
    window.document.undo_stack.undo()
    assert window.document.get(("namespaces", "net3")) is None


def test_zoom_fit_and_snap(window: MainWindow, seed: Path) -> None:
    window.open_path(seed)
    window.view.reset_zoom()
    window.zoom_in_action.trigger()
    assert window.view.zoom() == pytest.approx(1.2)
    window.zoom_out_action.trigger()
    window.zoom_out_action.trigger()
    assert window.view.zoom() == pytest.approx(1 / 1.2)
    window.fit_action.trigger()
    visible = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    assert visible.contains(window.scene.frame.rect())
    window.snap_action.trigger()
    assert not window.scene.snap


def test_automatic_layout_for_a_file_without_one(window: MainWindow, tmp_path: Path,
                                                 seed: Path) -> None:
    text = seed.read_text().split("layout:")[0]
    bare = tmp_path / "bare.yaml"
    bare.write_text(text)
    window.open_path(bare)
    boxes = [window.scene.nodes[k].sceneBoundingRect() for k in ("net1", "net2", "wlp2s0")]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.intersects(b), "automatic layout overlaps items"
    window.layout_action.trigger()
    assert set(window.document.snapshot.layout) == {"net1", "net2", "wlp2s0"}
    window.document.undo_stack.undo()
    assert window.document.render() == text
