"""Benchmark (issue 19): packets per second captured without loss on a veth, against tcpdump.

Two namespaces joined by a veth (tests/tools/capture_pair.py). iperf3 sends small UDP
datagrams (18 bytes of payload) from one to the other for a second at each offered rate, while
one capture runs on the receiving end with the filter ``udp``: Netwright's engine (``capture``,
in this process) or ``tcpdump -w`` with the same 32 MiB buffer, alternately. Both files are
read with dpkt. A capture is lossless at a rate when it wrote at least 99.9 % of the datagrams
iperf3 sent; a tool's score is the highest sent rate (packets per second) it captured
losslessly. The target: Netwright's score is at least 0.8x tcpdump's.

Run (root, isolated)::

    tests/tools/run-isolated .venv/bin/python tests/bench/bench_capture.py
    tests/tools/run-isolated .venv/bin/python -m pytest tests/bench/bench_capture.py -s
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from netwright.backend.capture.engine import CaptureLimits, capture

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script too
from tests.tools.capture_pair import B_ADDRESS, veth_pair
from tests.tools.pcap_reader import frames

#: Offered rates (datagrams per second); the sender reaches what the machine lets it.
RATES = (25_000, 50_000, 100_000, 200_000, 400_000)
PAYLOAD = 18
SETTLE_SECONDS = 0.5
LOSSLESS = 0.999


def _send(pair: Any, rate: int) -> tuple[int, float]:
    """iperf3 for one second at ``rate``: (datagrams sent, seconds)."""
    server = subprocess.Popen(["ip", "netns", "exec", pair.b, "iperf3", "-s", "-1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        done = subprocess.run(
            ["ip", "netns", "exec", pair.a, "iperf3", "-c", B_ADDRESS, "-u", "-l", str(PAYLOAD),
             "-b", str(rate * PAYLOAD * 8), "-t", "1", "-J"],
            capture_output=True, text=True, check=True)
    finally:
        server.wait(10)
    total = json.loads(done.stdout)["end"]["sum"]
    return int(total["packets"]), float(total["seconds"])


def _udp_frames(path: Path) -> int:
    return sum(1 for _, data in frames(path) if len(data) > 23 and data[12:14] == b"\x08\x00"
               and data[23] == 17)


def run_netwright(pair: Any, out: Path, rate: int) -> tuple[int, float]:
    stop = threading.Event()
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    worker = threading.Thread(target=capture, args=(pair.b, pair.b_link, fd,
                                                    CaptureLimits(filter="udp"), stop))
    worker.start()
    try:
        time.sleep(SETTLE_SECONDS)
        sent = _send(pair, rate)
        time.sleep(SETTLE_SECONDS)
    finally:
        stop.set()
        worker.join()
        os.close(fd)
    return sent


def run_tcpdump(pair: Any, out: Path, rate: int) -> tuple[int, float]:
    tcpdump = subprocess.Popen(["ip", "netns", "exec", pair.b, "tcpdump", "-i", pair.b_link,
                                "-B", "32768", "-s", "262144", "-w", str(out), "udp"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert tcpdump.stderr is not None
        line = tcpdump.stderr.readline()  # "listening on cap-b, …": the socket is bound
        assert "listening on" in line, line
        time.sleep(SETTLE_SECONDS)
        sent = _send(pair, rate)
        time.sleep(SETTLE_SECONDS)
    finally:
        tcpdump.terminate()
        tcpdump.wait(10)
    return sent


def compare(rates: tuple[int, ...] = RATES) -> dict[str, Any]:
    """Per tool: the highest sent rate captured losslessly, and every step measured."""
    steps: list[dict[str, Any]] = []
    best = {"netwright": 0, "tcpdump": 0}
    with tempfile.TemporaryDirectory() as directory, veth_pair("capbench") as pair:
        for rate in rates:
            for label, run in (("netwright", run_netwright), ("tcpdump", run_tcpdump)):
                out = Path(directory) / f"{label}.pcap"
                sent, seconds = run(pair, out, rate)
                captured = _udp_frames(out)
                pps = int(sent / seconds)
                steps.append({"tool": label, "offered": rate, "sent_pps": pps,
                              "captured": captured, "sent": sent})
                print(steps[-1], flush=True)
                if captured >= LOSSLESS * sent:
                    best[label] = max(best[label], pps)
    row = {"netwright_lossless_pps": best["netwright"], "tcpdump_lossless_pps": best["tcpdump"],
           "ratio": round(best["netwright"] / max(1, best["tcpdump"]), 2)}
    print(row, flush=True)
    return {**row, "steps": steps}


def test_captures_at_least_four_fifths_of_what_tcpdump_does() -> None:
    assert compare()["ratio"] >= 0.8


if __name__ == "__main__":
    compare(tuple(int(a) for a in sys.argv[1:]) or RATES)
