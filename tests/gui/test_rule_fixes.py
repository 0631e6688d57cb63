"""A firewall that denies a predicted flow: "Apply fix" adds or changes the rule, one step.

Three namespaces on a bridge; c1's input drops by default, c2's output drops ICMP. The
explainer's fixes (add a rule, put a rule before the one that drops, accept replies) become
edits of the design as it is now.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gestures import select_check_cell
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netwright.gui.model.fixes import pair_fix
from netwright.gui.window.main import MainWindow

DESIGN = """\
netwright: 1
name: fx
namespaces:
  c1:
    firewall:
      input:
        policy: drop
        rules:
          - {action: drop, from: 10.0.0.0/24, proto: udp}
          - {action: accept, proto: tcp, dport: 22}  # ssh
  c2:
    firewall:
      output: {policy: accept, rules: [{action: drop, proto: icmp}]}
  c3: {}
interfaces:
  br0: {kind: bridge}
  v1: {kind: veth, master: br0, peer: e1}
  e1: {kind: veth, namespace: c1, peer: v1, addresses: [10.0.0.1/24]}
  v2: {kind: veth, master: br0, peer: e2}
  e2: {kind: veth, namespace: c2, peer: v2, addresses: [10.0.0.2/24]}
  v3: {kind: veth, master: br0, peer: e3}
  e3: {kind: veth, namespace: c3, peer: v3, addresses: [10.0.0.3/24]}
"""


def _pair(window: MainWindow, source: str, target: str) -> dict[str, Any]:
    return next(p for p in window.checks.result["pairs"]
                if p["source"] == source and p["target_name"] == target)


def _open(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "fx.yaml"
    path.write_text(DESIGN)
    assert window.open_path(path)
    qtbot.waitUntil(lambda: bool(window.checks.result.get("pairs")), timeout=5000)


def test_a_denied_cells_fix_adds_the_rule_in_one_click(qtbot, window: MainWindow,  # type: ignore[no-untyped-def]
                                                       tmp_path: Path) -> None:
    _open(qtbot, window, tmp_path)
    checks = window.checks
    target = _pair(window, "c3", "c1/e1")
    assert target["predicted"]["disposition"] == "denied"
    window.checks_dock.raise_()
    select_check_cell(checks, target)
    assert checks.fix_bar.isVisible(), checks.explanation.toPlainText()
    assert checks.fix_bar.label.text() == (
        "Fix: Accept icmp from 10.0.0.3 in c1's input chain")
    QTest.mouseClick(checks.fix_bar.button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    rules = window.document.get(("namespaces", "c1", "firewall", "input", "rules"))
    assert dict(rules[2]) == {"action": "accept", "proto": "icmp", "from": "10.0.0.3"}
    assert window.document.undo_stack.count() == 1
    assert "# ssh" in window.document.render()
    qtbot.waitUntil(lambda: _pair(window, "c3", "c1/e1")["predicted"]["verdict"]
                    == "reachable", timeout=5000)
    window.undo_action.trigger()
    assert len(window.document.get(("namespaces", "c1", "firewall", "input", "rules"))) == 2


def test_a_rule_goes_before_the_rule_that_drops(qtbot, window: MainWindow,  # type: ignore[no-untyped-def]
                                                tmp_path: Path) -> None:
    _open(qtbot, window, tmp_path)
    fix = pair_fix(window.document.snapshot, window.document.get, _pair(window, "c2", "c1/e1"))
    assert fix is not None
    assert fix.label == ("Accept icmp to 10.0.0.1 in c2's output chain"
                         " (as rule 1, above “drop icmp”)")
    window.apply_fix(fix)
    rules = window.document.get(("namespaces", "c2", "firewall", "output", "rules"))
    assert [dict(r) for r in rules] == [{"action": "accept", "proto": "icmp", "to": "10.0.0.1"},
                                        {"action": "drop", "proto": "icmp"}]


def test_replies_dropped_by_a_chain_make_it_stateful(qtbot, window: MainWindow,  # type: ignore[no-untyped-def]
                                                     tmp_path: Path) -> None:
    _open(qtbot, window, tmp_path)
    fix = pair_fix(window.document.snapshot, window.document.get, _pair(window, "c1", "c2/e2"))
    assert fix is not None
    assert fix.label == "Accept replies in c2's output chain (stateful)"
    window.apply_fix(fix)
    assert window.document.get(("namespaces", "c2", "firewall", "output", "stateful")) is True


def test_fix_paths_with_dots_in_keys_and_unknown_sentences() -> None:
    from netwright.gui.model.rule_fixes import chain_path, rule_fix

    assert chain_path("interfaces.eth0.10.port-firewall.to-port") == (
        "interfaces", "eth0.10", "port-firewall", "to-port")
    assert chain_path("host.firewall.forward") == ("host", "firewall", "forward")
    assert rule_fix(lambda _p: None, "set 'state: up' on v1") is None


def test_a_denied_port_of_a_reachable_pair_gets_its_rule(window: MainWindow,
                                                        tmp_path: Path) -> None:
    """The echo passes (c1 accepts ICMP), TCP port 22 does not: the check's port probe
    carries the fix, and the cell offers it."""
    from netwright.backend.checks.explain import Explainer
    from netwright.backend.checks.services import with_services

    text = DESIGN.replace("- {action: accept, proto: tcp, dport: 22}  # ssh",
                          "- {action: accept, proto: icmp}\n          - {action: drop, proto:"
                          " tcp, dport: 22}  # ssh")
    path = tmp_path / "ports.yaml"
    path.write_text(text)
    assert window.open_path(path)
    explainer = Explainer(window.document.contract.topology())
    pairs = [p.to_json() for p in with_services(explainer, explainer.pairs())]
    pair = next(p for p in pairs if p["source"] == "c3" and p["target_name"] == "c1/e1")
    assert pair["predicted"]["verdict"] == "reachable"
    fix = pair_fix(window.document.snapshot, window.document.get, pair)
    assert fix is not None
    assert fix.label == ("Accept tcp port 22 from 10.0.0.3 in c1's input chain"
                         " (as rule 3, above “drop tcp port 22”)")
    window.apply_fix(fix)
    rules = window.document.get(("namespaces", "c1", "firewall", "input", "rules"))
    assert dict(rules[2]) == {"action": "accept", "proto": "tcp", "dport": 22,
                              "from": "10.0.0.3"}


PORT_DESIGN = """\
netwright: 1
name: pf
namespaces: {vm1: {}, vm2: {}}
interfaces:
  br0: {kind: bridge}
  tap1:
    kind: veth
    master: br0
    peer: e1
    port-firewall:
      to-port: {policy: drop, rules: [{action: accept, proto: tcp, dport: 22}]}
  e1: {kind: veth, namespace: vm1, peer: tap1, addresses: [10.0.0.11/24]}
  tap2: {kind: veth, master: br0, peer: e2}
  e2: {kind: veth, namespace: vm2, peer: tap2, addresses: [10.0.0.12/24]}
"""


def test_replies_a_port_drops_get_their_own_rule_without_bridge_conntrack(
        qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """vm1's echo to vm2 goes out, tap1's to-port chain drops the reply. The fix was
    "Accept replies in tap1's to-port chain (stateful)" even where the backend's kernel has
    no bridge connection tracking: the Problems list asks to untick that very box, and Plan
    refuses it, so Apply fix led straight back to a design that cannot be applied. There,
    the fix is the rule the replies need: from the probed address (and its port)."""
    from netwright.gui.model.host_facts import HostFacts

    path = tmp_path / "pf.yaml"
    path.write_text(PORT_DESIGN)
    assert window.open_path(path)
    qtbot.waitUntil(lambda: bool(window.checks.result.get("pairs")), timeout=5000)
    pair = _pair(window, "vm1", "vm2/e2")
    assert pair["predicted"]["disposition"] == "denied"
    stateful = pair_fix(window.document.snapshot, window.document.get, pair)
    assert stateful is not None and stateful.label == (
        "Accept replies in tap1's to-port chain (stateful)")  # a kernel that has it
    window.set_host_facts(HostFacts(mode="lab", features={"bridge-conntrack": False}))
    window.checks_dock.raise_()
    select_check_cell(window.checks, pair)
    bar = window.checks.fix_bar
    assert bar.isVisible()
    assert bar.label.text() == (
        "Fix: Accept icmp from 10.0.0.12 in tap1's to-port chain (its replies: this kernel"
        " has no bridge connection tracking for “Accept replies”)")
    QTest.mouseClick(bar.button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    chain = ("interfaces", "tap1", "port-firewall", "to-port")
    assert [dict(r) for r in window.document.get((*chain, "rules"))] == [
        {"action": "accept", "proto": "tcp", "dport": 22},
        {"action": "accept", "proto": "icmp", "from": "10.0.0.12"}]
    assert window.document.get((*chain, "stateful")) is None
    qtbot.waitUntil(lambda: _pair(window, "vm1", "vm2/e2")["predicted"]["verdict"]
                    == "reachable", timeout=5000)
