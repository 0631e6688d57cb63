"""A design of many namespaces on one bridge: the scale the designer must stay usable at.

Each namespace n<i> has a veth c<i> whose peer p<i> is a port of br0 (10.1.0.1/16); no
layout, so the designer places it (or Arrange Automatically does)."""

from __future__ import annotations


def star_topology(namespaces: int) -> str:
    lines = ["netwright: 1", "name: star", "namespaces:"]
    lines += [f"  n{i}: {{}}" for i in range(namespaces)]
    lines += ["interfaces:", "  br0: {kind: bridge, addresses: [10.1.0.1/16]}"]
    for i in range(namespaces):
        lines += [f"  p{i}: {{kind: veth, peer: c{i}, master: br0}}",
                  f"  c{i}: {{kind: veth, peer: p{i}, namespace: n{i},"
                  f" addresses: [10.1.{i // 200}.{i % 200 + 2}/16]}}"]
    return "\n".join(lines) + "\n"
