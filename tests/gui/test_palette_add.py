"""Adding from the palette without a drop point: never on top of another item; by keyboard too.

Double-clicks (real mouse events on the list) and Enter (real key events, after Tab brought
the focus to the palette) each add an item at a free spot near the view's centre or near the
selection; no two items' boxes overlap.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

from gestures import double_click
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow


def _double_click(window: MainWindow, row: int) -> None:
    palette = window.palette_list
    rect = palette.visualItemRect(palette.item(row))
    double_click(palette, rect.center())


def _overlaps(window: MainWindow) -> list[tuple[str, str]]:
    nodes = window.scene.nodes
    return [(a, b) for a, b in combinations(sorted(nodes), 2)
            if nodes[a].sceneBoundingRect().intersects(nodes[b].sceneBoundingRect())]


def test_double_clicks_add_side_by_side(window: MainWindow, seed: Path) -> None:
    assert window.open_path(seed)
    window.scene.clearSelection()
    kinds = [window.palette_list.item(r).data(Qt.ItemDataRole.UserRole)
             for r in range(window.palette_list.count())]
    for _ in range(3):
        for row in (kinds.index("namespace"), kinds.index("bridge"), kinds.index("veth")):
            _double_click(window, row)
            window.scene.clearSelection()  # each near the view's centre
    assert window.document.undo_stack.count() == 9
    assert _overlaps(window) == []


def test_tab_to_the_palette_and_enter_adds_near_the_selection(window: MainWindow,
                                                              seed: Path) -> None:
    assert window.open_path(seed)
    window.scene.select_keys(["wlp2s0"])
    window.palette_list.setFocus()
    QApplication.processEvents()
    palette = window.palette_list
    bridge = next(r for r in range(palette.count())
              if palette.item(r).data(Qt.ItemDataRole.UserRole) == "bridge")
    for _ in range(bridge - palette.currentRow()):
        QTest.keyClick(palette, Qt.Key.Key_Down)
    QTest.keyClick(palette, Qt.Key.Key_Return)
    QTest.keyClick(palette, Qt.Key.Key_Return)
    assert sorted(k for k in window.scene.nodes if k.startswith("br")) == ["br1", "br2"]
    assert _overlaps(window) == []
    nic = window.scene.nodes["wlp2s0"].sceneBoundingRect().center()
    first = window.scene.nodes["br1"].sceneBoundingRect().center()
    assert abs(first.x() - nic.x()) + abs(first.y() - nic.y()) < 300  # next to the selection


def test_the_palette_is_in_the_tab_chain(window: MainWindow) -> None:
    window.view.setFocus()
    QApplication.processEvents()
    seen = set()
    for _ in range(40):
        widget = QApplication.focusWidget()
        seen.add(widget)
        if widget is window.palette_list:
            break
        QTest.keyClick(widget, Qt.Key.Key_Tab)
    assert window.palette_list in seen
