"""Right-click menus on the canvas, opened by real right-clicks through the viewport."""

from __future__ import annotations

from pathlib import Path

from gestures import choose, menu_entries, right_click
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow


def _right_click(window: MainWindow, scene_pos: QPointF) -> list[str]:
    """Right-click at ``scene_pos``; the entries of the menu that opened."""
    window.context_menu = None
    right_click(window.view, window.view.mapFromScene(scene_pos))
    return menu_entries(window.context_menu)


def _choose(window: MainWindow, text: str) -> None:
    choose(window.context_menu, text)


def _port_body(window: MainWindow, key: str) -> QPointF:
    item = window.scene.item_for(key)
    assert item is not None
    return item.sceneBoundingRect().center() - QPointF(30, 0)


def test_change_an_ipvlan_child_to_macvlan_keeping_addresses_and_parent(
        window: MainWindow, seed: Path) -> None:
    assert window.open_path(seed)
    entries = _right_click(window, _port_body(window, "ipvlan1"))
    assert entries == ["Delete ipvlan1", "Duplicate ipvlan1", "Change to macvlan bridge",
                       "Check from net1", "Measure throughput from net1…",
                       "Capture on ipvlan1…", "Show in File"]
    assert window.scene.selected_keys() == ["ipvlan1"]
    _choose(window, "Change to macvlan bridge")
    entry = window.document.get(("interfaces", "ipvlan1"))
    assert (entry["kind"], entry["mode"], entry["parent"], entry["namespace"]) == (
        "macvlan", "bridge", "wlp2s0", "net1")
    assert [str(a) for a in entry["addresses"]] == ["192.168.31.5/24"]
    assert "flag" not in entry
    assert window.document.undo_stack.undoText() == "Change ipvlan1 to macvlan bridge"
    window.document.undo_stack.undo()
    assert window.document.get(("interfaces", "ipvlan1", "kind")) == "ipvlan"
    assert window.document.get(("interfaces", "ipvlan1", "mode")) == "l2"


def test_duplicate_a_namespace_and_delete_from_the_menu(window: MainWindow,
                                                        seed: Path) -> None:
    assert window.open_path(seed)
    header = window.scene.nodes["net2"].sceneBoundingRect().topLeft() + QPointF(40, 12)
    assert "Duplicate net2" in _right_click(window, header)
    _choose(window, "Duplicate net2")
    snapshot = window.document.snapshot
    assert "net3" in snapshot.namespaces and snapshot.interfaces_in("net3")
    assert not [p for p in window.document.problems if p.severity == "error"]
    assert window.document.undo_stack.undoText() == "Duplicate net2"
    header = window.scene.nodes["net3"].sceneBoundingRect().topLeft() + QPointF(40, 12)
    _right_click(window, header)
    _choose(window, "Delete net3")
    assert "net3" not in window.document.snapshot.namespaces


def test_a_wire_offers_delete_and_its_ends(window: MainWindow, seed: Path) -> None:
    assert window.open_path(seed)
    wire = next(w for w in window.scene.wires.values() if "ipvlan2" in (w.a, w.b))
    middle = wire.path.pointAtPercent(0.5) if not wire.path.isEmpty() else \
        wire.line.pointAt(0.5)
    entries = _right_click(window, middle)
    assert entries[:3] == ["Delete this connection", f"Capture on {wire.a}…",
                           "Measure throughput from net2…"]  # the wire's other end: a NIC
    assert set(entries[3:]) == {f"Go to {wire.a}", f"Go to {wire.b}"}
    _choose(window, "Go to ipvlan2")
    assert window.scene.selected_keys() == ["ipvlan2"]


def test_show_in_file_points_at_the_entry(window: MainWindow, seed: Path) -> None:
    assert window.open_path(seed)
    _right_click(window, _port_body(window, "ipvlan2"))
    _choose(window, "Show in File")
    dialog = window.source_dialog
    assert dialog is not None and dialog.line >= 0
    line = dialog.text.document().findBlockByNumber(dialog.line).text()
    assert line.strip().startswith("ipvlan2:")
    assert dialog.text.textCursor().blockNumber() == dialog.line
    dialog.close()


def _menu_key(window: MainWindow) -> None:
    """The Menu key on the focused canvas: the windowing system's keyboard context-menu event,
    at the corner Qt gives it (the canvas has no text cursor to put it at)."""
    window.context_menu = None
    viewport = window.view.viewport()
    corner = QPoint(0, 0)
    QApplication.sendEvent(viewport, QContextMenuEvent(QContextMenuEvent.Reason.Keyboard,
                                                       corner, viewport.mapToGlobal(corner)))
    QApplication.processEvents()


def test_the_menu_key_offers_the_selected_item_at_the_item(window: MainWindow,
                                                           seed: Path) -> None:
    assert window.open_path(seed)
    window.scene.select_keys(["ipvlan1"])
    asked: list[tuple[object, QPoint]] = []
    window.scene.context_requested.connect(lambda target, at: asked.append((target, at)))
    _menu_key(window)
    assert menu_entries(window.context_menu)[0] == "Delete ipvlan1"
    item = window.scene.item_for("ipvlan1")
    assert item is not None
    # where the menu was asked to open (the small offscreen screen may push it aside)
    at = window.view.viewport().mapFromGlobal(asked[0][1])
    assert item.sceneBoundingRect().contains(window.view.mapToScene(at))


def test_shift_f10_opens_the_menu_of_the_selection(window: MainWindow, seed: Path) -> None:
    assert window.open_path(seed)
    window.scene.select_keys(["net2"])
    window.context_menu = None
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    assert menu_entries(window.context_menu)[:2] == ["Delete net2", "Duplicate net2"]
    window.scene.clearSelection()
    QTest.keyClick(window.view, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    assert "Arrange Automatically" in [a.text().replace("&", "")
                                       for a in window.context_menu.actions()]
