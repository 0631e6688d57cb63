"""A route typed cell by cell stays on its own row until it is complete.

Tab after the ``to`` of a new route committed the half-made route, which the design refused
("needs a via"); the reload that followed dropped the new row, and the current cell landed on
the existing route's ``via``: the gateway typed next overwrote that route's.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _key(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(QApplication.focusWidget(), key, modifier)
    QApplication.processEvents()


def _type(text: str) -> None:
    QTest.keyClicks(QApplication.focusWidget(), text)
    QApplication.processEvents()


def test_tab_from_a_new_route_s_to_goes_to_its_via_and_keeps_the_row(
        window: MainWindow) -> None:
    assert window.open_path(EXAMPLES / "docker-bridge.yaml")
    window.activateWindow()
    window.go_to_key("c2")
    routes = window.inspector.routes
    assert routes is not None
    routes.add_row()  # as Add route does: "default" in the new row's to, being edited
    QApplication.processEvents()
    _key(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    _type("10.5.0.0/16")
    _key(Qt.Key.Key_Tab)
    routes = window.inspector.routes
    assert routes is not None
    table = routes.table
    assert table.rowCount() == 2  # the half-made row is still there
    assert (table.currentRow(), table.currentColumn()) == (1, 1)  # its own via
    assert window.document.get(("namespaces", "c2", "routes")) == [
        {"to": "default", "via": "172.17.0.1"}]  # not in the design yet, and said so
    assert routes.error.isVisibleTo(window) and "not in the design" in routes.error.text().lower()
    if table.state() != table.State.EditingState:
        _key(Qt.Key.Key_Return)  # typing into the current cell opens its editor
    _type("172.17.0.9")
    _key(Qt.Key.Key_Tab)
    assert window.document.get(("namespaces", "c2", "routes")) == [
        {"to": "default", "via": "172.17.0.1"},
        {"to": "10.5.0.0/16", "via": "172.17.0.9"}]
    assert not routes.error.isVisibleTo(window)
