"""Up and Down in a combo box browse its choices and commit once: Down Down in a rule's
action cell (or the Inspector's chain policy, forwarding, State) was one edit per key, so
Undo stepped through every choice passed on the way. Enter (or leaving) commits the one
browsed to, one undo step; Escape keeps the value from before."""

from __future__ import annotations

from pathlib import Path

from fw_design import DESIGN
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox

from netwright.gui.docks.packet_panel import PacketPanel
from netwright.gui.model.rule_rows import RULE_CHOICES, RULE_COLUMNS
from netwright.gui.window.main import MainWindow

ACTION = ("namespaces", "c1", "firewall", "input", "rules", 0, "action")


def _panel(window: MainWindow, tmp_path: Path) -> PacketPanel:
    path = tmp_path / "fw.yaml"
    path.write_text(DESIGN)
    assert window.open_path(path)
    window.scene.select_keys(["c1"])
    QApplication.processEvents()
    panel = window.inspector.packets
    assert isinstance(panel, PacketPanel)
    return panel


def _open_cell(panel: PacketPanel) -> QComboBox:
    table = panel.chains["input"].rules.table
    table.setFocus()
    table.setCurrentCell(0, RULE_COLUMNS.index("action"))
    QTest.keyClick(table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QComboBox) and editor.currentText() == "accept"
    return editor


def test_down_down_enter_in_a_rule_cell_is_one_undo_step(window: MainWindow,
                                                          tmp_path: Path) -> None:
    panel = _panel(window, tmp_path)
    stack = window.document.undo_stack
    count = stack.count()
    editor = _open_cell(panel)
    QTest.keyClick(editor, Qt.Key.Key_Down)
    QTest.keyClick(editor, Qt.Key.Key_Down)
    QApplication.processEvents()
    assert window.document.get(ACTION) == "accept"  # browsing: nothing committed yet
    assert stack.count() == count
    QTest.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()
    choices = list(RULE_CHOICES["action"])
    wanted = choices[choices.index("accept") + 2]
    assert window.document.get(ACTION) == wanted
    assert stack.count() == count + 1  # one step
    window.undo_action.trigger()
    assert window.document.get(ACTION) == "accept"


def test_escape_after_browsing_a_cell_keeps_the_value(window: MainWindow,
                                                      tmp_path: Path) -> None:
    panel = _panel(window, tmp_path)
    count = window.document.undo_stack.count()
    editor = _open_cell(panel)
    QTest.keyClick(editor, Qt.Key.Key_Down)
    QTest.keyClick(editor, Qt.Key.Key_Escape)
    QApplication.processEvents()
    assert window.document.get(ACTION) == "accept"
    assert window.document.undo_stack.count() == count


def test_down_down_enter_on_the_policy_is_one_undo_step(window: MainWindow,
                                                        tmp_path: Path) -> None:
    panel = _panel(window, tmp_path)
    policy = panel.chains["output"].policy
    stack = window.document.undo_stack
    count = stack.count()
    policy.setFocus()
    QTest.keyClick(policy, Qt.Key.Key_Down)  # accept → drop
    QTest.keyClick(policy, Qt.Key.Key_Up)  # → accept again
    QTest.keyClick(policy, Qt.Key.Key_Down)  # → drop
    assert stack.count() == count
    QTest.keyClick(policy, Qt.Key.Key_Return)
    assert window.document.get(("namespaces", "c1", "firewall", "output", "policy")) == "drop"
    assert stack.count() == count + 1


def test_a_browsed_forwarding_commits_when_the_focus_leaves(window: MainWindow,
                                                            tmp_path: Path) -> None:
    panel = _panel(window, tmp_path)
    combo = panel.forwarding["ipv4"]
    stack = window.document.undo_stack
    count = stack.count()
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Down)  # on
    QTest.keyClick(combo, Qt.Key.Key_Down)  # off
    assert stack.count() == count
    panel.chains["input"].policy.setFocus()
    QApplication.processEvents()
    assert window.document.get(("namespaces", "c1", "forwarding", "ipv4")) is False
    assert stack.count() == count + 1
