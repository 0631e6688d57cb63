"""Enter (or a double-click) on a problem puts the keys in the field it names, as it did
for a rule's cell: the Loss field, the route's via cell, a port firewall's "Accept replies".
The keys stayed in the Problems list, and the field had to be found with the mouse."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netwright.gui.docks.packet_panel import PortFirewallPanel
from netwright.gui.model.host_facts import HostFacts
from netwright.gui.window.main import MainWindow

DESIGN = """\
netwright: 1
name: pf
namespaces:
  n1:
    routes: [{to: default, via: 10.9.9.1}]
interfaces:
  br0: {kind: bridge}
  v1: {kind: veth, namespace: n1, peer: v2, addresses: [10.0.0.1/24],
       impairment: {loss: lots}}
  v2:
    kind: veth
    peer: v1
    master: br0
    port-firewall:
      from-port: {stateful: true, policy: drop}
"""


def _enter_on(window: MainWindow, code: str, path_end: tuple[object, ...]) -> None:
    view = window.problems
    window.problems_dock.raise_()
    row = next(i for i in range(view.topLevelItemCount())
               if view.topLevelItem(i).data(1, Qt.ItemDataRole.UserRole) == code
               and tuple(view._ordered[view.topLevelItem(i).data(2, Qt.ItemDataRole.UserRole)]
                         .path[-len(path_end):]) == path_end)
    view.setFocus()
    view.setCurrentItem(view.topLevelItem(row))
    QTest.keyClick(view, Qt.Key.Key_Return)
    QApplication.processEvents()


def test_enter_on_a_problem_focuses_its_field(window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "pf.yaml"
    path.write_text(DESIGN)
    assert window.open_path(path)
    _enter_on(window, "invalid-impairment", ("impairment", "loss"))
    assert window.inspector.key == "v1"
    loss = window.inspector.editors["impairment.loss"]
    assert QApplication.focusWidget() is loss
    QTest.keyClick(loss, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(loss, "1%")  # the keys are where the problem is: it is fixed there
    QTest.keyClick(loss, Qt.Key.Key_Return)
    assert window.document.get(("interfaces", "v1", "impairment", "loss")) == "1%"
    via = next(p.code for p in window.document.problems if p.path[-2:] == (0, "via"))
    _enter_on(window, via, ("routes", 0, "via"))
    assert window.inspector.key == "n1" and window.inspector.routes is not None
    table = window.inspector.routes.table
    assert QApplication.focusWidget() is table
    assert (table.currentRow(), table.currentColumn()) == (0, 1)
    window.set_host_facts(HostFacts(mode="lab", features={"bridge-conntrack": False}))
    _enter_on(window, "kernel-lacks-feature", ("port-firewall",))
    panel = window.inspector.packets
    assert window.inspector.key == "v2" and isinstance(panel, PortFirewallPanel)
    assert panel.tabs.currentWidget() is panel.chains["from-port"]
    assert QApplication.focusWidget() is panel.chains["from-port"].stateful
