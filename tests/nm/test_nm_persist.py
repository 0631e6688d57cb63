"""Persistent host objects through a real NetworkManager: plan, apply, update, destroy, undo.

NM's namespace plays the host. Where the engine would create the runtime part (a veth port of
the persistent bridge), the test creates it with ip(8) and reads everything back from the
kernel, from nmcli (a second, independent client) and from the keyfile on disk.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from nm_harness import Harness

from netwright.backend.nm.client import NmClient, NmVersion
from netwright.backend.nm.errors import ConfirmationRequired, PersistUnsupported
from netwright.backend.nm.persist import plan_forget, plan_persist, refusals
from netwright.backend.nm.runtime import unmanage
from netwright.backend.nm.transaction import begin
from netwright.backend.outcomes.errors import ApplyFailed
from netwright.backend.topology import parse_topology
from netwright.backend.topology.model import Topology


def design(address: str = "10.77.0.1/24", extra: str = "", peer: str = "") -> Topology:
    peer = peer or address.rsplit(".", 1)[0] + ".2/24"
    return parse_topology(f"""netwright: 1
name: nmt
namespaces: {{ns1: {{}}}}
interfaces:
  br0: {{kind: bridge, persist: true, addresses: [{address}]}}
  vh: {{kind: veth, peer: vn, master: br0}}
  vn: {{kind: veth, peer: vh, namespace: ns1, addresses: [{peer}]}}
{extra}""")


def add_runtime_port(harness: Harness) -> None:
    """What the engine's pyroute2 part does for the veth port (stand-in until integration)."""
    harness.nm.ip("link", "add", "vh", "type", "veth", "peer", "name", "vn")
    harness.nm.ip("link", "set", "vh", "master", "br0", "up")


def master_of(harness: Harness, name: str) -> str | None:
    return harness.nm.links()[name].get("master")  # type: ignore[return-value]


async def apply(nm: NmClient, harness: Harness, topology: Topology) -> None:
    plan = await plan_persist(nm, topology, netns=harness.nm.netns)
    tx = await begin(nm, plan, netns=harness.nm.netns)
    await tx.commit()


async def test_bridge_lifecycle(harness: Harness, nm: NmClient) -> None:
    harness.nm.nmcli("connection", "add", "type", "bridge", "con-name", "theirs", "ifname",
                     "theirs0", "ipv4.method", "manual", "ipv4.addresses", "10.99.0.1/24")
    netns = harness.nm.netns

    plan = await plan_persist(nm, design(), netns=netns)
    assert [(s.action, s.object) for s in plan.steps] == [("create", "br0")]
    assert "netwright-nmt-br0" in plan.steps[0].text
    assert any("namespaces stay runtime" in n for n in plan.notes)
    tx = await begin(nm, plan, netns=netns)
    await tx.commit()
    add_runtime_port(harness)
    await unmanage(nm, ["vh"])

    keyfile = Path(harness.nm.keyfile_dir / "netwright-nmt-br0.nmconnection")
    text = keyfile.read_text()
    assert "netwright.topology=nmt" in text.replace("\\", "") or "topology=nmt" in text
    assert "10.77.0.1/24" in text
    harness.nm.wait_for(lambda: harness.nm.device_state("br0") == "connected", "br0 connected")
    assert harness.nm.addresses("br0") == ["10.77.0.1/24"]
    assert master_of(harness, "vh") == "br0"
    assert harness.nm.device_state("vh") == "unmanaged"

    again = await plan_persist(nm, design(), netns=netns)
    assert again.empty, again.render()

    changed = await plan_persist(nm, design("10.77.0.254/24"), netns=netns)
    assert [(s.action, s.object) for s in changed.steps] == [("modify", "br0")]
    await (await begin(nm, changed, netns=netns)).commit()
    harness.nm.wait_for(lambda: harness.nm.addresses("br0") == ["10.77.0.254/24"], "update")
    assert "10.77.0.254/24" in keyfile.read_text()
    assert master_of(harness, "vh") == "br0"
    assert (await plan_persist(nm, design("10.77.0.254/24"), netns=netns)).empty

    harness.nm.ip("link", "del", "vh")  # the engine's destroy removes its runtime part first
    forget = await plan_forget(nm, "nmt", netns=netns)
    assert [(s.action, s.object) for s in forget.steps] == [("delete", "br0")]
    await (await begin(nm, forget, netns=netns)).commit()
    assert not keyfile.exists()
    assert "br0" not in harness.nm.links()
    assert "netwright-nmt-br0" not in harness.nm.profiles()
    assert harness.nm.profiles().get("theirs") == "bridge"


async def test_removed_from_design_is_deleted(harness: Harness, nm: NmClient) -> None:
    two = design(extra="  br1: {kind: bridge, persist: true, addresses: [10.78.0.1/24]}\n")
    await apply(nm, harness, two)
    assert {"br0", "br1"} <= set(harness.nm.links())
    plan = await plan_persist(nm, design(), netns=harness.nm.netns)
    assert [(s.action, s.object) for s in plan.steps] == [("delete", "br1")]
    await (await begin(nm, plan, netns=harness.nm.netns)).commit()
    assert "br1" not in harness.nm.links()
    assert "br0" in harness.nm.links()


async def test_rollback_after_the_runtime_part_fails(harness: Harness, nm: NmClient) -> None:
    """The engine's pyroute2 part fails after the NM part succeeded: nothing is left."""
    plan = await plan_persist(nm, design(), netns=harness.nm.netns)
    tx = await begin(nm, plan, netns=harness.nm.netns)
    assert "br0" in harness.nm.links()
    assert await tx.rollback()
    assert "br0" not in harness.nm.links()
    assert not any(p.startswith("netwright-") for p in harness.nm.profiles())
    assert not list(harness.nm.keyfile_dir.iterdir())


async def test_failure_inside_the_nm_part_undoes_it(harness: Harness, nm: NmClient) -> None:
    """A second object NM cannot bring up rolls back the first one too."""
    bad = parse_topology("""netwright: 1
name: nmt
host: {nics: {ghost0: {}}}
interfaces:
  br0: {kind: bridge, persist: true, addresses: [10.77.0.1/24]}
  mv0: {kind: macvlan, parent: ghost0, mode: bridge, persist: true}
""")
    plan = await plan_persist(nm, bad, netns=harness.nm.netns)
    with pytest.raises(ApplyFailed, match="mv0") as caught:
        await begin(nm, plan, netns=harness.nm.netns)
    assert caught.value.rolled_back
    assert "br0" not in harness.nm.links()
    assert not any(p.startswith("netwright-") for p in harness.nm.profiles())


async def test_rollback_of_an_update_restores_the_old_profile(harness: Harness,
                                                            nm: NmClient) -> None:
    await apply(nm, harness, design())
    plan = await plan_persist(nm, design("10.77.0.9/24"), netns=harness.nm.netns)
    tx = await begin(nm, plan, netns=harness.nm.netns)
    harness.nm.wait_for(lambda: harness.nm.addresses("br0") == ["10.77.0.9/24"], "update")
    assert tx.checkpoint is not None
    assert await tx.rollback()
    harness.nm.wait_for(lambda: harness.nm.addresses("br0") == ["10.77.0.1/24"], "rollback")
    assert "10.77.0.1/24" in harness.nm.nmcli("-g", "ipv4.addresses", "connection", "show",
                                               "netwright-nmt-br0")


async def test_taking_down_the_uplink_needs_confirmation(harness: Harness,
                                                         nm: NmClient) -> None:
    uplink = design("192.0.2.10/24")
    await apply(nm, harness, uplink)
    harness.nm.ip("route", "add", "default", "via", "192.0.2.1", "dev", "br0")
    plan = await plan_persist(nm, design("192.0.2.20/24"), netns=harness.nm.netns)
    assert plan.takeover is not None and "br0" in plan.takeover
    assert "default route" in plan.takeover
    with pytest.raises(ConfirmationRequired):
        await begin(nm, plan, netns=harness.nm.netns)
    assert harness.nm.addresses("br0") == ["192.0.2.10/24"]  # nothing changed
    # Confirmed, but the confirmation never comes: NM's checkpoint timer restores the uplink.
    tx = await begin(nm, plan, confirmed=True, rollback_timeout=2, netns=harness.nm.netns)
    harness.nm.wait_for(lambda: harness.nm.addresses("br0") == ["192.0.2.20/24"], "change")
    harness.nm.wait_for(lambda: harness.nm.addresses("br0") == ["192.0.2.10/24"],
                        "NetworkManager's own rollback", timeout=20)
    with pytest.raises(Exception, match="confirmation window ended"):
        await tx.commit()


async def test_without_networkmanager_persist_is_refused(harness: Harness) -> None:
    with pytest.raises(PersistUnsupported, match="NetworkManager is not running here"):
        await plan_persist(None, design())
    runtime_only = parse_topology("netwright: 1\nname: t\ninterfaces:\n"
                                  "  br0: {kind: bridge, addresses: [10.1.0.1/24]}\n")
    assert (await plan_persist(None, runtime_only)).empty
    harness.nm.stop()
    client = await NmClient.connect(harness.bus.address)
    try:
        with pytest.raises(PersistUnsupported, match="remove 'persist: true'"):
            await plan_persist(client, design(), netns=harness.nm.netns)
    finally:
        client.close()


def test_refusals_name_the_version_and_the_fix() -> None:
    seed = parse_topology("""netwright: 1
name: seed
host: {nics: {wlp2s0: {addresses: [192.168.31.240/24]}}}
interfaces:
  ipv0: {kind: ipvlan, parent: wlp2s0, mode: l2, persist: true}
  v0: {kind: veth, peer: v1}
  v1: {kind: veth, peer: v0}
  mv0: {kind: macvlan, parent: v0, mode: bridge, persist: true}
""")
    old = refusals(seed, NmVersion(1, 42, 4))
    assert any("NetworkManager 1.42.4" in r and "1.52" in r and "ipv0" in r for r in old)
    assert any("mv0" in r and "mark v0 persist too" in r for r in old)
    new = refusals(seed, NmVersion(1, 52, 0))
    assert not any("ipv0" in r for r in new)


async def test_nm_of_another_namespace_is_not_used(harness: Harness, nm: NmClient) -> None:
    from netwright.backend.nm.errors import WrongNamespace

    with pytest.raises(WrongNamespace):
        await plan_persist(nm, design(), netns=None)
    await asyncio.sleep(0)


async def test_rollback_brings_back_a_deleted_profile(harness: Harness, nm: NmClient) -> None:
    two = design(extra="  br1: {kind: bridge, persist: true, addresses: [10.78.0.1/24]}\n")
    await apply(nm, harness, two)
    keyfile = harness.nm.keyfile_dir / "netwright-nmt-br1.nmconnection"
    assert keyfile.exists()
    broken = parse_topology("""netwright: 1
name: nmt
host: {nics: {ghost0: {}}}
interfaces:
  br0: {kind: bridge, persist: true, addresses: [10.77.0.1/24]}
  mv0: {kind: macvlan, parent: ghost0, mode: bridge, persist: true}
""")
    plan = await plan_persist(nm, broken, netns=harness.nm.netns)
    assert [(s.action, s.object) for s in plan.steps] == [("create", "mv0"), ("delete", "br1")]
    with pytest.raises(ApplyFailed) as caught:
        await begin(nm, plan, netns=harness.nm.netns)
    assert caught.value.rolled_back
    assert keyfile.exists()
    harness.nm.wait_for(lambda: harness.nm.addresses("br1") == ["10.78.0.1/24"]
                        if "br1" in harness.nm.links() else False, "br1 back")
    assert "netwright-nmt-mv0" not in harness.nm.profiles()
    assert (await plan_persist(nm, two, netns=harness.nm.netns)).empty
