"""Benchmark (issue 7): making N persistent bridges with NetworkManager, two ways, one run.

- ``netwright``: ``plan_persist`` + ``begin`` + ``commit`` (AddConnection2 for every profile,
  ActivateConnection for each, then one wait for all of them);
- ``nmcli script``: the same profiles through ``netwright export --format nmcli`` run with
  ``sh -e`` (one ``nmcli connection add`` and one ``nmcli connection up`` per bridge, as an
  administrator's provisioning script would).

Both run against the same private NetworkManager (tests/nm/nm_harness.py) with a fresh
topology name each. A bridge with a static address takes NetworkManager ~2 s to report
activated; the script waits for each in turn, Netwright for all at once. The ratio is what
counts.

Run (root, isolated)::

    tests/tools/run-isolated .venv/bin/python tests/bench/bench_nm.py [N ...]
    tests/tools/run-isolated .venv/bin/python -m pytest tests/bench/bench_nm.py -s
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "nm"))

from nm_harness import Harness

from netwright.backend.export.nmcli import nmcli_script
from netwright.backend.nm.client import NmClient
from netwright.backend.nm.persist import plan_persist
from netwright.backend.nm.transaction import begin
from netwright.backend.topology.model import Topology

SIZES = (1, 5, 10)


def bridges(name: str, n: int, base: int) -> Topology:
    interfaces = {f"{name}{i}": {"kind": "bridge", "persist": True,
                                 "addresses": [f"10.{base}.{i}.1/24"]} for i in range(n)}
    return Topology.model_validate({"netwright": 1, "name": name, "interfaces": interfaces})


async def netwright_apply(harness: Harness, topology: Topology) -> float:
    nm = await NmClient.connect(harness.bus.address)
    try:
        started = time.monotonic()
        plan = await plan_persist(nm, topology, netns=harness.nm.netns)
        await (await begin(nm, plan, netns=harness.nm.netns)).commit()
        return time.monotonic() - started
    finally:
        nm.close()


def nmcli_apply(harness: Harness, topology: Topology) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".sh") as script:
        script.write(nmcli_script(topology))
        script.flush()
        started = time.monotonic()
        subprocess.run(["sh", "-e", script.name], check=True, env=harness.nm.env,
                       capture_output=True, timeout=600)
        return time.monotonic() - started


def measure(n: int) -> dict[str, float]:
    harness = Harness.start()
    try:
        ours = asyncio.run(netwright_apply(harness, bridges("nw", n, 100)))
        theirs = nmcli_apply(harness, bridges("sc", n, 200))
        up = [name for name in harness.nm.links() if name.startswith(("nw", "sc"))]
        assert len(up) == 2 * n, up
    finally:
        harness.close()
    return {"n": n, "netwright_s": ours, "nmcli_s": theirs, "ratio": theirs / ours}


def report(row: dict[str, float]) -> None:
    print(f"N={row['n']:3.0f}: netwright {row['netwright_s']:6.2f} s   nmcli script"
          f" {row['nmcli_s']:6.2f} s   → {row['ratio']:.1f}× faster")


def test_bench_nm() -> None:
    row = measure(5)
    report(row)
    assert row["ratio"] > 2  # five bridges activated together, not one after the other


if __name__ == "__main__":
    for size in [int(a) for a in sys.argv[1:]] or SIZES:
        report(measure(size))
