"""The inspector refuses invalid values with the contract's sentence; problems and badges
follow every edit; double-clicking a problem selects and centres its item."""

from __future__ import annotations

from pathlib import Path

from gestures import double_click
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QLineEdit
from pytestqt.qtbot import QtBot

from netwright.gui.window.main import MainWindow


def _type(editor: QLineEdit, text: str) -> None:
    """Type like a user: select all, type the text, press Enter."""
    editor.setFocus()
    editor.selectAll()
    QTest.keyClicks(editor, text)
    QTest.keyClick(editor, Qt.Key.Key_Return)


def _open(window: MainWindow, seed: Path, key: str) -> None:
    window.open_path(seed)
    window.scene.select_keys([key])
    assert window.inspector.key == key


def test_valid_edit_applies_and_undoes(window: MainWindow, seed: Path) -> None:
    _open(window, seed, "ipvlan1")
    editor = window.inspector.editors["addresses"]
    assert isinstance(editor, QLineEdit) and editor.text() == "192.168.31.5/24"
    _type(editor, "192.168.31.5/24, 192.168.31.50/24")
    assert window.document.get(("interfaces", "ipvlan1", "addresses")) == [
        "192.168.31.5/24", "192.168.31.50/24"]
    assert "addresses: [192.168.31.5/24, 192.168.31.50/24]" in window.document.render()
    assert not window.inspector.errors["addresses"].isVisibleTo(window.inspector)
    window.undo_action.trigger()
    assert window.document.get(("interfaces", "ipvlan1", "addresses")) == ["192.168.31.5/24"]
    assert editor.text() == "192.168.31.5/24"
    window.redo_action.trigger()
    assert "192.168.31.50/24" in editor.text()


def test_invalid_value_shows_the_contract_sentence_and_is_not_applied(
        window: MainWindow, seed: Path) -> None:
    _open(window, seed, "ipvlan1")
    before = window.document.render()
    count = window.document.undo_stack.count()
    _type(window.inspector.editors["addresses"], "192.168.31.5")
    error = window.inspector.errors["addresses"]
    assert error.isVisibleTo(window.inspector)
    assert "is not an address with a prefix length" in error.text()
    assert window.document.render() == before
    assert window.document.undo_stack.count() == count
    _type(window.inspector.editors["mtu"], "40")
    assert "out of range" in window.inspector.errors["mtu"].text()
    _type(window.inspector.editors["name"], "a-name-far-too-long")
    assert "Linux allows at most 15" in window.inspector.errors["name"].text()
    _type(window.inspector.editors["addresses"], "10.9.9.9/24")
    assert "outside the subnet" in window.inspector.errors["addresses"].text()
    assert window.document.render() == before


def test_kind_specific_fields(window: MainWindow, seed: Path) -> None:
    _open(window, seed, "ipvlan2")
    mode = window.inspector.editors["mode"]
    assert isinstance(mode, QComboBox) and mode.currentText() == "l2"
    window.inspector.commit("flag", "private")  # the flag belongs to the parent: refused
    assert window.document.get(("interfaces", "ipvlan2", "flag")) is None
    assert "ipvlan1" in window.inspector.errors["flag"].text()
    window.inspector.commit("persist", True)
    assert window.document.get(("interfaces", "ipvlan2", "persist")) is not True
    assert "NetworkManager keeps only" in window.inspector.errors["persist"].text()
    window.open_path(seed.with_name("macvlan-bridge.yaml"))
    window.scene.select_keys(["mv-web"])
    assert window.inspector.commit("mode", "private")
    assert window.document.get(("interfaces", "mv-web", "mode")) == "private"
    assert "mode: private" in window.document.render()


def test_rename_follows_references_and_undoes(window: MainWindow, seed: Path) -> None:
    _open(window, seed, "net1")
    before, placed = window.document.render(), window.document.snapshot.layout["net1"]
    _type(window.inspector.editors["$key"], "red")
    assert window.document.get(("namespaces", "red")) is not None
    assert window.document.get(("interfaces", "ipvlan1", "namespace")) == "red"
    assert window.document.snapshot.layout["red"] == placed
    assert window.scene.selected_keys() == ["red"]
    window.undo_action.trigger()
    assert window.document.render() == before
    window.scene.select_keys(["net1"])
    _type(window.inspector.editors["$key"], "bad name")
    assert "is not a valid name" in window.inspector.errors["$key"].text()


def test_routes_table(window: MainWindow, seed: Path) -> None:
    _open(window, seed, "net1")
    routes = window.inspector.routes
    assert routes is not None
    routes.add_row()
    routes.table.item(0, 1).setText("192.168.31.1")
    assert window.document.get(("namespaces", "net1", "routes")) == [
        {"to": "default", "via": "192.168.31.1"}]
    codes = [(p.code, p.path) for p in window.document.problems]
    assert ("no-default-route", ("namespaces", "net1")) not in codes
    routes.table.item(0, 1).setText("10.0.0.1")
    assert "not on any subnet of net1" in window.inspector.errors["routes"].text()
    assert window.document.get(("namespaces", "net1", "routes"))[0]["via"] == "192.168.31.1"


def test_problems_dock_and_badges_follow_an_invalid_edit(
        window: MainWindow, seed: Path, qtbot: QtBot) -> None:
    window.open_path(seed)
    port = window.scene.item_for("ipvlan2")
    assert port is not None and port.badge == "warning"
    assert window.problems.topLevelItemCount() == 4
    window.wire("ipvlan2", "ipvlan1")  # a child as parent: an error the canvas allows drawing
    texts = [window.problems.topLevelItem(i).text(2)
             for i in range(window.problems.topLevelItemCount())]
    assert any("is itself a ipvlan child" in t for t in texts), texts
    assert port.badge == "error"
    assert "(2 errors" in window.problems_dock.windowTitle()  # and parent-other-namespace
    window.undo_action.trigger()
    assert port.badge == "warning"


def test_double_click_on_a_problem_selects_and_centres(window: MainWindow, seed: Path) -> None:
    window.open_path(seed)
    window.view.centerOn(5000, 5000)
    row = next(i for i in range(window.problems.topLevelItemCount())
               if window.problems.topLevelItem(i).text(1).startswith("namespace net2"))
    item = window.problems.topLevelItem(row)
    double_click(window.problems, window.problems.visualItemRect(item).center())
    assert window.scene.selected_keys() == ["net2"]
    visible = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    assert visible.contains(window.scene.nodes["net2"].sceneBoundingRect().center())


def test_enter_on_a_problem_goes_to_it_as_a_double_click_does(window: MainWindow,
                                                               seed: Path) -> None:
    window.open_path(seed)
    view = window.problems
    row = next(i for i in range(view.topLevelItemCount())
               if view.topLevelItem(i).text(1).startswith("namespace net2"))
    view.setFocus()
    view.setCurrentItem(view.topLevelItem(row))
    QTest.keyClick(view, Qt.Key.Key_Return)  # the keyboard's only way there
    assert window.scene.selected_keys() == ["net2"]


def test_focus_leaving_an_untouched_field_is_not_an_edit(window: MainWindow, seed: Path) -> None:
    _open(window, seed, "ipvlan1")
    editor = window.inspector.editors["mtu"]
    assert isinstance(editor, QLineEdit)
    editor.setFocus()
    editor.editingFinished.emit()  # what Qt emits when focus leaves
    window.inspector.setEnabled(False)
    assert window.document.undo_stack.count() == 0
