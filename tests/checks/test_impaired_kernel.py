"""The check measures a netem design (stock-kernel tier: this machine's kernel has no netem).

Deployed by the real engine; each impaired pair gets PROBES echoes and its measured RTT and
loss stand beside what the design asks. A hand-made change of the netem delay puts the pair
outside tolerance: the check flags it as a mismatch that says so.
"""

from __future__ import annotations

import asyncio
import subprocess
import textwrap
from collections.abc import Callable

import pytest

from netwright.backend.checks.impaired import PROBES
from netwright.backend.checks.render import render
from netwright.backend.checks.results import CheckResult
from netwright.backend.checks.run import CheckOptions, run_check
from netwright.backend.topology import Topology, parse_topology

pytestmark = [pytest.mark.root, pytest.mark.kernel]
OPTIONS = CheckOptions(timeout=1.0, retries=3)  # the single echo too crosses 20 % loss

NETEM = textwrap.dedent("""
    netwright: 1
    name: impk
    namespaces: {a: {}, b: {}}
    interfaces:
      a0: {kind: veth, peer: b0, namespace: a, addresses: [10.8.0.1/24],
           impairment: {delay: 30ms, loss: 20%}}
      b0: {kind: veth, peer: a0, namespace: b, addresses: [10.8.0.2/24],
           impairment: {delay: 10ms}}
""")


def measured(result: CheckResult, source: str) -> dict[str, object]:
    pair = next(p for p in result.pairs if p.source == source and p.target.role == "peer")
    assert pair.observed is not None and pair.observed.impairment is not None, pair
    return pair.observed.impairment


def test_the_check_measures_rtt_and_loss_against_the_design(
        deploy: Callable[[Topology], object]) -> None:
    subprocess.run(["modprobe", "sch_netem"], check=True)  # the VM does not autoload modules
    deployment = deploy(parse_topology(NETEM))
    result = asyncio.run(run_check(deployment, OPTIONS))
    assert not result.mismatches, [p.mismatch_text() for p in result.mismatches]
    for source in ("a", "b"):  # both ways the round trip crosses a0 and b0
        seen = measured(result, source)
        assert seen["within"] and seen["probes"] == PROBES, seen
        assert (seen["designed_rtt_ms"], seen["designed_loss_percent"]) == (40.0, 20.0)
        # the floor netem sets (a loaded VM makes some echoes later: the median may rise)
        assert 38 <= seen["rtt_p10_ms"] <= 50, seen  # type: ignore[operator]
        assert seen["rtt_ms"] >= seen["rtt_p10_ms"], seen  # type: ignore[operator]
        assert 0 < seen["loss_percent"] < 45, seen  # type: ignore[operator]
    assert "Impaired paths, measured against the design:" in render(result)

    namespace = deployment.namespaces["a"]  # type: ignore[attr-defined]
    subprocess.run(["ip", "-n", namespace, "link", "set", "a0", "up"], check=True)
    subprocess.run(["tc", "-n", namespace, "qdisc", "replace", "dev", "a0", "root", "netem",
                    "delay", "100ms"], check=True)  # by hand: 110 ms, no loss
    changed = asyncio.run(run_check(deployment, OPTIONS))
    seen = measured(changed, "a")
    # the floor again (a loaded VM delayed the median to 131.5 ms once); the median is above it
    assert not seen["within"] and 105 <= seen["rtt_p10_ms"] <= 125, seen  # type: ignore[operator]
    assert seen["rtt_ms"] >= seen["rtt_p10_ms"], seen  # type: ignore[operator]
    flagged = [p for p in changed.mismatches if p.source == "a" and p.target.role == "peer"]
    assert flagged and "outside the designed impairment: RTT" in (
        flagged[0].mismatch_text() or "")
    assert "designed 40 ms" in (flagged[0].mismatch_text() or "")
