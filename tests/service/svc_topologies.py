"""Topologies for the service tests, generated so their size can be chosen."""

from __future__ import annotations

from pathlib import Path

SEED = (Path(__file__).parent / "data" / "seed-macvlan.yaml").read_text()


def star(name: str, count: int) -> str:
    """``count`` namespaces, each with a veth to one bridge on the host: slow enough to
    interrupt (300 namespaces take about three seconds to apply), simple to check."""
    lines = ["netwright: 1", f"name: {name}", "namespaces:"]
    lines += [f"  n{i}: {{}}" for i in range(count)]
    lines += ["interfaces:", "  br0: {kind: bridge, addresses: [10.9.0.1/16]}"]
    for i in range(count):
        lines.append(f"  h{i}: {{kind: veth, peer: c{i}, master: br0}}")
        lines.append(f"  c{i}: {{kind: veth, peer: h{i}, namespace: n{i},"
                     f" addresses: [10.9.{i // 250 + 1}.{i % 250 + 2}/16]}}")
    return "\n".join(lines) + "\n"


def many_namespaces(name: str, count: int) -> str:
    """``count`` empty namespaces: 60,000 make the 0.9 MB file that once cost ~9 s to read."""
    return f"netwright: 1\nname: {name}\nnamespaces:\n" + "".join(
        f"  n{i}: {{}}\n" for i in range(count))


def big_layout(name: str, size: int = 1_000_000) -> str:
    """A valid file of about ``size`` bytes of canvas positions (no objects, so the object
    bound does not stop it): at 1 MB, the valid file whose read needs the most memory found
    (about 150 MiB of address space)."""
    lines = ["netwright: 1", f"name: {name}", "layout:"]
    total, i = 0, 0
    while total < size:
        lines.append(f"  k{i}: {{x: {i}, y: {i}}}")
        total += len(lines[-1]) + 1
        i += 1
    return "\n".join(lines) + "\n"


#: A first apply that turns the lab host's forwarding on and masquerades out of its bridge:
#: a change on trial (Apply with "confirm"), which its end removes.
HOSTNAT = ("netwright: 1\nname: hostnat\nhost:\n  forwarding: {ipv4: true}\n"
           "  nat: [{masquerade: {from: 10.78.0.0/24, out: hn0}}]\n"
           "interfaces:\n  hn0: {kind: bridge, addresses: [10.78.0.1/24]}\n")
