"""Benchmark: a read in a child of the helper, forked ahead of it (read_child.py, issue 14).

Each read of netwrightd's reading helper now runs in a process of its own, bounded in memory
and isolated from the next read; the helper forks that process while it waits for the
request. The price is the copy-on-write faults the read takes in that fresh process. Here the
real helper (parser.py, over its pipe, with a pause between requests as callers leave one)
answers Validate requests, against the same reads made in this process, as the helper made
them before: the seed, and a star at the object bound. Prints the medians and the ratios.
Run: .venv/bin/python -m pytest tests/bench/bench_read_child.py -s
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

SERVICE_TESTS = Path(__file__).resolve().parents[1] / "service"
sys.path.insert(0, str(SERVICE_TESTS))

from svc_topologies import SEED, star  # noqa: E402

from netwright.backend.service.parse_wire import frame, read_frame  # noqa: E402
from netwright.backend.service.parser import WARM_UP, answer  # noqa: E402
from netwright.backend.service.parsing import PARSE_MEMORY_BYTES  # noqa: E402

TEXTS = {"seed": (SEED, 40), "4,096 objects": (star("bound", 1365), 5)}
PAUSE = 0.03


def test_a_read_in_a_child_of_its_own() -> None:
    for op, text in WARM_UP:
        answer([op, text, 60])
    helper = subprocess.Popen([sys.executable, "-m", "netwright.backend.service.parser"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd="/")
    assert helper.stdin is not None and helper.stdout is not None
    try:
        for name, (text, rounds) in TEXTS.items():
            request = ["validate", text, 60, PARSE_MEMORY_BYTES]
            here, child = [], []
            for _ in range(rounds):
                started = time.perf_counter()
                assert answer(request)[0] == "ok"
                here.append(time.perf_counter() - started)
                time.sleep(PAUSE)
                started = time.perf_counter()
                helper.stdin.write(frame(request))
                helper.stdin.flush()
                assert read_frame(helper.stdout)[0] == "ok"
                child.append(time.perf_counter() - started)
                time.sleep(PAUSE)
            before, now = statistics.median(here), statistics.median(child)
            print(f"\n{name}: a read in the helper's own process {before * 1000:.1f} ms, in a"
                  f" child forked ahead of it {now * 1000:.1f} ms, {now / before:.2f}×")
    finally:
        helper.stdin.close()
        helper.wait(30)
