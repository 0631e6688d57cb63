"""The Checks dock names the rule that decided as the design does: "a's input chain (rule 1:
accept tcp dport 22 …)", "tap-vm2's to-port policy drop". Before, it quoted nft's listing
("'drop (the port's policy)' in table bridge netwright-openstack, chain to-tap-vm2 in host"),
which the designer shows nowhere; the nft table and chain stay after it, to find the rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from netwright.gui.docks.checks import explanation_html, reason_text

DESIGN = """
netwright: 1
name: ports
namespaces:
  a:
    firewall:
      input:
        policy: drop
        rules:
          - {action: accept, proto: udp, dport: 53}
          - {action: accept, proto: tcp, dport: 22}
  b: {}
interfaces:
  br0: {kind: bridge}
  pa: {kind: veth, peer: ea, master: br0}
  ea: {kind: veth, peer: pa, namespace: a, addresses: [10.0.0.1/24]}
  pb: {kind: veth, peer: eb, master: br0}
  eb: {kind: veth, peer: pb, namespace: b, addresses: [10.0.0.2/24]}
"""


def _explained(window: Any, source: str, target: str) -> str:
    from PySide6.QtWidgets import QApplication

    window.predictions.run()
    QApplication.processEvents()
    pair = window.checks.cell(source, target)
    assert pair is not None
    return explanation_html(pair, get=window.document.get)


def test_a_namespace_chain_is_named_as_the_inspector_shows_it(window: Any, tmp_path: Path) -> None:
    path = tmp_path / "ports.yaml"
    path.write_text(DESIGN)
    assert window.open_path(path)
    html = _explained(window, "b", "10.0.0.1")
    assert "a's input chain policy drop (nft: table inet netwright-ports, chain input)" in html
    assert "chain input in a" not in html
    pair = window.checks.cell("b", "10.0.0.1")
    ssh = next(s for s in pair["services"] if s["port"] == 22)["predicted"]["reason"]
    assert "'meta l4proto tcp tcp dport 22 accept' in table inet netwright-ports" in ssh  # CLI's
    assert reason_text(ssh, window.document.get).endswith(
        "allowed by a's input chain (rule 2: accept tcp dport 22; nft: table inet"
        " netwright-ports, chain input)")


def test_a_ports_policy_is_named_by_its_port(window: Any) -> None:
    examples = Path(__file__).resolve().parents[2] / "examples"
    assert window.open_path(examples / "openstack-linuxbridge.yaml")
    window.predictions.run()
    html = "".join(explanation_html(pair, get=window.document.get)
                   for pair in window.checks.matrix.pairs)
    assert "'s to-port policy drop (nft: table bridge netwright-openstack, chain to-" in html
    assert "(the port's policy)" not in html
    reasons = [reason_text(s["predicted"]["reason"], window.document.get)
               for pair in window.checks.matrix.pairs for s in pair.get("services") or ()]
    assert any("allowed by tap-vm2's to-port (rule 1: accept tcp dport 80 from 10.0.0.11; nft:"
               " table bridge netwright-openstack, chain to-tap-vm2)" in r for r in reasons)




def test_an_apostrophe_before_the_rule_is_not_taken_for_its_quote() -> None:
    from netwright.gui.model.chain_words import designer_chains

    design = {"name": "t", "namespaces": {"b": {}}}

    def get(path: Any, default: Any = None) -> Any:
        return design.get(path[0], default) if len(path) == 1 else default

    reason = ("10.0.0.2 is b's own address: delivered locally; allowed by 'ct state"
              " established,related accept' in table inet netwright-t, chain input")
    assert designer_chains(reason, get) == (
        "10.0.0.2 is b's own address: delivered locally; allowed by the input chain (its"
        " stateful accept of replies; nft: table inet netwright-t, chain input)")
    other = "dropped by the drop policy of table inet netwright-other, chain input in b"
    assert designer_chains(other, get) == other  # another topology's table: not this design


TWO_SWITCHES = """
netwright: 1
name: twins
namespaces: {s1: {}, s2: {}, a1: {}, b1: {}, a2: {}, b2: {}}
interfaces:
  br1: {kind: bridge, namespace: s1}
  p1: {kind: veth, name: tap0, namespace: s1, master: br1, peer: e1,
       port-firewall: {to-port: {policy: drop, rules: [{action: accept, proto: tcp, dport: 22}]}}}
  e1: {kind: veth, namespace: a1, peer: p1, addresses: [10.0.1.1/24]}
  q1: {kind: veth, namespace: s1, master: br1, peer: f1}
  f1: {kind: veth, namespace: b1, peer: q1, addresses: [10.0.1.2/24]}
  br2: {kind: bridge, namespace: s2}
  p2: {kind: veth, name: tap0, namespace: s2, master: br2, peer: e2,
       port-firewall: {to-port: {policy: drop, rules: [{action: accept, proto: icmp},
                                                       {action: drop, proto: tcp, dport: 22},
                                                       {action: accept, proto: tcp, dport: 80}]}}}
  e2: {kind: veth, namespace: a2, peer: p2, addresses: [10.0.2.1/24]}
  q2: {kind: veth, namespace: s2, master: br2, peer: f2}
  f2: {kind: veth, namespace: b2, peer: q2, addresses: [10.0.2.2/24]}
"""


def test_a_port_is_the_one_of_that_name_in_the_reasons_place(window: Any,
                                                              tmp_path: Path) -> None:
    """s1 and s2 each have a port the kernel knows as tap0, with rules of their own. The
    words read the rules of the file's first tap0 whichever switch the packet crossed, and
    called s2's rules "the port firewall's own rule". A drop names its place; an accept does
    not, and is the tap0 whose rules hold it."""
    path = tmp_path / "twins.yaml"
    path.write_text(TWO_SWITCHES)
    assert window.open_path(path)
    _explained(window, "b2", "10.0.2.1")
    nft = "nft: table bridge netwright-twins, chain to-tap0"

    def said(source: str, target: str, port: int) -> str:
        pair = window.checks.cell(source, target)
        reason = next(s for s in pair["services"] if s["port"] == port)["predicted"]["reason"]
        return reason_text(reason, window.document.get)

    assert said("b2", "10.0.2.1", 22).endswith(
        f"dropped (no answer) by tap0's to-port (rule 2: drop tcp dport 22; {nft}) in s2")
    assert said("b2", "10.0.2.1", 80).endswith(
        f"allowed by tap0's to-port (rule 3: accept tcp dport 80; {nft}) in s2")
    assert said("b1", "10.0.1.1", 22).endswith(
        f"allowed by tap0's to-port (rule 1: accept tcp dport 22; {nft}) in s1")
