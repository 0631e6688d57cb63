"""Benchmark: what netwrightd does with a reading helper's answer, pickle then, JSON now (#14).

Then: ``pickle.loads`` of the (model, warnings) the helper pickled, taken on trust. Now: the
JSON frame decoded, its problems rebuilt and its model validated again in the daemon
(parsing.checked_answer), since a helper subverted by a file may lie. Both run here on the
same answers, beside the helper's own read of the text (the cost the daemon must never take
back into its own process): the seed, and a star at the object bound (1,364 namespaces on two
bridges joined by a veth pair, as a bridge takes at most 1,023 ports: 2,732 interfaces, 4,096
objects). Prints the medians and ratios; asserts that at the bound
the daemon's share stays under a tenth of the helper's read. Run:
.venv/bin/python -m pytest tests/bench/bench_parse_answers.py -s
"""

from __future__ import annotations

import pickle
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

SERVICE_TESTS = Path(__file__).resolve().parents[1] / "service"
sys.path.insert(0, str(SERVICE_TESTS))

from svc_topologies import SEED, star  # noqa: E402

from netwright.backend.service.parse_wire import HEADER, decode, frame  # noqa: E402
from netwright.backend.service.parser import plain_topology, topology  # noqa: E402
from netwright.backend.service.parsing import checked_answer  # noqa: E402


def bound_star() -> str:
    """``star`` at the object bound, valid: its 1,364 namespaces' veths on two bridges (one
    bridge of 1,365 ports is refused: too-many-ports), joined by a veth pair."""
    text = star("bound", 1364)
    half = [f"  h{i}: {{kind: veth, peer: c{i}, master: br0}}" for i in range(682, 1364)]
    for line in half:
        text = text.replace(line + "\n", line.replace("master: br0", "master: br1") + "\n")
    return text + ("  br1: {kind: bridge}\n  j0: {kind: veth, peer: j1, master: br0}\n"
                   "  j1: {kind: veth, peer: j0, master: br1}\n")


TEXTS = {"seed": SEED, "4,096 objects": bound_star()}


def median_seconds(work: Callable[[], object], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def test_the_daemons_share_of_a_read() -> None:
    ratios = {}
    for name, text in TEXTS.items():
        rounds = 200 if name == "seed" else 7
        pickled = pickle.dumps(("ok", topology(text)))
        payload = frame(["ok", plain_topology(text)])[HEADER:]
        before = median_seconds(lambda p=pickled: pickle.loads(p), rounds)
        now = median_seconds(lambda p=payload: checked_answer("topology", decode(p)), rounds)
        read = median_seconds(lambda t=text: plain_topology(t), max(3, rounds // 10))
        ratios[name] = now / read
        print(f"\n{name}: helper's read {read * 1000:.1f} ms; the daemon's share: pickle"
              f" {before * 1000:.2f} ms ({len(pickled):,} B), JSON validated again"
              f" {now * 1000:.2f} ms ({len(payload):,} B), {now / before:.1f}× the pickle,"
              f" {now / read:.3f}× the read")
    assert ratios["4,096 objects"] < 0.1, ratios
