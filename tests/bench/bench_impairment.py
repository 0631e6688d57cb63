"""Benchmark: the impairment of 100 interfaces changed in one apply vs one `tc qdisc replace`
per interface, in one run (issue #19: ≥ 5× faster).

Both contenders change the same thing on the same 100 interfaces (50 veth pairs made by
Netwright's apply, each with a tbf rate limit: this kernel has tbf, not netem): every rate,
10mbit ⇄ 20mbit, with the same burst and latency. Netwright: ``Engine.apply`` of the design
with the new rate (observe, plan, one batch of RTM_NEWQDISC replaces). Baseline: ``tc qdisc
replace dev dN root tbf …`` per interface, back to the design's previous rate, so each
contender starts from the state the other left. The kernel is read back after each. Three runs
each, the median counts; prints seconds and the ratio and writes JSON to $NETWRIGHT_BENCH_OUT
if set.
Run: tests/tools/run-isolated .venv/bin/python -m pytest tests/bench/bench_impairment.py -s
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

from netwright.backend.engine import Engine, Target
from netwright.backend.engine.qdisc import TBF_LATENCY
from netwright.backend.topology.impairment import rate_bits
from netwright.backend.topology.model import Topology

INTERFACES = 100
REPEATS = 3
SLOW, FAST = "10mbit", "20mbit"


def design(rate: str) -> Topology:
    return Topology.model_validate({
        "netwright": 1, "name": "tcbench",
        "interfaces": {f"d{i}": {"kind": "veth", "peer": f"d{i ^ 1}",
                                 "impairment": {"rate": rate}} for i in range(INTERFACES)}})


def baseline(rate: str) -> float:
    burst = max(32 * 1024, rate_bits(rate) // 8 // 100)  # the engine's burst for this rate
    start = time.perf_counter()
    for i in range(INTERFACES):
        subprocess.run(["tc", "qdisc", "replace", "dev", f"d{i}", "root", "tbf", "rate", rate,
                        "burst", str(burst), "latency", TBF_LATENCY], check=True)
    return time.perf_counter() - start


def rates_in_kernel() -> set[int]:
    """Each interface's tbf rate, bits per second, read back with tc's JSON."""
    shown = json.loads(subprocess.run(["tc", "-j", "qdisc", "show"], capture_output=True,
                                      text=True, check=True).stdout)
    return {int(q["options"]["rate"]) * 8 for q in shown
            if q["kind"] == "tbf" and q["dev"].startswith("d")}


def test_impairment_of_100_interfaces_vs_tc_per_interface() -> None:
    engine = Engine(Path(tempfile.mkdtemp()) / "state", Target.host())
    ours: list[float] = []
    theirs: list[float] = []
    try:
        asyncio.run(engine.apply(design(SLOW)))
        for _ in range(REPEATS):
            start = time.perf_counter()
            asyncio.run(engine.apply(design(FAST)))
            ours.append(time.perf_counter() - start)
            assert rates_in_kernel() == {rate_bits(FAST)}
            theirs.append(baseline(SLOW))
            assert rates_in_kernel() == {rate_bits(SLOW)}
    finally:
        asyncio.run(engine.destroy("tcbench"))
    result = {"netwright_s": statistics.median(ours), "tc_s": statistics.median(theirs)}
    result["speedup"] = result["tc_s"] / result["netwright_s"]
    print(f"\nimpairment of {INTERFACES} interfaces: netwright {result['netwright_s']:.3f} s,"
          f" tc per interface {result['tc_s']:.3f} s, {result['speedup']:.1f}× faster")
    if os.environ.get("NETWRIGHT_BENCH_OUT"):
        Path(os.environ["NETWRIGHT_BENCH_OUT"]).write_text(json.dumps(result))
    assert result["speedup"] >= 5
