"""Ctrl+Z and Ctrl+Shift+Z undo and redo the design while an Inspector field has the focus,
as they do on the canvas: after choosing net2 in the Namespace box (the focus stays in it) or
typing an MTU and pressing Enter, Ctrl+Z gives the design back. Only text still being
typed (not committed) is the field's own to undo."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit

from netwright.gui.window.main import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def _inspect(window: MainWindow, seed: Path, key: str) -> None:
    assert window.open_path(seed)
    window.scene.select_keys([key])
    QApplication.processEvents()
    assert window.inspector.key == key


def _namespace_box(window: MainWindow, seed: Path) -> tuple[QComboBox, QLineEdit]:
    """ipvlan1's Namespace box and its text field, which has the focus."""
    _inspect(window, seed, "ipvlan1")
    combo = window.inspector.editors["namespace"]
    assert isinstance(combo, QComboBox)
    typed = combo.lineEdit()
    assert typed is not None
    typed.setFocus()
    return combo, typed


def _mtu_field(window: MainWindow, seed: Path) -> QLineEdit:
    """ipvlan1's MTU field, with the focus."""
    _inspect(window, seed, "ipvlan1")
    line = window.inspector.editors["mtu"]
    assert isinstance(line, QLineEdit)
    line.setFocus()
    return line


def test_ctrl_z_in_the_namespace_box_undoes_the_design(window: MainWindow, seed: Path) -> None:
    combo, typed = _namespace_box(window, seed)
    index = combo.findText("net2")
    combo.setCurrentIndex(index)
    combo.activated.emit(index)  # chosen from the list: the focus stays in the box
    stack = window.document.undo_stack
    assert window.document.snapshot.namespace_of("ipvlan1") == "net2"
    QTest.keyClick(typed, Qt.Key.Key_Z, CTRL)
    assert window.document.snapshot.namespace_of("ipvlan1") == "net1"
    assert stack.index() == 0
    QTest.keyClick(typed, Qt.Key.Key_Z, CTRL | SHIFT)
    assert window.document.snapshot.namespace_of("ipvlan1") == "net2"


def test_ctrl_z_after_an_mtu_is_entered_undoes_it(window: MainWindow, seed: Path) -> None:
    line = _mtu_field(window, seed)
    QTest.keyClicks(line, "1400")
    QTest.keyClick(line, Qt.Key.Key_Return)
    assert window.document.get(("interfaces", "ipvlan1", "mtu")) == 1400
    QTest.keyClick(line, Qt.Key.Key_Z, CTRL)
    assert window.document.get(("interfaces", "ipvlan1", "mtu")) is None
    assert line.text() == ""  # the field shows the design as it is again


def test_text_being_typed_is_the_fields_own_to_undo(window: MainWindow, seed: Path) -> None:
    line = _mtu_field(window, seed)
    QTest.keyClicks(line, "14")
    QTest.keyClick(line, Qt.Key.Key_Z, CTRL)
    assert line.text() == ""
    assert window.document.undo_stack.count() == 0  # nothing of the design was undone


def test_ctrl_z_after_a_namespace_typed_and_entered_undoes_it(window: MainWindow,
                                                              seed: Path) -> None:
    _combo, typed = _namespace_box(window, seed)
    typed.selectAll()
    QTest.keyClicks(typed, "net2")
    QTest.keyClick(typed, Qt.Key.Key_Return)
    assert window.document.snapshot.namespace_of("ipvlan1") == "net2"
    QTest.keyClick(typed, Qt.Key.Key_Z, CTRL)
    assert window.document.snapshot.namespace_of("ipvlan1") == "net1"
