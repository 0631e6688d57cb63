"""Benchmark (issue 20): the full-size don't-fragment probes against today's probe phase.

A mesh of N namespaces on one bridge (``bench_check.mesh``), checked with full-size probes
off (``size=0``: the small echo only, as before) and on (the default: each pair also at its
sender's MTU), alternately, a few times each, neighbour tables flushed before every run. The
target: at N=50 the probe phase with full-size probes stays within 2x of the one without.

Run (root, isolated)::

    tests/tools/run-isolated .venv/bin/python tests/bench/bench_mtu.py [N ...]
    tests/tools/run-isolated .venv/bin/python -m pytest tests/bench/bench_mtu.py -s
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from netwright.backend.checks.run import CheckOptions, run_check
from netwright.backend.engine import Engine, Target

sys.path.insert(0, str(Path(__file__).parent))
from bench_check import flush_neighbours, mesh

REPEATS = 3


def compare(n: int, repeats: int = REPEATS) -> dict[str, Any]:
    """Median probe phase and total of ``run_check`` without and with full-size probes."""
    with tempfile.TemporaryDirectory() as state:
        engine = Engine(Path(state), Target.host())
        topology = mesh(n)
        asyncio.run(engine.apply(topology))
        try:
            seen: dict[str, list[tuple[float, float]]] = {"small": [], "full-size": []}
            for _ in range(repeats):
                for label, size in (("small", 0), ("full-size", None)):
                    flush_neighbours(n)
                    result = asyncio.run(run_check(topology, CheckOptions(timeout=1.0,
                                                                          size=size)))
                    assert not result.mismatches, result.mismatches[0].mismatch_text()
                    seen[label].append((result.seconds["probe"], result.seconds["total"]))
        finally:
            asyncio.run(engine.destroy(topology.name))
    row: dict[str, Any] = {"n": n}
    for label, runs in seen.items():
        row[f"{label}_probe_s"] = round(statistics.median(r[0] for r in runs), 3)
        row[f"{label}_total_s"] = round(statistics.median(r[1] for r in runs), 3)
    row["probe_ratio"] = round(row["full-size_probe_s"] / row["small_probe_s"], 2)
    print(row, flush=True)
    return row


def test_full_size_probes_within_twice_the_probe_phase() -> None:
    assert compare(50)["probe_ratio"] <= 2.0


if __name__ == "__main__":
    for size in [int(x) for x in sys.argv[1:]] or [50, 200]:
        compare(size)
