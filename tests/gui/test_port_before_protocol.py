"""A port typed in a rule before its protocol is kept: it was refused ("only TCP and UDP have
ports"), and when the protocol was then chosen the typed 443 was wiped, to be typed again.
Now the port is in the design at once, a hint under the table asks for the protocol, and
choosing it completes the rule."""

from __future__ import annotations

from pathlib import Path

from fw_design import DESIGN
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QTableWidget

from netwright.gui.docks.packet_panel import PacketPanel
from netwright.gui.model.rule_rows import RULE_COLUMNS
from netwright.gui.window.main import MainWindow

RULES = ("namespaces", "c1", "firewall", "input", "rules")


def _type(table: QTableWidget, row: int, column: str, text: str) -> None:
    table.setFocus()
    table.setCurrentCell(row, RULE_COLUMNS.index(column))
    QTest.keyClick(table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    if isinstance(editor, QLineEdit):
        QTest.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClicks(editor, text)
    else:
        assert isinstance(editor, QComboBox)
        editor.setCurrentText(text)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()


def test_a_port_typed_first_waits_for_its_protocol(window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "fw.yaml"
    path.write_text(DESIGN)
    assert window.open_path(path)
    window.scene.select_keys(["c1"])
    QApplication.processEvents()
    panel = window.inspector.packets
    assert isinstance(panel, PacketPanel)
    editor = panel.chains["input"]
    table = editor.rules.table
    table.setFocus()
    table.setCurrentCell(1, 0)
    QTest.keyClick(table, Qt.Key.Key_Insert)  # a new rule: accept, nothing else
    assert dict(window.document.get((*RULES, 2))) == {"action": "accept"}

    top = table.mapTo(editor, QPoint(0, 0))
    _type(table, 2, "dport", "443")
    assert dict(window.document.get((*RULES, 2))) == {"action": "accept", "dport": 443}
    assert table.item(2, RULE_COLUMNS.index("dport")).text() == "443"
    assert not editor.error.isVisibleTo(editor), editor.error.text()
    assert editor.hint.isVisibleTo(editor)
    assert table.mapTo(editor, QPoint(0, 0)) == top  # the rows did not move under the mouse
    assert editor.hint.text() == ("Rule 3 has dport 443 but no protocol yet: choose tcp or udp"
                                  " in its proto column (only TCP and UDP have ports).")
    assert any(p.code == "rule-port-without-protocol" for p in window.document.problems)

    _type(table, 2, "proto", "tcp")
    assert dict(window.document.get((*RULES, 2))) == {"action": "accept", "dport": 443,
                                                      "proto": "tcp"}
    assert table.item(2, RULE_COLUMNS.index("dport")).text() == "443"
    assert not editor.hint.isVisibleTo(editor)
    assert not any(p.code == "rule-port-without-protocol" for p in window.document.problems)

    # a protocol without ports under a port is still refused, with the model's sentence
    _type(table, 2, "proto", "icmp")
    assert window.document.get((*RULES, 2, "proto")) == "tcp"
    assert editor.error.isVisibleTo(editor) and "only TCP and UDP" in editor.error.text()

    window.undo_action.trigger()  # the protocol
    assert editor.hint.isVisibleTo(editor)
    window.undo_action.trigger()  # the port
    assert dict(window.document.get((*RULES, 2))) == {"action": "accept"}
    assert not editor.hint.isVisibleTo(editor)


def test_on_a_small_screen_the_hint_is_scrolled_into_view(started, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """At 1024×700 the Inspector's form is taller than its dock: the hint under the table
    was below the fold, and only "1 error" in the status bar said anything. It is scrolled
    into view, and the proto cell to fill is marked (its tooltip says why)."""
    path = tmp_path / "fw.yaml"
    path.write_text(DESIGN)
    window = started(1024, 700, path)
    window.scene.select_keys(["c1"])
    QApplication.processEvents()
    panel = window.inspector.packets
    assert isinstance(panel, PacketPanel)
    editor = panel.chains["input"]
    table = editor.rules.table
    _type(table, 1, "proto", "")  # rule 2 (icmp) without its protocol: a port may come
    assert window.document.get((*RULES, 1, "proto")) is None
    _type(table, 1, "dport", "8443")
    QTest.qWait(50)  # the scroll waits for the new layout
    assert window.document.get((*RULES, 1, "dport")) == 8443
    assert editor.hint.isVisible() and not editor.hint.visibleRegion().isEmpty()
    proto = table.item(1, RULE_COLUMNS.index("proto"))
    assert proto.toolTip().startswith("choose tcp or udp")
    assert table.item(0, RULE_COLUMNS.index("proto")).toolTip() == ""
