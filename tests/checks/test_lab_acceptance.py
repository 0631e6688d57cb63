"""Issue 5's acceptance, on the lab host: the seed replayed, then every example.

The lab (netwright.backend.lab) emulates the machine the examples were written for: the NIC,
a router namespace as the gateway 192.168.31.1, and an outside address beyond it. This kernel
has no ipvlan, so the seed runs with macvlan bridge standing in (same rules, kernel-facts.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from netwright.backend.checks.results import CheckResult
from netwright.backend.checks.run import CheckOptions, run_check
from netwright.backend.engine import Engine, Target
from netwright.backend.lab import OUTSIDE_ADDRESS, build_lab, destroy_lab
from netwright.backend.lab.build import outside_netns
from netwright.backend.topology import Topology, load_topology

from .conftest import load_nft_modules, macvlan_stand_in

pytestmark = pytest.mark.root
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class LabRun:
    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.engine = Engine(state_dir, Target.lab())
        self.applied: list[str] = []

    async def check(self, topology: Topology) -> CheckResult:
        await build_lab(topology, Target.lab(), state_dir=self.state_dir)
        # NAT out of the lab's wlp2s0 (its default route) is a change on trial: confirmed here
        await self.engine.apply(topology, confirm=True)
        self.applied.append(topology.name)
        deployment = await self.engine.deployment(topology.name)
        return await run_check(deployment, CheckOptions(
            timeout=0.5, outside=OUTSIDE_ADDRESS, outside_netns=outside_netns(Target.lab())))

    async def close(self) -> None:
        for name in dict.fromkeys(self.applied):
            await self.engine.destroy(name)
        await destroy_lab(Target.lab(), state_dir=self.state_dir)


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[LabRun]:
    run = LabRun(tmp_path)
    yield run
    asyncio.run(run.close())


def verdicts(result: CheckResult, source: str) -> dict[str, str]:
    return {p.target.role + ":" + p.target.address: p.observed.verdict
            for p in result.pairs if p.source == source and p.observed is not None}


def test_the_seed_replayed(lab: LabRun) -> None:
    async def scenario() -> tuple[CheckResult, CheckResult]:
        before = await lab.check(
            macvlan_stand_in(load_topology(EXAMPLES / "seed-ipvlan-l2.yaml")[1]))
        after = await lab.check(
            macvlan_stand_in(load_topology(EXAMPLES / "seed-ipvlan-l2-default.yaml")[1]))
        return before, after

    before, after = asyncio.run(scenario())
    assert not before.mismatches and not after.mismatches
    assert verdicts(before, "net1") == {
        "self:192.168.31.5": "reachable",
        "peer:192.168.31.6": "reachable",
        "parent:192.168.31.240": "unreachable",
        "gateway:192.168.31.1": "reachable",
        f"outside:{OUTSIDE_ADDRESS}": "unreachable",
    }
    outside = next(p for p in before.pairs
                   if p.source == "net1" and p.target.role == "outside")
    assert "no default route" in outside.predicted.reason
    assert outside.observed is not None and outside.observed.error == "Network is unreachable"
    parent = next(p for p in before.pairs if p.source == "net1" and p.target.role == "parent")
    assert parent.predicted.disposition == "isolated"
    assert verdicts(after, "net1")[f"outside:{OUTSIDE_ADDRESS}"] == "reachable"


@pytest.mark.parametrize("example", [
    "macvlan-bridge", "docker-bridge", "vxlan-overlay",
    # stateful security groups on bridge ports need nf_conntrack_bridge: the stock kernel's
    pytest.param("openstack-linuxbridge", marks=pytest.mark.kernel)])
def test_examples_in_the_lab(example: str, lab: LabRun) -> None:
    topology = load_topology(EXAMPLES / f"{example}.yaml")[1]
    load_nft_modules()
    result = asyncio.run(lab.check(topology))
    assert result.probed and result.pairs
    assert not result.mismatches, [p.mismatch_text() for p in result.mismatches]
    assert not any("by hand" in note for note in result.notes), result.notes  # as applied
    if example == "docker-bridge":  # the lab's outside answers and connects
        published = next(s for p in result.pairs if p.source == "outside" for s in p.services
                         if s.port == 8080)
        assert published.observed is not None and published.observed.verdict == "reachable"
        out = next(p for p in result.pairs if p.source == "c1" and p.target.role == "outside")
        assert out.observed is not None and out.observed.verdict == "reachable"
        assert all(s.observed and s.observed.verdict == "reachable" for s in out.services)
