"""Typing in the Inspector with the keyboard: every committed field survives focus changes.

A rename committed by Tab used to rebuild the form (the scene dropped the old item's selection
and the inspector showed the topology meanwhile): focus fell to the canvas, and the address
and gateway typed next went nowhere. Real key events go to whatever has the focus.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox

from netwright.gui.window.main import MainWindow


def _type(text: str) -> None:
    QTest.keyClicks(QApplication.focusWidget(), text)


def _tab() -> None:
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    QApplication.processEvents()


def test_rename_a_host_nic_then_tab_through_address_and_gateway(window: MainWindow) -> None:
    window.create_at("nic", None, QPointF(0, 0))
    old = window.inspector.key
    assert old is not None
    name = window.inspector.editors["$key"]
    name.setFocus()
    QApplication.processEvents()
    QTest.keyClick(name, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    _type("eth9")
    _tab()
    assert QApplication.focusWidget() is window.inspector.editors["addresses"]
    _type("10.0.0.2/24")
    _tab()
    assert QApplication.focusWidget() is window.inspector.editors["gateway"]
    _type("10.0.0.1")
    _tab()
    nic = window.document.get(("host", "nics", "eth9"))
    assert [str(a) for a in nic["addresses"]] == ["10.0.0.2/24"]
    assert str(nic["gateway"]) == "10.0.0.1"
    assert window.document.get(("host", "nics", old)) is None
    stack = window.document.undo_stack
    assert [stack.text(i) for i in range(stack.count())][-3:] == [
        f"Rename {old} to eth9", "Change eth9 addresses", "Change eth9 gateway"]
    assert window.scene.selected_keys() == ["eth9"]
    assert window.inspector.key == "eth9"
    assert window.inspector.isAncestorOf(QApplication.focusWidget())


def test_moving_an_interface_to_another_namespace_keeps_it_selected_and_focused(
        window: MainWindow, seed: Path) -> None:
    assert window.open_path(seed)
    window.scene.select_keys(["ipvlan1"])
    combo = window.inspector.editors["namespace"]
    assert isinstance(combo, QComboBox)
    combo.setFocus()
    QApplication.processEvents()
    combo.setCurrentText("net2")
    combo.activated.emit(combo.currentIndex())  # what choosing with the keyboard emits
    QApplication.processEvents()
    assert window.document.snapshot.namespace_of("ipvlan1") == "net2"
    assert window.scene.selected_keys() == ["ipvlan1"]
    assert window.inspector.key == "ipvlan1"
    assert window.inspector.editors["namespace"] is combo  # the same form, not a new one
    assert combo.hasFocus()


def test_a_field_being_typed_is_not_overwritten_by_another_change(
        window: MainWindow, seed: Path) -> None:
    """An undo elsewhere refreshes the form; the text in the field with the cursor stays."""
    assert window.open_path(seed)
    window.scene.select_keys(["ipvlan1"])
    window.inspector.commit("mtu", "1400")
    line = window.inspector.editors["addresses"]
    line.setFocus()
    QApplication.processEvents()
    QTest.keyClick(line, Qt.Key.Key_End)
    _type(", 192.168.31.77/24")
    window.document.undo_stack.undo()  # the MTU goes; the form refreshes
    assert line.text() == "192.168.31.5/24, 192.168.31.77/24"
    _tab()
    assert [str(a) for a in window.document.get(("interfaces", "ipvlan1", "addresses"))] == [
        "192.168.31.5/24", "192.168.31.77/24"]


def test_a_long_value_shows_its_beginning_and_whole_in_the_tooltip(window: MainWindow) -> None:
    """Inspector › Description of docker-bridge showed "…erade and one published port": a
    value set into a narrow field left its cursor, and its view, at the end."""
    from PySide6.QtWidgets import QLineEdit

    examples = Path(__file__).resolve().parents[2] / "examples"
    assert window.open_path(examples / "docker-bridge.yaml")
    window.scene.select_keys([])
    QApplication.processEvents()
    editor = window.inspector.editors["description"]
    assert isinstance(editor, QLineEdit)
    text = window.document.get(("description",))
    assert editor.text() == text
    assert editor.fontMetrics().horizontalAdvance(text) > editor.width()  # it does not fit
    assert editor.cursorPosition() == 0
    assert editor.toolTip() == text


def test_a_routes_gateway_fits_its_column_at_1024x700(started) -> None:  # type: ignore[no-untyped-def]
    """Four equal columns in a 300 px inspector cut "172.17.0.1" to "172.17…."."""
    examples = Path(__file__).resolve().parents[2] / "examples"
    window = started(1024, 700, examples / "docker-bridge.yaml")
    window.scene.select_keys(["c2"])
    QApplication.processEvents()
    table = window.inspector.routes.table
    for column in range(table.columnCount()):
        item = table.item(0, column)
        needed = table.fontMetrics().horizontalAdvance(item.text()) + 6  # its margins
        assert table.columnWidth(column) >= needed, (item.text(), table.columnWidth(column))
        assert item.toolTip() == item.text()


def _tabs_until(target: object, limit: int) -> int:
    """Tab presses from the focused widget until ``target`` has the focus (limit+1: never)."""
    for pressed in range(1, limit + 1):
        _tab()
        if QApplication.focusWidget() is target:
            return pressed
    return limit + 1


def test_tab_from_the_palette_reaches_the_selected_item_s_fields_next(
        window: MainWindow, seed: Path) -> None:
    assert window.open_path(seed)
    window.activateWindow()
    window.go_to_key("net1")  # a new form: made after every dock
    window.palette_list.setFocus()
    # its first field next: it came after every dock, and the scroll area took a Tab
    assert _tabs_until(window.inspector.editors["$key"], 4) == 1


def test_tab_walks_the_routes_and_then_leaves_the_table(window: MainWindow,
                                                        seed: Path) -> None:
    assert window.open_path(seed)
    window.activateWindow()
    window.go_to_key("net1")
    routes = window.inspector.routes
    assert routes is not None
    routes.add_row()  # "default" in the to column, as Add route does
    routes = window.inspector.routes
    assert routes is not None and routes.table.rowCount() == 1
    routes.table.setFocus()
    routes.table.setCurrentCell(0, 0)
    for _cell in range(routes.table.columnCount() - 1):
        _tab()
        assert QApplication.focusWidget() is routes.table
    _tab()  # past the last cell: on to "Add route", not back to the first cell
    assert QApplication.focusWidget() is not routes.table
    assert QApplication.focusWidget().text() == "Add route"  # type: ignore[union-attr]
