"""Benchmark: ``netwright apply --local --lab`` of a design with two DHCP LANs beside the same
design with one, in one run (two LANs should cost about what one does).

One LAN: the lab's wlp2s0 with a macvlan child that asks DHCP. Two LANs: the same, plus eth1
on another subnet with a child of its own; the lab's dnsmasq serves both. Each apply starts
from no lab (the destroy of the last deployment removes it), so it builds the lab, starts
dnsmasq, applies and waits for the leases, as a user's first apply does. The two designs
alternate, ROUNDS times each; the median of each counts. Until dnsmasq's readiness was read
from every range it logs, the two-LAN apply waited out the server's 5 s start-up timeout
(5.4–5.8 s against 0.4–0.8 s). Prints seconds and the ratio and writes JSON to
$NETWRIGHT_BENCH_OUT if set.
Run: tests/tools/run-isolated .venv/bin/python -m pytest tests/bench/bench_dhcp_lans.py -s
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROUNDS = int(os.environ.get("NETWRIGHT_BENCH_ROUNDS", "5"))
NIC = "{kind: macvlan, parent: %s, mode: bridge, namespace: %s, addresses: [dhcp]}"
ONE_LAN = f"""\
netwright: 1
name: onelan
host: {{nics: {{wlp2s0: {{addresses: [192.168.31.240/24], gateway: 192.168.31.1}}}}}}
namespaces: {{net1: {{}}}}
interfaces:
  mv1: {NIC % ("wlp2s0", "net1")}
"""
TWO_LANS = f"""\
netwright: 1
name: twolans
host:
  nics:
    wlp2s0: {{addresses: [192.168.31.240/24], gateway: 192.168.31.1}}
    eth1: {{addresses: [10.20.0.240/24], gateway: 10.20.0.1}}
namespaces: {{net1: {{}}, net2: {{}}}}
interfaces:
  mv1: {NIC % ("wlp2s0", "net1")}
  mv2: {NIC % ("eth1", "net2")}
"""


def netwright(state_dir: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "netwright.backend.cli.main", *args,
                           "--local", "--lab", "--state-dir", str(state_dir)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def apply_and_destroy(state_dir: Path, design: Path, name: str, leases: int) -> float:
    """Seconds for the apply (lab built, leases obtained); the lab is gone afterwards."""
    start = time.perf_counter()
    netwright(state_dir, "apply", str(design), "--yes")
    took = time.perf_counter() - start
    shown = json.loads(netwright(state_dir, "dhcp", "leases", name, "--json"))
    assert sum(1 for c in shown if c["address"]) == leases, shown  # every child leased
    netwright(state_dir, "destroy", name)
    return took


def test_two_dhcp_lans_cost_about_what_one_does(tmp_path: Path) -> None:
    one, two = tmp_path / "one.yaml", tmp_path / "two.yaml"
    one.write_text(ONE_LAN)
    two.write_text(TWO_LANS)
    times: dict[str, list[float]] = {"one": [], "two": []}
    for r in range(ROUNDS):
        state = tmp_path / f"state-{r}"
        times["one"].append(apply_and_destroy(state, one, "onelan", 1))
        times["two"].append(apply_and_destroy(state, two, "twolans", 2))
    result = {key: statistics.median(values) for key, values in times.items()}
    result["ratio"] = result["two"] / result["one"]
    print(f"\napply --local --lab with DHCP: one LAN {result['one']:.2f} s, two LANs"
          f" {result['two']:.2f} s ({result['ratio']:.2f}×); one"
          f" {min(times['one']):.2f}–{max(times['one']):.2f} s,"
          f" two {min(times['two']):.2f}–{max(times['two']):.2f} s")
    if os.environ.get("NETWRIGHT_BENCH_OUT"):
        Path(os.environ["NETWRIGHT_BENCH_OUT"]).write_text(json.dumps(result))
    assert result["ratio"] < 2, "two DHCP LANs cost far more than one"
