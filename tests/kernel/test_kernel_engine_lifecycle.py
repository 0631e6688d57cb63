"""The engine on a kernel with ipvlan, dummy and 802.1q: apply, read back, re-apply, destroy.

One topology holds every ipvlan mode x flag (one dummy parent each, since the mode and the flag
belong to the parent), 802.1Q and 802.1ad vlans and a macvlan on a dummy. It is applied by the
real engine on the test's namespace, read back with pyroute2 (not with the engine's own
observer), planned again (must be empty) and destroyed (the kernel must be as before: no link,
no namespace left). A topology mixing modes on one parent never reaches the engine: the
contract refuses it.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kernel_readback import IPVLAN_FLAGS, IPVLAN_MODES, link_facts, link_names
from pyroute2 import IPRoute, NetNS

from netwright.backend.engine import Engine, Target
from netwright.backend.topology import TopologyError, parse_topology

CASES = list(itertools.product(IPVLAN_MODES, IPVLAN_FLAGS))


def _key(mode: str, flag: str) -> str:
    return f"{mode}{flag[0]}"  # l2b, l3sp, ...


def lifecycle_topology() -> str:
    """YAML: nine dummy parents, one ipvlan child each (own namespace), vlans, a macvlan."""
    lines = ["netwright: 1", "name: ktlife", "namespaces:"]
    lines += [f"  ns-{_key(m, f)}: {{}}" for m, f in CASES]
    lines.append("interfaces:")
    for index, (mode, flag) in enumerate(CASES):
        key = _key(mode, flag)
        lines.append(f"  par-{key}: {{kind: dummy}}")
        lines.append(f"  iv-{key}: {{kind: ipvlan, parent: par-{key}, mode: {mode}, flag: {flag},"
                     f" namespace: ns-{key}, addresses: [10.77.{index}.2/24]}}")
    lines += [
        "  trunk0: {kind: dummy, addresses: [10.78.0.1/24]}",
        "  trunk0.7: {kind: vlan, parent: trunk0, id: 7, addresses: [10.78.7.1/24]}",
        "  trunk0.8: {kind: vlan, parent: trunk0, id: 8, protocol: 802.1ad}",
        "  mparent: {kind: dummy}",
        "  mv0: {kind: macvlan, parent: mparent, mode: bridge, namespace: ns-l2b,"
        " addresses: [10.79.0.2/24]}",
    ]
    return "\n".join(lines) + "\n"


def _kernel_state() -> tuple[set[str], list[str]]:
    """Links of the test's namespace and the namespaces that exist: what destroy must restore."""
    with IPRoute() as ipr:
        names = link_names(ipr)
    return names, sorted(os.listdir("/run/netns")) if os.path.isdir("/run/netns") else []


Deployed = tuple[Engine, Any, tuple[set[str], list[str]]]


@pytest.fixture
def deployed(tmp_path: Path) -> Iterator[Deployed]:
    """The lifecycle topology applied by a real engine; destroyed again if a test left it.

    Synchronous on purpose: pyroute2's IPRoute runs its own event loop and refuses to start
    inside a running one, so the engine's coroutines are driven with asyncio.run.
    """
    before = _kernel_state()
    engine = Engine(tmp_path / "state", Target.host())
    topology = parse_topology(lifecycle_topology())
    asyncio.run(engine.apply(topology))
    try:
        yield engine, topology, before
    finally:
        if topology.name in asyncio.run(engine.deployments()):
            asyncio.run(engine.destroy(topology.name))


def _in(namespace: str, name: str) -> Any:
    ipr = NetNS(namespace)
    try:
        return link_facts(ipr, name)
    finally:
        ipr.close()


@pytest.mark.kernel
def test_every_ipvlan_mode_and_flag_applied_as_written(deployed: Deployed) -> None:
    with IPRoute() as ipr:
        parents = {_key(m, f): link_facts(ipr, f"par-{_key(m, f)}") for m, f in CASES}
    wrong = []
    for index, (mode, flag) in enumerate(CASES):
        key = _key(mode, flag)
        child = _in(f"ns-{key}", f"iv-{key}")
        seen = (child.kind, child.ipvlan_mode, child.ipvlan_flag, child.addresses)
        if seen != ("ipvlan", mode, flag, (f"10.77.{index}.2/24",)):
            wrong.append(f"iv-{key}: wanted {mode}/{flag}, the kernel has {seen}")
        assert parents[key].kind == "dummy"
        assert child.parent_index == parents[key].index and child.up
    assert not wrong, "\n".join(wrong)


@pytest.mark.kernel
def test_vlan_and_macvlan_on_dummies_applied_as_written(deployed: Deployed) -> None:
    with IPRoute() as ipr:
        trunk, v7, v8 = (link_facts(ipr, n) for n in ("trunk0", "trunk0.7", "trunk0.8"))
        mparent = link_facts(ipr, "mparent")
    assert (trunk.kind, trunk.addresses) == ("dummy", ("10.78.0.1/24",))
    assert (v7.kind, v7.vlan_id, v7.vlan_protocol, v7.addresses) == (
        "vlan", 7, "802.1Q", ("10.78.7.1/24",))
    assert (v8.vlan_id, v8.vlan_protocol) == (8, "802.1ad")
    assert v7.parent_index == v8.parent_index == trunk.index
    macvlan = _in("ns-l2b", "mv0")
    assert (macvlan.kind, macvlan.macvlan_mode, macvlan.parent_index) == (
        "macvlan", "bridge", mparent.index)


@pytest.mark.kernel
def test_reapply_is_a_no_op_and_destroy_leaves_nothing(deployed: Deployed) -> None:
    engine, topology, before = deployed
    plan = asyncio.run(engine.plan(topology))
    assert plan.empty, plan.render()

    asyncio.run(engine.destroy(topology.name))

    assert _kernel_state() == before
    assert asyncio.run(engine.deployments()) == []


def test_mixed_modes_never_reach_the_kernel() -> None:
    """The contract refuses what the kernel would accept and silently rewrite."""
    text = lifecycle_topology().replace(
        "  mparent: {kind: dummy}",
        "  mparent: {kind: dummy}\n  iv-extra: {kind: ipvlan, parent: par-l2b, mode: l3,"
        " namespace: ns-l3b, addresses: [10.77.99.2/24]}")
    with pytest.raises(TopologyError) as refused:
        parse_topology(text)
    assert "ipvlan-mixed-modes" in {p.code for p in refused.value.problems}
