"""The forwarding and policy combo boxes show what the file means and change nothing when
the user picks what they already show.

``forwarding: {ipv4: yes}`` (or ``1``, ``on``) is valid, and the model reads it as true: the
Inspector failed on it (an exception while loading the form, the combo boxes left as the last
design had them). Picking "accept" as the policy of a chain the file does not have wrote
``output: {policy: accept}``, a firewall of the host's own that Apply then put on trial.
"""

from __future__ import annotations

from pathlib import Path

from fw_design import DESIGN, open_host_panel
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netwright.gui.docks.packet_panel import PacketPanel, PortFirewallPanel
from netwright.gui.window.main import MainWindow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _host_panel(window: MainWindow, text: str, tmp_path: Path) -> PacketPanel:
    return open_host_panel(window, tmp_path / "fw.yaml", text)


def test_forwarding_written_as_yes_or_1_shows_as_on(window: MainWindow, tmp_path: Path) -> None:
    panel = _host_panel(window, DESIGN.replace("forwarding: {ipv4: true}",
                                               "forwarding: {ipv4: yes, ipv6: 0}"), tmp_path)
    assert not [p for p in window.document.problems if p.severity == "error"]
    assert panel.forwarding["ipv4"].currentText() == "on"
    assert panel.forwarding["ipv6"].currentText() == "off"
    combo = panel.forwarding["ipv4"]
    combo.activated.emit(combo.currentIndex())  # "on" picked again: it already is
    assert window.document.undo_stack.count() == 0
    assert "ipv4: yes" in window.document.render()


def test_picking_the_policy_shown_adds_no_chain(window: MainWindow, tmp_path: Path) -> None:
    panel = _host_panel(window, DESIGN, tmp_path)
    output = panel.chains["output"]
    assert output.policy.currentText() == "accept"
    output.policy.activated.emit(output.policy.currentIndex())
    assert window.document.get(("host", "firewall")) is None
    assert window.document.undo_stack.count() == 0
    output.policy.setCurrentText("drop")  # a real change is still one step
    output.policy.activated.emit(output.policy.currentIndex())
    assert window.document.get(("host", "firewall", "output", "policy")) == "drop"
    assert window.document.undo_stack.undoText() == "Change host output policy"


def test_a_chain_given_and_taken_back_leaves_no_firewall(window: MainWindow,
                                                         tmp_path: Path) -> None:
    """Adding a rule and removing it left ``firewall: {input: {}}``: a firewall of the
    host's own that Apply made (and put on trial) though it filters nothing. So did ticking
    "Accept replies" and unticking it, and policy drop then accept."""
    panel = _host_panel(window, DESIGN, tmp_path)
    chain = panel.chains["input"]
    chain.rules.buttons["add"].click()
    assert window.document.get(("host", "firewall", "input", "rules")) == [{"action": "accept"}]
    chain.rules.table.setCurrentCell(0, 0)
    chain.rules.buttons["remove"].click()
    assert window.document.get(("host", "firewall")) is None
    chain.stateful.click()
    assert window.document.get(("host", "firewall", "input", "stateful")) is True
    chain.stateful.click()
    assert window.document.get(("host", "firewall")) is None
    for policy in ("drop", "accept"):
        chain.policy.setCurrentText(policy)
        chain.policy.activated.emit(chain.policy.currentIndex())
    assert window.document.get(("host", "firewall")) is None
    assert window.document.undo_stack.count() == 6
    window.undo_action.trigger()  # the policy back to drop: the chain comes back with it
    assert window.document.get(("host", "firewall", "input")) == {"policy": "drop"}


def test_a_chain_that_still_says_something_stays(window: MainWindow, tmp_path: Path) -> None:
    panel = _host_panel(window, DESIGN, tmp_path)
    window.scene.select_keys(["c1"])  # input: policy drop and two rules
    QApplication.processEvents()
    panel = window.inspector.packets
    assert isinstance(panel, PacketPanel)
    chain = panel.chains["input"]
    for _ in range(2):
        chain.rules.table.setCurrentCell(0, 0)
        chain.rules.buttons["remove"].click()
    assert window.document.get(("namespaces", "c1", "firewall", "input")) == {"policy": "drop"}


def test_anti_spoofing_emptied_leaves_the_file(window: MainWindow) -> None:
    """Both fields cleared left ``anti-spoofing: {}``, which still made the port's
    from-port chain; now it goes, and the port's to-port chain stays."""
    assert window.open_path(EXAMPLES / "openstack-linuxbridge.yaml")
    window.scene.select_keys(["tap-vm1"])
    QApplication.processEvents()
    panel = window.inspector.packets
    assert isinstance(panel, PortFirewallPanel)
    panel.tabs.setCurrentWidget(panel.spoofing)
    window.inspector_dock.raise_()
    assert panel.ips.text() == "10.0.0.11"
    panel.ips.setFocus()
    panel.ips.selectAll()
    QTest.keyClick(panel.ips, Qt.Key.Key_Delete)
    QTest.keyClick(panel.ips, Qt.Key.Key_Return)
    firewall = ("interfaces", "tap-vm1", "port-firewall")
    assert window.document.get((*firewall, "anti-spoofing")) is None
    assert window.document.get((*firewall, "to-port", "policy")) == "drop"
    window.undo_action.trigger()
    assert window.document.get((*firewall, "anti-spoofing")) == {"ips": ["10.0.0.11"]}


def test_the_hosts_shield_says_forwarding_written_as_yes(window: MainWindow,
                                                         tmp_path: Path) -> None:
    """Its caption said "forwarding" and its tooltip nothing of it (only true/false were
    read)."""
    _host_panel(window, DESIGN.replace("forwarding: {ipv4: true}",
                                       "forwarding: {ipv4: yes, ipv6: 0}"), tmp_path)
    host = window.scene.rule_marks.host_badge
    assert host.caption == "forwarding · NAT"
    assert host.toolTip().startswith("host: forwarding: IPv4 on, IPv6 off\n"), host.toolTip()
