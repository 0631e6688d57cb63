"""An interface standing in the host, dragged into a namespace's box, goes into that
namespace, as an interface dragged out of a namespace goes to the host: it used to be only
moved, drawn over the box while the design kept it in the host (an Apply made it there)."""

from __future__ import annotations

from pathlib import Path

from gestures import mouse_drag
from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow

DESIGN = """netwright: 1
name: drop
host:
  nics:
    eth9: {}
namespaces:
  net1: {}
interfaces:
  v1: {kind: veth, peer: v2}
  v2: {kind: veth, peer: v1}
layout:
  eth9: {x: -200, y: -160}
  net1: {x: 200, y: 0}
  v1: {x: -200, y: 0}
  v2: {x: -200, y: 120}
"""


def _drag_into_net1(window: MainWindow, key: str) -> None:
    scene = window.scene
    start = scene.nodes[key].sceneBoundingRect().center()
    mouse_drag(window.view, start, scene.nodes["net1"].sceneBoundingRect().center())
    QApplication.processEvents()


def test_a_host_interface_dropped_into_a_namespace_goes_into_it(window: MainWindow,
                                                               tmp_path: Path) -> None:
    design = tmp_path / "drop.yaml"
    design.write_text(DESIGN)
    assert window.open_path(design)
    _drag_into_net1(window, "v1")
    snapshot = window.document.snapshot
    assert snapshot.namespace_of("v1") == "net1"
    assert "v1" not in snapshot.layout  # a port of net1 now, drawn inside it
    assert window.scene.selected_keys() == ["v1"]
    stack = window.document.undo_stack
    assert stack.undoText() == "Move v1 to net1"
    window.undo_action.trigger()  # one step: back in the host, where it stood
    assert window.document.snapshot.namespace_of("v1") is None
    assert window.document.snapshot.layout["v1"] == (-200, 0)
    assert stack.index() == 0


def test_a_nic_dropped_on_a_namespace_only_moves(window: MainWindow, tmp_path: Path) -> None:
    design = tmp_path / "drop.yaml"
    design.write_text(DESIGN)
    assert window.open_path(design)
    before = window.document.snapshot.layout["eth9"]
    _drag_into_net1(window, "eth9")
    assert window.document.snapshot.layout["eth9"] != before
    assert "eth9" in window.document.snapshot.nics
    assert window.document.undo_stack.undoText().startswith("Move")
