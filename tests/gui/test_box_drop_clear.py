"""A namespace or bridge box (or a host NIC) let go on top of another item goes to the free
spot nearest where it was let go, in the drag's own undo step: it stayed there, the two
drawn over each other (their ports and wires with them)."""

from __future__ import annotations

from pathlib import Path

from gestures import mouse_drag
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _rect(window: MainWindow, key: str) -> QRectF:
    node = window.scene.nodes[key]
    return node.mapRectToScene(node.shape().boundingRect())


def _header(window: MainWindow, key: str) -> QPointF:
    return _rect(window, key).topLeft() + QPointF(40, 10)


def _apart(window: MainWindow) -> None:
    rects = {key: _rect(window, key) for key in window.scene.nodes}
    for key, rect in rects.items():
        for other, there in rects.items():
            assert other == key or not rect.intersects(there), f"{key} covers {other}"


def test_a_namespace_dropped_on_another_moves_to_free_room(window: MainWindow) -> None:
    assert window.open_path(EXAMPLES / "docker-bridge.yaml")
    stack = window.document.undo_stack
    steps, before = stack.count(), window.document.snapshot.layout["c2"]
    target = _header(window, "c1") + QPointF(20, 20)
    mouse_drag(window.view, _header(window, "c2"), target)
    QApplication.processEvents()
    _apart(window)
    # beside where it was let go, not back where it came from
    assert window.document.snapshot.layout["c2"] != before
    assert (_rect(window, "c2").center() - target).manhattanLength() < 300
    assert stack.count() == steps + 1 and stack.text(stack.index() - 1) == "Move c2"
    window.undo_action.trigger()
    assert window.document.snapshot.layout["c2"] == before
    assert window.scene.nodes["c2"].pos() == QPointF(*before)


def test_a_bridge_dropped_on_a_namespace_moves_to_free_room(window: MainWindow) -> None:
    assert window.open_path(EXAMPLES / "docker-bridge.yaml")
    mouse_drag(window.view, _header(window, "docker0"), _header(window, "c2"))
    QApplication.processEvents()
    _apart(window)
    assert "veth-c1" in window.document.snapshot.interfaces  # still a bridge with its ports
    assert window.document.snapshot.host_bridge_of("veth-c1") == "docker0"


def test_a_box_dropped_on_free_room_stays_where_it_was_let_go(window: MainWindow) -> None:
    assert window.open_path(EXAMPLES / "docker-bridge.yaml")
    start = window.scene.nodes["c2"].pos()
    mouse_drag(window.view, _header(window, "c2"), _header(window, "c2") + QPointF(0, 200))
    QApplication.processEvents()
    assert window.scene.nodes["c2"].pos() == start + QPointF(0, 200)


def _two_nics(tmp_path: Path) -> Path:
    """The docker example with a second host NIC, eth1 (placed by the automatic layout)."""
    design = tmp_path / "two-nics.yaml"
    design.write_text((EXAMPLES / "docker-bridge.yaml").read_text().replace(
        "  nics:\n", "  nics:\n    eth1: {addresses: [10.9.0.2/24]}\n", 1))
    return design


def test_a_host_nic_dropped_on_another_moves_to_free_room(window: MainWindow,
                                                         tmp_path: Path) -> None:
    """Host NICs are not boxes with ports, but one let go on another covered it all the
    same (its name and addresses under the other's)."""
    assert window.open_path(_two_nics(tmp_path))
    stack = window.document.undo_stack
    steps, before = stack.count(), window.scene.nodes["eth1"].pos()
    target = _rect(window, "wlp2s0").center() + QPointF(20, 0)
    mouse_drag(window.view, _rect(window, "eth1").center(), target)
    QApplication.processEvents()
    _apart(window)
    assert (_rect(window, "eth1").center() - target).manhattanLength() < 300
    assert stack.count() == steps + 1 and stack.text(stack.index() - 1) == "Move eth1"
    window.undo_action.trigger()
    assert window.scene.nodes["eth1"].pos() == before
