"""Benchmark: 1,000 filter rules across 100 namespaces, applied by Netwright vs one `nft -f`
script per namespace, in one run (issue #16: ≤ 1.0×).

Both contenders start from the same state (the 100 namespaces exist, made by Netwright's
apply of the same design without rules) and end with the same rules in the kernel: ten input
rules per namespace (policy drop, stateful, ten accepted TCP ports from a prefix). Netwright:
``Engine.apply`` of the design with the rules (plan: reading our tables in every namespace;
apply: one nftables transaction per namespace through libnftables in-process). Baseline: for
each namespace, ``ip netns exec NS nft -f FILE`` with the same table. Three runs each, the
median counts; prints seconds and the ratio and writes JSON to $NETWRIGHT_BENCH_OUT if set.
Run: tests/tools/run-isolated .venv/bin/python -m pytest tests/bench/bench_firewall.py -s
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from netwright.backend.engine import Engine, Target
from netwright.backend.topology.model import Topology

NAMESPACES = 100
RULES = 10
REPEATS = 3


def design(with_rules: bool) -> Topology:
    namespaces: dict[str, Any] = {}
    for i in range(NAMESPACES):
        spec: dict[str, Any] = {}
        if with_rules:
            spec["firewall"] = {"input": {"policy": "drop", "stateful": True, "rules": [
                {"action": "accept", "proto": "tcp", "dport": 8000 + r, "from": "10.0.0.0/8"}
                for r in range(RULES - 1)]}}
        namespaces[f"f{i}"] = spec
    return Topology.model_validate({"netwright": 1, "name": "fwbench",
                                    "namespaces": namespaces})


def nft_script(i: int) -> str:
    rules = "\n".join(f"  ip saddr 10.0.0.0/8 tcp dport {8000 + r} accept"
                      for r in range(RULES - 1))
    return (f"table inet base-f{i} {{\n chain input {{\n  type filter hook input priority 0;"
            f" policy drop;\n  ct state established,related accept\n{rules}\n }}\n}}\n")


def baseline(directory: Path) -> float:
    start = time.perf_counter()
    for i in range(NAMESPACES):
        subprocess.run(["ip", "netns", "exec", f"f{i}", "nft", "-f", str(directory / f"{i}.nft")],
                       check=True)
    return time.perf_counter() - start


def clear_baseline() -> None:
    for i in range(NAMESPACES):
        subprocess.run(["ip", "netns", "exec", f"f{i}", "nft", "delete", "table", "inet",
                        f"base-f{i}"], check=True)


def test_rules_across_namespaces_vs_nft_scripts() -> None:
    engine = Engine(Path(tempfile.mkdtemp()) / "state", Target.host())
    plain, ruled = design(False), design(True)
    directory = Path(tempfile.mkdtemp())
    for i in range(NAMESPACES):
        (directory / f"{i}.nft").write_text(nft_script(i))
    ours: list[float] = []
    theirs: list[float] = []
    try:
        asyncio.run(engine.apply(plain))
        for _ in range(REPEATS):
            start = time.perf_counter()
            asyncio.run(engine.apply(ruled))
            ours.append(time.perf_counter() - start)
            asyncio.run(engine.apply(plain))
            theirs.append(baseline(directory))
            clear_baseline()
    finally:
        asyncio.run(engine.destroy("fwbench"))
    result = {"netwright_s": statistics.median(ours), "nft_f_s": statistics.median(theirs)}
    result["ratio"] = result["netwright_s"] / result["nft_f_s"]
    print(f"\n1,000 rules in 100 namespaces: netwright {result['netwright_s']:.3f} s,"
          f" nft -f per namespace {result['nft_f_s']:.3f} s, ratio {result['ratio']:.2f}")
    if os.environ.get("NETWRIGHT_BENCH_OUT"):
        Path(os.environ["NETWRIGHT_BENCH_OUT"]).write_text(json.dumps(result))
    assert result["ratio"] <= 1.0
