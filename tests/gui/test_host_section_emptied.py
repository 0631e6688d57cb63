"""A host chain, NAT entry or forwarding setting added and then removed in the Inspector
leaves the file as it was: removing the host's last chain left ``host: {}`` in a file that
had no ``host:`` before."""

from __future__ import annotations

from pathlib import Path

from fw_design import open_host_panel
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from netwright.gui.docks.packet_panel import FORWARDING_CHOICES, PacketPanel
from netwright.gui.window.main import MainWindow

NO_HOST = """\
netwright: 1
name: nohost
namespaces:
  c1: {}
interfaces:
  br0: {kind: bridge, addresses: [172.17.0.1/16]}
  veth-c1: {kind: veth, master: br0, peer: eth0}
  eth0: {kind: veth, namespace: c1, peer: veth-c1, addresses: [172.17.0.2/16]}
"""


def _host_panel(window: MainWindow, tmp_path: Path, text: str) -> PacketPanel:
    return open_host_panel(window, tmp_path / "nohost.yaml", text)


def _saved(window: MainWindow, tmp_path: Path) -> str:
    out = tmp_path / "saved.yaml"
    window.document.save(out)
    return out.read_text()


def test_a_host_rule_added_and_removed_leaves_no_host_section(window: MainWindow,
                                                               tmp_path: Path) -> None:
    panel = _host_panel(window, tmp_path, NO_HOST)
    table = panel.chains["input"].rules.table
    table.setFocus()
    QTest.keyClick(table, Qt.Key.Key_Insert)
    assert window.document.get(("host", "firewall", "input", "rules", 0, "action")) == "accept"
    table.setCurrentCell(0, 0)
    QTest.keyClick(table, Qt.Key.Key_Delete)
    assert window.document.get(("host",)) is None
    assert _saved(window, tmp_path) == NO_HOST
    window.undo_action.trigger()  # the rule again, then nothing again
    assert window.document.get(("host", "firewall", "input", "rules", 0, "action")) == "accept"
    window.undo_action.trigger()
    assert _saved(window, tmp_path) == NO_HOST


def test_host_nat_and_forwarding_set_and_unset_leave_no_host_section(
        window: MainWindow, tmp_path: Path) -> None:
    panel = _host_panel(window, tmp_path, NO_HOST)
    assert panel.nat.add("masquerade")
    assert window.document.get(("host", "nat", 0, "masquerade", "out")) == "br0"
    table = panel.nat.entries.table
    table.setFocus()
    table.setCurrentCell(0, 0)
    QTest.keyClick(table, Qt.Key.Key_Delete)
    assert _saved(window, tmp_path) == NO_HOST

    combo = panel.forwarding["ipv4"]
    on = next(i for i, (_t, v) in enumerate(FORWARDING_CHOICES) if v is True)
    combo.setCurrentIndex(on)
    combo.activated.emit(on)
    assert window.document.get(("host", "forwarding", "ipv4")) is True
    combo.setCurrentIndex(0)  # leave as it is
    combo.activated.emit(0)
    assert _saved(window, tmp_path) == NO_HOST

    policy = panel.chains["forward"].policy  # a policy drop, then accept again
    policy.setCurrentText("drop")
    policy.activated.emit(policy.currentIndex())
    assert window.document.get(("host", "firewall", "forward", "policy")) == "drop"
    policy.setCurrentText("accept")
    policy.activated.emit(policy.currentIndex())
    assert _saved(window, tmp_path) == NO_HOST


def test_a_host_with_nics_keeps_them(window: MainWindow, tmp_path: Path) -> None:
    """Only an emptied host goes: one with NICs keeps its section, without the chain."""
    text = NO_HOST.replace("namespaces:\n", "host:\n  nics:\n    wlp2s0: {addresses:"
                           " [192.168.31.240/24]}\nnamespaces:\n")
    panel = _host_panel(window, tmp_path, text)
    table = panel.chains["output"].rules.table
    table.setFocus()
    QTest.keyClick(table, Qt.Key.Key_Insert)
    table.setCurrentCell(0, 0)
    QTest.keyClick(table, Qt.Key.Key_Delete)
    assert _saved(window, tmp_path) == text


EMPTY_HOST = """\
netwright: 1
name: emptyhost
host: {}
namespaces:
  c1: {}
interfaces:
  br0: {kind: bridge, addresses: [172.17.0.1/16]}
  veth-c1: {kind: veth, master: br0, peer: eth0}
  eth0: {kind: veth, namespace: c1, peer: veth-c1, addresses: [172.17.0.2/16]}
"""


def test_an_explicit_empty_host_stays_when_its_last_chain_goes(window: MainWindow,
                                                                tmp_path: Path) -> None:
    """The file wrote ``host: {}``: adding a host rule and removing it again must leave it
    (it went with the chain, an edit of something the user did not touch)."""
    panel = _host_panel(window, tmp_path, EMPTY_HOST)
    table = panel.chains["input"].rules.table
    table.setFocus()
    QTest.keyClick(table, Qt.Key.Key_Insert)
    assert window.document.get(("host", "firewall", "input", "rules", 0, "action")) == "accept"
    table.setCurrentCell(0, 0)
    QTest.keyClick(table, Qt.Key.Key_Delete)
    assert _saved(window, tmp_path) == EMPTY_HOST

    combo = panel.forwarding["ipv4"]  # a forwarding set and unset, likewise
    on = next(i for i, (_t, v) in enumerate(FORWARDING_CHOICES) if v is True)
    combo.setCurrentIndex(on)
    combo.activated.emit(on)
    combo.setCurrentIndex(0)
    combo.activated.emit(0)
    assert _saved(window, tmp_path) == EMPTY_HOST
