"""Benchmark: what noticing an upgrade costs netwrightd (codefiles.py).

netwrightd fingerprints its package's modules (path, size, mtime_ns of each ``.py`` under
``netwright.backend``) at start, then at most once a second when a call arrives. Timed here
in one process, each beside its baselines: the fingerprint; the bare walk and ``stat`` of the
same files (the floor any such look has); the daemon's own reading of the seed for a Validate
call (the helper's answer, parser.answer), the cheapest call that reads a topology; and the
cached answer every other call gets (a clock read). Prints medians and ratios. Run:
.venv/bin/python -m pytest tests/bench/bench_codefiles.py -s
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SERVICE_TESTS = Path(__file__).resolve().parents[1] / "service"
sys.path.insert(0, str(SERVICE_TESTS))

from svc_topologies import SEED  # noqa: E402

from netwright.backend.service.codefiles import (  # noqa: E402
    CodeFiles,
    fingerprint,
    package_roots,
)
from netwright.backend.service.parser import answer  # noqa: E402
from tests.bench.bench_parse_answers import median_seconds  # noqa: E402

ROUNDS = 200


def walk_and_stat(roots: list[str]) -> int:
    count = 0
    for root in roots:
        for directory, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for name in files:
                if name.endswith(".py"):
                    os.stat(os.path.join(directory, name))
                    count += 1
    return count


def test_fingerprint_cost() -> None:
    roots = package_roots()
    modules = walk_and_stat(roots)
    cached = CodeFiles(roots, recheck_seconds=3600)
    answer(["validate", SEED, 4.0])  # its imports, once
    times = {
        "fingerprint": median_seconds(lambda: fingerprint(roots), ROUNDS),
        "walk + stat only": median_seconds(lambda: walk_and_stat(roots), ROUNDS),
        "reading the seed (Validate)": median_seconds(
            lambda: answer(["validate", SEED, 4.0]), 50),
        "cached answer": median_seconds(cached.replaced, 10_000),
    }
    base = times["fingerprint"]
    print(f"\n{modules} modules under {', '.join(roots)}")
    for name, seconds in times.items():
        print(f"  {name:28} {seconds * 1e6:9.1f} µs  ({seconds / base:7.3f}× the fingerprint)")
    assert not cached.replaced()
