"""A "Why:" line names its target by label and address only: the target's role (JSON's
``role``) read as a relation the source may not have, "(10.0.0.2, peer)" of a namespace
that only shares a bridge, "(192.168.31.240, parent)" of a host NIC nothing of the source
hangs off."""

from __future__ import annotations

from netwright.backend.checks.explain import explain
from netwright.backend.checks.render import render
from netwright.backend.checks.results import CheckResult
from netwright.backend.topology import parse_topology

TWO_ON_A_BRIDGE = """\
netwright: 1
name: why
host:
  nics:
    wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}
namespaces: {a: {}, b: {}}
interfaces:
  br0: {kind: bridge}
  pa: {kind: veth, peer: ea, master: br0}
  pb: {kind: veth, peer: eb, master: br0}
  ea: {kind: veth, peer: pa, namespace: a, addresses: [10.0.0.1/24]}
  eb: {kind: veth, peer: pb, namespace: b, addresses: [10.0.0.2/24], state: down}
"""


def test_why_lines_name_targets_without_roles() -> None:
    text = render(CheckResult("why", explain(parse_topology(TWO_ON_A_BRIDGE))))
    why = text.split("\nWhy:\n", 1)[1].splitlines()
    assert any(line.startswith("  a → b/eb (10.0.0.2): ") for line in why), why
    assert any(line.startswith("  a → wlp2s0 (host NIC) (192.168.31.240): a has no route")
               for line in why), why
    assert not any(f", {role})" in text
                   for role in ("self", "peer", "parent", "gateway", "outside")), text


DUAL_STACK = """\
netwright: 1
name: v6
namespaces: {a: {}, b: {}}
interfaces:
  ea: {kind: veth, peer: eb, namespace: a, addresses: ["fd00::1/64", 10.77.0.1/24]}
  eb: {kind: veth, peer: ea, namespace: b, addresses: ["fd00::2/64", 10.77.0.2/24],
       mtu: 1400}
"""


def test_path_mtus_tell_one_interfaces_addresses_apart() -> None:
    """An interface's IPv4 and IPv6 targets share a label: "b → a/ea, b → a/ea" told
    nothing, so a label listed twice gets its address."""
    text = render(CheckResult("v6", explain(parse_topology(DUAL_STACK))))
    mtus = text.split("\nPath MTU:\n", 1)[1].splitlines()[:2]
    assert mtus == ["  1400: b → a/ea (fd00::1), b → a/ea (10.77.0.1)",
                    "  1404: a → b/eb (fd00::2), a → b/eb (10.77.0.2)"], text
