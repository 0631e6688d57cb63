"""Kernel limits a generated design reaches below the object bound: a bridge's 1,023 ports.

A star of 1,300 namespaces on one bridge validated fine, then apply failed half-way with the
kernel's "Exchange full" and rolled back. The engine's side (EXFULL in words) is in
tests/engine/test_bridge_port_limit.py, on the kernel.
"""

from __future__ import annotations

from netwright.backend.topology.validate_limits import MAX_BRIDGE_PORTS
from tests.topology.rule_cases import check_case, only, problems


def star(ports: int) -> str:
    """One bridge in the host, ``ports`` namespaces each joined to it by a veth pair."""
    lines = ["namespaces:"]
    lines += [f"  n{i}: {{}}" for i in range(ports)]
    lines += ["interfaces:", "  hub: {kind: bridge}"]
    for i in range(ports):
        lines.append(f"  v{i}: {{kind: veth, peer: h{i}, namespace: n{i}}}")
        lines.append(f"  h{i}: {{kind: veth, peer: v{i}, master: hub}}")
    return "\n".join(lines) + "\n"


def test_a_bridge_with_more_ports_than_the_kernel_takes_is_named_with_its_count() -> None:
    header = 1 + 1300 + 1  # interfaces: line after the namespaces; hub is the next one
    check_case(star(1300), "too-many-ports", "error", "interfaces.hub", 2 + header + 1, 3)
    message = only(star(1300), "too-many-ports").message
    assert message.startswith("bridge hub has 1,300 ports, but the kernel gives a bridge at"
                              " most 1,023 (BR_MAX_PORTS): split its ports")


def test_a_bridge_at_the_limit_is_quiet() -> None:
    assert not [p for p in problems(star(MAX_BRIDGE_PORTS)) if p.code == "too-many-ports"]
