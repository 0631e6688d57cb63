"""Benchmark (issue 17): importing a live host of 200 namespaces and 1,000 links.

The host is built with ``ip -batch``: 200 namespaces under /run/netns, each joined to the
host by two veth pairs (800 veth ends, 200 loopbacks: 1,000 links), an address on every end
in a namespace. Measured in the same run, best of three:

- ``import``: ``observe_host`` + ``host_yaml`` (the whole of ``netwright import --local``
  after its start-up: every namespace found, read, joined and written as YAML);
- ``ip``: ``ip -all netns exec ip -j addr`` plus ``ip -j link``, the iproute2 way to read the
  same (without joining anything).

The goal: ``import`` ≤ 0.5 s and ≤ ``ip``.

Run (root, isolated)::

    tests/tools/run-isolated .venv/bin/python tests/bench/bench_import.py [N ...]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from netwright.backend.hostimport.to_topology import host_yaml
from netwright.backend.observe import observe_host

NAMESPACES = 200


def build(n: int) -> None:
    lines: list[str] = []
    for i in range(n):
        lines.append(f"netns add bn{i}")
    for i in range(n):
        for j in (0, 1):
            lines.append(f"link add name bh{i}x{j} type veth peer name e{j} netns bn{i}")
    with tempfile.NamedTemporaryFile("w", suffix=".batch", delete=False) as batch:
        batch.write("\n".join(lines) + "\n")
    subprocess.run(["ip", "-batch", batch.name], check=True)
    for i in range(n):
        subprocess.run(["ip", "-n", f"bn{i}", "-batch", "-"], check=True, text=True,
                       input="\n".join(f"addr add 10.{i // 250}.{i % 250}.{j + 1}/16 dev e{j}"
                                       for j in (0, 1)) + "\n")
    os.unlink(batch.name)


def remove(n: int) -> None:
    subprocess.run(["ip", "-batch", "-"], input="\n".join(f"netns del bn{i}" for i in range(n))
                   + "\n", text=True, check=False)


def best(work: object, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return min(times)


def measure(n: int) -> dict[str, float]:
    build(n)
    try:
        view = observe_host(os.getpid())
        links = sum(len(ns.state.links) for ns in view.namespaces)
        ours = best(lambda: host_yaml(observe_host(os.getpid()), "bench"))

        def ip() -> None:
            subprocess.run(["ip", "-all", "netns", "exec", "ip", "-j", "addr"], check=True,
                           capture_output=True)
            subprocess.run(["ip", "-j", "link"], check=True, capture_output=True)

        theirs = best(ip)
    finally:
        remove(n)
    return {"n": n, "links": links, "import_s": ours, "ip_s": theirs}


def report(row: dict[str, float]) -> None:
    print(f"{row['n']:.0f} namespaces, {row['links']:.0f} links: import {row['import_s']:.3f} s"
          f"   ip -all netns exec ip -j addr + ip -j link {row['ip_s']:.3f} s")


def test_bench_import() -> None:
    row = measure(NAMESPACES)
    report(row)
    assert row["links"] >= 1000
    assert row["import_s"] <= 0.5 and row["import_s"] <= row["ip_s"]


if __name__ == "__main__":
    for size in [int(a) for a in sys.argv[1:]] or [NAMESPACES]:
        report(measure(size))
