"""An interface dropped on a host bridge's box becomes one of that bridge's ports, in one
undo step: a port dragged from another bridge's box, a namespace's interface, or an
interface standing in the host. A port dropped on another bridge used to stay where it was
(the drop looked for namespaces only)."""

from __future__ import annotations

from pathlib import Path

import pytest
from gestures import mouse_drag
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication

from netwright.gui.canvas.items import BridgeItem, PortItem
from netwright.gui.window.main import MainWindow

DESIGN = """netwright: 1
name: bridges
namespaces:
  net1: {}
interfaces:
  br0: {kind: bridge}
  br1: {kind: bridge}
  p1: {kind: veth, peer: p2, master: br0}
  p2: {kind: veth, peer: p1, master: br0}
  n1: {kind: veth, peer: h1, namespace: net1}
  h1: {kind: veth, peer: n1}
  br2: {kind: bridge}
layout:
  br0: {x: -300, y: 0}
  br1: {x: 0, y: 0}
  net1: {x: 300, y: 0}
  h1: {x: 0, y: 200}
  br2: {x: -300, y: 200}
"""


@pytest.fixture
def opened(window: MainWindow, tmp_path: Path) -> MainWindow:
    design = tmp_path / "bridges.yaml"
    design.write_text(DESIGN)
    assert window.open_path(design)
    return window


def _drag_port(window: MainWindow, key: str, box: str) -> None:
    port = window.scene.item_for(key)
    target = window.scene.nodes[box]
    assert isinstance(port, PortItem)
    start = port.sceneBoundingRect().center() - QPointF(40, 0)  # the body, not the connector
    mouse_drag(window.view, start, target.sceneBoundingRect().center() + QPointF(0, 8))
    QApplication.processEvents()


def test_a_port_dropped_on_another_bridge_becomes_its_port(opened: MainWindow) -> None:
    _drag_port(opened, "p1", "br1")
    snapshot = opened.document.snapshot
    assert snapshot.interfaces["p1"]["master"] == "br1"
    assert snapshot.bridge_ports == {"br0": ["p2"], "br1": ["p1"]}
    bridge = opened.scene.nodes["br1"]
    assert isinstance(bridge, BridgeItem) and list(bridge.ports) == ["p1"]
    assert opened.scene.selected_keys() == ["p1"]
    stack = opened.document.undo_stack
    assert stack.undoText() == "Make p1 a port of br1"
    opened.undo_action.trigger()
    assert opened.document.snapshot.interfaces["p1"]["master"] == "br0"
    assert stack.index() == 0


def test_a_port_dropped_back_on_its_own_bridge_changes_nothing(opened: MainWindow) -> None:
    _drag_port(opened, "p1", "br0")
    assert opened.document.undo_stack.count() == 0


def test_a_namespace_interface_dropped_on_a_bridge_joins_it_in_the_host(
        opened: MainWindow) -> None:
    _drag_port(opened, "n1", "br1")
    link = opened.document.snapshot.interfaces["n1"]
    assert link["master"] == "br1" and "namespace" not in link
    opened.undo_action.trigger()
    link = opened.document.snapshot.interfaces["n1"]
    assert link["namespace"] == "net1" and "master" not in link


def test_a_host_interface_dragged_onto_a_bridge_joins_it_in_one_step(
        opened: MainWindow) -> None:
    scene = opened.scene
    mouse_drag(opened.view, scene.nodes["h1"].sceneBoundingRect().center(),
               scene.nodes["br2"].sceneBoundingRect().center())
    QApplication.processEvents()
    snapshot = opened.document.snapshot
    assert snapshot.interfaces["h1"]["master"] == "br2"
    assert "h1" not in snapshot.layout  # drawn inside the bridge now
    stack = opened.document.undo_stack
    assert stack.count() == 1 and stack.undoText() == "Make h1 a port of br2"
    opened.undo_action.trigger()  # back where it stood before the drag
    assert "master" not in opened.document.snapshot.interfaces["h1"]
    assert opened.document.snapshot.layout["h1"] == (0, 200)


def test_a_bridge_dropped_on_a_bridge_only_moves(opened: MainWindow) -> None:
    scene = opened.scene
    header = scene.nodes["br2"].sceneBoundingRect().top() + 20
    mouse_drag(opened.view, QPointF(-300, header),
               scene.nodes["br0"].sceneBoundingRect().center())
    QApplication.processEvents()
    assert "master" not in opened.document.snapshot.interfaces["br2"]
    assert opened.document.undo_stack.undoText().startswith("Move")


def test_a_port_dragged_into_a_namespace_leaves_its_bridge(opened: MainWindow) -> None:
    """It used to keep ``master: br0`` in net1, an error (a port must be in its bridge's
    namespace) the user had not asked for."""
    _drag_port(opened, "p1", "net1")
    link = opened.document.snapshot.interfaces["p1"]
    assert link["namespace"] == "net1" and "master" not in link
    assert not [p for p in opened.document.problems if tuple(p.path[:2]) == ("interfaces", "p1")]
    opened.undo_action.trigger()
    link = opened.document.snapshot.interfaces["p1"]
    assert "namespace" not in link and link["master"] == "br0"
