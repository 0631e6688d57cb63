"""A rules table's refusal on a short Inspector is shown whole: at 1024×700 with the bottom
panel open, the sentence under the table appeared at the dock's bottom edge with only its
first line in view (it was scrolled to before the form had made room for it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fw_design import DESIGN
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QScrollArea

from netwright.gui.docks.packet_panel import PacketPanel
from netwright.gui.model.rule_rows import RULE_COLUMNS


def _shown(label: Any) -> QRect:
    """The part of ``label`` inside the viewport of the scroll area that holds it."""
    area = label.parentWidget()
    while not isinstance(area, QScrollArea):
        area = area.parentWidget()
    viewport = area.viewport()
    rect = QRect(label.mapTo(viewport, QPoint(0, 0)), label.size())
    return rect.intersected(viewport.rect()).translated(-rect.topLeft())


def test_a_rules_refusal_on_a_short_inspector_is_shown_whole(started: Any,
                                                              tmp_path: Path) -> None:
    path = tmp_path / "fw.yaml"
    path.write_text(DESIGN)
    window = started(1024, 700, path)
    window.bottom_panel.open()  # the Inspector is as short as it gets at this size
    window.scene.select_keys(["c1"])
    QApplication.processEvents()
    panel = window.inspector.packets
    assert isinstance(panel, PacketPanel)
    chain = panel.chains["input"]
    table = chain.rules.table
    table.setFocus()
    table.setCurrentCell(0, RULE_COLUMNS.index("dport"))
    QTest.keyClick(table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    QTest.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(editor, "nonsense port")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    QTest.qWait(100)
    label = chain.error
    assert label.isVisible() and "is not a port" in label.text()
    lines = label.height() // label.fontMetrics().lineSpacing()
    assert label.height() >= label.heightForWidth(label.width()), "not wrapped whole"
    assert lines >= 2, label.size()
    assert _shown(label) == label.rect(), (_shown(label), label.rect())


def test_a_nat_refusal_on_a_short_inspector_is_shown_whole(started: Any,
                                                            tmp_path: Path) -> None:
    """Add… › Masquerade in a namespace with nothing to masquerade says what to add first,
    under the NAT table: it was left below the fold."""
    path = tmp_path / "bare.yaml"
    path.write_text("netwright: 1\nname: bare\nnamespaces:\n  n1: {}\n")
    window = started(1024, 700, path)
    window.bottom_panel.open()
    window.scene.select_keys(["n1"])
    QApplication.processEvents()
    panel = window.inspector.packets
    assert isinstance(panel, PacketPanel)
    panel.tabs.setCurrentWidget(panel.nat)
    assert not panel.nat.add("masquerade")
    QTest.qWait(100)
    label = panel.nat.error
    assert label.isVisible() and label.text().startswith("A masquerade rewrites")
    assert label.height() >= label.heightForWidth(label.width()), "not wrapped whole"
    assert _shown(label) == label.rect(), (_shown(label), label.rect())
