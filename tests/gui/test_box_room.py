"""A box that grows (an interface added to a namespace) no longer covers the box next to it:
it grows where there is room, else what it meets moves down, in the same undo step as the
change that made it grow. It used to grow about its centre over a bridge below it."""

from __future__ import annotations

from pathlib import Path

from gestures import drop_kind
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow

DESIGN = """netwright: 1
name: room
namespaces:
  net1: {}
interfaces:
  a1: {kind: veth, peer: b1, namespace: net1}
  b1: {kind: veth, peer: a1}
  br0: {kind: bridge}
layout:
  net1: {x: 0, y: 0}
  br0: {x: 0, y: 100}
  b1: {x: 300, y: 0}
"""
NIC_ABOVE = DESIGN.replace("  net1: {}\n", "  net1: {}\nhost:\n  nics:\n    eth0: {}\n") \
    .replace("layout:\n", "layout:\n  eth0: {x: 0, y: -100}\n")


def _rect(window: MainWindow, key: str) -> QRectF:
    node = window.scene.nodes[key]
    return node.mapRectToScene(node.shape().boundingRect())


def _open(window: MainWindow, tmp_path: Path, text: str) -> None:
    design = tmp_path / "room.yaml"
    design.write_text(text)
    assert window.open_path(design)


def _add_veth_to_net1(window: MainWindow) -> None:
    """A veth pair dropped into net1: two more ports, net1 grows by two rows."""
    assert drop_kind(window.view, "veth", _rect(window, "net1").center())
    QApplication.processEvents()
    assert len(window.document.snapshot.interfaces_in("net1")) == 3


def _apart(window: MainWindow, keys: list[str]) -> None:
    rects = {key: _rect(window, key) for key in keys}
    for key, rect in rects.items():
        for other, there in rects.items():
            assert other == key or not rect.intersects(there), f"{key} covers {other}"


def test_a_grown_namespace_grows_where_there_is_room(window: MainWindow,
                                                     tmp_path: Path) -> None:
    _open(window, tmp_path, DESIGN)
    _add_veth_to_net1(window)
    _apart(window, ["net1", "br0", "b1"])
    layout = window.document.snapshot.layout
    assert layout["br0"] == (0, 100)  # nothing had to move away: net1 grew upwards
    stack = window.document.undo_stack
    assert stack.count() == 1
    window.undo_action.trigger()
    assert window.document.snapshot.layout["net1"] == (0, 0)
    assert len(window.document.snapshot.interfaces_in("net1")) == 1


def test_a_grown_namespace_with_no_room_pushes_its_neighbour_down(window: MainWindow,
                                                                  tmp_path: Path) -> None:
    _open(window, tmp_path, NIC_ABOVE)
    _add_veth_to_net1(window)
    _apart(window, ["eth0", "net1", "br0", "b1"])
    layout = window.document.snapshot.layout
    assert layout["eth0"] == (0, -100)
    assert layout["br0"][1] > 100 and layout["br0"][1] % 20 == 0  # down, on the grid
    assert layout["b1"] == (300, 0)  # beside, not in the way: left alone
    stack = window.document.undo_stack
    assert stack.count() == 1  # the move is part of the drop's step
    window.undo_action.trigger()
    layout = window.document.snapshot.layout
    assert (layout["net1"], layout["br0"]) == ((0, 0), (0, 100))
    assert _rect(window, "br0").top() > _rect(window, "net1").bottom()
    window.redo_action.trigger()  # the redo moves them again
    _apart(window, ["eth0", "net1", "br0", "b1"])


def test_boxes_the_user_put_on_top_of_each_other_stay_there(window: MainWindow,
                                                            tmp_path: Path) -> None:
    _open(window, tmp_path, DESIGN.replace("br0: {x: 0, y: 100}", "br0: {x: 0, y: 20}"))
    _add_veth_to_net1(window)
    assert window.document.snapshot.layout["br0"] == (0, 20)
