"""A check cell's "Apply fix" shows what it changed in the Inspector: a bridge port's new
to-port rule was added below the fold of the port's form (its key, peer, impairment…), so
the person saw the form's top and not the rule. The keys stay where they were (the fix bar)."""

from __future__ import annotations

from pathlib import Path

from gestures import select_check_cell
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QScrollArea

from netwright.gui.docks.packet_panel import PortFirewallPanel
from netwright.gui.window.main import MainWindow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_a_fixs_new_port_rule_is_scrolled_into_view(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    assert window.open_path(EXAMPLES / "openstack-linuxbridge.yaml")
    qtbot.waitUntil(lambda: bool(window.checks.result.get("pairs")), timeout=5000)
    checks = window.checks
    pair = next(p for p in checks.result["pairs"]
                if p["source"] == "qrouter" and p["target_name"] == "vm2/vm2-eth0")
    window.checks_dock.raise_()
    select_check_cell(checks, pair)
    assert checks.fix_bar.label.text() == "Fix: Accept icmp from 10.0.0.1 in tap-vm2's" \
        " to-port chain"
    checks.fix_bar.button.setFocus()
    QTest.mouseClick(checks.fix_bar.button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    QApplication.processEvents()  # the scroll waits for the form's new layout
    panel = window.inspector.packets
    assert window.inspector.key == "tap-vm2" and isinstance(panel, PortFirewallPanel)
    chain = panel.chains["to-port"]
    assert panel.tabs.currentWidget() is chain
    rules = window.document.get(("interfaces", "tap-vm2", "port-firewall", "to-port", "rules"))
    assert chain.rules.table.currentRow() == len(rules) - 1  # the rule the fix added
    area = chain.rules.table.parentWidget()
    while not isinstance(area, QScrollArea):
        area = area.parentWidget()
    table = chain.rules.table
    shown = QRect(table.mapTo(area.viewport(), QPoint(0, 0)), table.size())
    assert area.viewport().rect().contains(shown.center()), (shown, area.viewport().rect())
    assert not window.inspector.isAncestorOf(QApplication.focusWidget())
