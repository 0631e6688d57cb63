"""After Paste the inspector shows what was pasted: a pasted namespace came selected with
its interfaces and its veth's far end (three items), so the inspector stayed on the
topology. The copies of what was copied are selected, as after Duplicate."""

from __future__ import annotations

from pathlib import Path

from gestures import choose, right_click
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from test_undo_selection import _front_tab

from netwright.gui.window.main import MainWindow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CTRL = Qt.KeyboardModifier.ControlModifier


def _press(window: MainWindow, key: Qt.Key) -> None:
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), key, CTRL)
    QApplication.processEvents()


def _new_namespaces(window: MainWindow) -> list[str]:
    return sorted(k for k in window.document.snapshot.namespaces if k not in ("c1", "c2"))


def test_a_pasted_namespace_is_in_the_inspector(window: MainWindow) -> None:
    assert window.open_path(EXAMPLES / "docker-bridge.yaml")
    window.scene.select_keys(["c1"])
    _press(window, Qt.Key.Key_C)
    window.history_dock.raise_()  # the inspector behind another tab: it comes to the front
    window.scene.clearSelection()
    _press(window, Qt.Key.Key_V)
    [copy] = _new_namespaces(window)
    assert window.scene.selected_keys() == [copy]  # not its eth0, not veth-c3 on docker0
    assert window.inspector.key == copy
    assert window.inspector.routes is not None  # the namespace's form
    assert _front_tab(window, "Inspector") == "Inspector"


def test_several_pasted_items_are_selected_without_what_came_along(window: MainWindow) -> None:
    assert window.open_path(EXAMPLES / "docker-bridge.yaml")
    window.scene.select_keys(["c1", "c2"])
    _press(window, Qt.Key.Key_C)
    _press(window, Qt.Key.Key_V)
    copies = _new_namespaces(window)
    assert len(copies) == 2
    assert sorted(window.scene.selected_keys()) == copies
    assert window.inspector.key is None  # two items: the inspector shows the design


def test_a_duplicated_namespace_is_in_the_inspector(window: MainWindow) -> None:
    assert window.open_path(EXAMPLES / "docker-bridge.yaml")
    window.scene.select_keys(["c2"])
    header = window.scene.nodes["c1"].sceneBoundingRect().topLeft() + QPointF(40, 12)
    right_click(window.view, window.view.mapFromScene(header))
    choose(window.context_menu, "Duplicate c1")
    QApplication.processEvents()
    [copy] = _new_namespaces(window)
    assert window.scene.selected_keys() == [copy]
    assert window.inspector.key == copy
