"""Backspace in a rules or NAT table edits the current cell from empty; it took the whole
row away, as Delete does, where a user meant to clear one value. A row goes only by Delete
or Remove, and Undo brings it back."""

from __future__ import annotations

from pathlib import Path

from fw_design import DESIGN
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QTableWidget

from netwright.gui.docks.packet_panel import PacketPanel
from netwright.gui.model.rule_rows import NAT_COLUMNS, RULE_COLUMNS
from netwright.gui.window.main import MainWindow

RULES = ("namespaces", "c1", "firewall", "input", "rules")


def _panel(window: MainWindow, tmp_path: Path, key: str | None) -> PacketPanel:
    path = tmp_path / "fw.yaml"
    path.write_text(DESIGN)
    assert window.open_path(path)
    if key is None:
        window.scene.clearSelection()
    else:
        window.scene.select_keys([key])
    QApplication.processEvents()
    panel = window.inspector.packets
    assert isinstance(panel, PacketPanel)
    return panel


def _backspace(table: QTableWidget, row: int, column: int) -> QLineEdit | QComboBox:
    table.setFocus()
    table.setCurrentCell(row, column)
    QTest.keyClick(table, Qt.Key.Key_Backspace)
    QApplication.processEvents()
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit | QComboBox), editor
    return editor


def test_backspace_clears_a_rule_cell_and_keeps_the_row(window: MainWindow,
                                                        tmp_path: Path) -> None:
    table = _panel(window, tmp_path, "c1").chains["input"].rules.table
    dport = RULE_COLUMNS.index("dport")
    stack = window.document.undo_stack
    start = stack.count()
    editor = _backspace(table, 0, dport)
    assert isinstance(editor, QLineEdit) and editor.text() == ""
    assert table.rowCount() == 2 and len(window.document.get(RULES)) == 2
    QTest.keyClicks(editor, "443")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert window.document.get((*RULES, 0, "dport")) == 443

    editor = _backspace(table, 0, dport)  # Escape: the value stays
    QTest.keyClick(editor, Qt.Key.Key_Escape)
    QApplication.processEvents()
    assert window.document.get((*RULES, 0, "dport")) == 443
    assert table.item(0, dport).text() == "443"

    editor = _backspace(table, 1, RULE_COLUMNS.index("comment"))  # Enter on empty: cleared
    QTest.keyClicks(editor, "ping")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()
    editor = _backspace(table, 1, RULE_COLUMNS.index("comment"))
    QTest.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert dict(window.document.get((*RULES, 1))) == {"action": "accept", "proto": "icmp"}
    assert table.rowCount() == 2 and stack.count() - start == 3

    # Delete is the gesture that removes a row: one step, undone by Undo
    table.setFocus()
    table.setCurrentCell(0, 0)
    QTest.keyClick(table, Qt.Key.Key_Delete)
    assert len(window.document.get(RULES)) == 1
    window.undo_action.trigger()
    assert dict(window.document.get((*RULES, 0))) == {"action": "accept", "proto": "tcp",
                                                      "dport": 443}
    assert table.rowCount() == 2


def test_backspace_in_a_nat_entry_opens_its_cell(window: MainWindow, tmp_path: Path) -> None:
    panel = _panel(window, tmp_path, None)
    table = panel.nat.entries.table
    keys = set(window.scene.nodes)
    editor = _backspace(table, 0, NAT_COLUMNS.index("from"))
    assert isinstance(editor, QLineEdit) and editor.text() == ""
    QTest.keyClicks(editor, "172.17.0.0/24")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert dict(window.document.get(("host", "nat", 0, "masquerade"))) == {
        "from": "172.17.0.0/24", "out": "wlp2s0"}
    combo = _backspace(table, 0, NAT_COLUMNS.index("type"))  # a choice: its list, as F2
    assert isinstance(combo, QComboBox)
    QTest.keyClick(combo, Qt.Key.Key_Escape)
    QApplication.processEvents()
    assert len(window.document.get(("host", "nat"))) == 1
    assert set(window.scene.nodes) == keys  # the window's Backspace deleted nothing either
