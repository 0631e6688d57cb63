"""What the backend's kernel lacks beyond link kinds shows while designing, not at Apply.

This machine's kernel has neither netem nor bridge connection tracking: an impairment other
than a rate limit, and openstack-linuxbridge's stateful port rules, failed only when Apply
planned them. Inspect now reports those features with the link kinds; the designer warns at
the interfaces that need them as soon as a backend is connected.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from lab_waits import idle

from netwright.backend.engine import nft_capabilities, qdisc
from netwright.gui.model.host_facts import parse_facts
from netwright.gui.model.host_warnings import KERNEL_LACKS_FEATURE, facts_problems
from netwright.gui.model.snapshot import Snapshot
from netwright.gui.window.main import MainWindow

REPO = Path(__file__).resolve().parents[2]
INTERFACES = {
    "slow": {"kind": "veth", "peer": "x", "impairment": {"rate": "10mbit"}},
    "lossy": {"kind": "veth", "peer": "y", "impairment": {"delay": "40ms", "loss": "1%"}},
    "tap1": {"kind": "veth", "peer": "z", "master": "br0", "port-firewall": {
        "to-port": {"rules": [{"action": "accept", "proto": "tcp", "dport": 22,
                               "state": ["new"]}]}}},
    "tap2": {"kind": "veth", "peer": "w", "master": "br0", "port-firewall": {
        "from-port": {"policy": "drop", "rules": [{"action": "accept", "proto": "icmp"}]}}},
}


def _warned(features: dict[str, bool] | None) -> dict[tuple[str, str], str]:
    facts = parse_facts({"features": features} if features is not None else {})
    return {(p.path[1], p.path[2]): p.message for p in facts_problems(
        Snapshot(interfaces=INTERFACES), facts) if p.code == KERNEL_LACKS_FEATURE}


def test_each_missing_feature_is_warned_at_what_needs_it() -> None:
    warned = _warned({"netem": False, "tbf": True, "bridge-conntrack": False,
                      "bridge-reject": False})
    assert set(warned) == {("lossy", "impairment"), ("tap1", "port-firewall")}, warned
    assert "has no netem" in warned["lossy", "impairment"]
    assert "keep only its Rate limit" in warned["lossy", "impairment"]
    assert "no bridge connection tracking" in warned["tap1", "port-firewall"]
    assert _warned({"netem": True, "tbf": True, "bridge-conntrack": True,
                    "bridge-reject": True}) == {}
    assert _warned(None) == {}  # a backend that did not say: nothing is guessed


def test_the_lab_kernel_without_netem_and_bridge_conntrack_is_warned_before_apply(
        window: MainWindow, own_lab: Path, tmp_path: Path,
        loop: asyncio.AbstractEventLoop) -> None:
    example = (REPO / "examples" / "openstack-linuxbridge.yaml").read_text()
    design = tmp_path / "openstack.yaml"
    design.write_text(example.replace(
        "    addresses: [10.0.0.11/24]\n",
        "    addresses: [10.0.0.11/24]\n    impairment: {delay: 40ms, loss: 1%}\n", 1))
    assert window.open_path(design)
    assert not [p for p in window.problems.problems if p.code == KERNEL_LACKS_FEATURE]
    assert loop.run_until_complete(window.connect_backend()), window.backend_label.text()
    loop.run_until_complete(idle(window))
    facts = window.host_facts
    assert facts is not None
    has = {**qdisc.supported(["netem", "tbf"]),
           **nft_capabilities.supported(nft_capabilities.FEATURES)}
    assert facts.features == has  # the lab's kernel is this machine's
    warned = {(p.path[1], p.path[2]) for p in window.problems.problems
              if p.code == KERNEL_LACKS_FEATURE}
    expected = set()
    if not has["netem"]:
        expected.add(("vm1-eth0", "impairment"))
    if not has["bridge-conntrack"]:
        expected |= {("tap-vm1", "port-firewall"), ("tap-vm2", "port-firewall")}
    assert warned == expected
    assert expected, "this machine's kernel has netem and bridge conntrack: nothing to show"
