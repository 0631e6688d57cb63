"""The engine and NetworkManager as one: the issue's acceptance tests.

A real Engine applies to a target whose host is the namespace the harness's NetworkManager
runs in (``Target(host_netns=...)``), so NetworkManager and the engine's pyroute2 part work on
the same host, as on a desktop. State is read back from the kernel, from nmcli and from the
keyfiles.
"""

from __future__ import annotations

import asyncio

import pytest
from designs import design, netwright_profiles
from nm_harness import Harness

from netwright.backend.engine import ApplyFailed, BusyError, Engine
from netwright.backend.nm.errors import ConfirmationRequired, PersistUnsupported
from netwright.backend.topology import parse_topology


async def test_persistent_bridge_with_a_veth_port(harness: Harness, engine: Engine) -> None:
    harness.nm.nmcli("connection", "add", "type", "bridge", "con-name", "theirs", "ifname",
                     "theirs0", "ipv4.method", "disabled", "ipv6.method", "ignore")
    harness.nm.wait_for(lambda: "theirs0" in nm_devices(harness), "their bridge")
    before = nm_devices(harness)
    plan = await engine.plan(design())
    texts = [s.text for s in plan.steps]
    assert any("NetworkManager profile netwright-nme-br0" in t for t in texts)
    assert not any(t.startswith("create bridge br0") for t in texts)

    await engine.apply(design())
    keyfile = harness.nm.keyfile_dir / "netwright-nme-br0.nmconnection"
    assert keyfile.exists()
    harness.nm.wait_for(lambda: harness.nm.device_state("br0") == "connected", "br0 connected")
    assert harness.nm.addresses("br0") == ["10.77.0.1/24"]
    assert harness.nm.links()["vh"].get("master") == "br0"
    assert harness.nm.device_state("vh") == "unmanaged"  # runtime objects stay ours

    assert (await engine.plan(design())).empty  # re-apply is a no-op

    await engine.apply(design("10.77.0.254/24"))  # a design change updates the profile
    assert "10.77.0.254/24" in keyfile.read_text()
    harness.nm.wait_for(lambda: harness.nm.addresses("br0") == ["10.77.0.254/24"], "update")
    assert harness.nm.links()["vh"].get("master") == "br0"

    await engine.destroy("nme")
    assert not keyfile.exists()
    links = harness.nm.links()
    assert "br0" not in links and "vh" not in links
    assert netwright_profiles(harness) == []
    assert harness.nm.profiles().get("theirs") == "bridge"  # unowned profiles untouched
    # destroy leaves NetworkManager's state as it was: the same devices, in the same states
    harness.nm.wait_for(lambda: nm_devices(harness) == before, "NM's devices as before")


def nm_devices(harness: Harness) -> dict[str, str]:
    """NetworkManager's devices and their states (``nmcli device``)."""
    lines = harness.nm.nmcli("-t", "-f", "DEVICE,STATE", "device").splitlines()
    return dict(line.split(":", 1) for line in lines if line)


async def test_runtime_failure_rolls_back_the_nm_part(harness: Harness, engine: Engine) -> None:
    """The pyroute2 part fails after the NM part succeeded: no profile, no device remains."""
    harness.nm.ip("link", "add", "vh", "type", "veth", "peer", "name", "vh-theirs")
    with pytest.raises(Exception) as caught:
        await engine.apply(design())
    assert "vh" in str(caught.value)
    assert netwright_profiles(harness) == []
    assert "br0" not in harness.nm.links()
    assert not list(harness.nm.keyfile_dir.glob("netwright-*"))


async def test_persist_without_networkmanager(harness: Harness, engine: Engine) -> None:
    harness.nm.stop()
    with pytest.raises(PersistUnsupported, match="NetworkManager is not running here"):
        await engine.plan(design())
    with pytest.raises(PersistUnsupported):
        await engine.apply(design())
    await engine.apply(design(persist=False))  # everything else works
    assert harness.nm.links()["br0"].get("master") is None
    assert harness.nm.links()["vh"].get("master") == "br0"
    await engine.destroy("nme")
    assert "br0" not in harness.nm.links()


async def test_apply_failure_is_reported_as_apply_failed(harness: Harness,
                                                         engine: Engine) -> None:
    bad = parse_topology("""netwright: 1
name: nme
host: {nics: {ghost0: {}}}
interfaces:
  br0: {kind: bridge, persist: true, addresses: [10.77.0.1/24]}
  mv0: {kind: macvlan, parent: ghost0, mode: bridge, persist: true}
""")
    with pytest.raises(ApplyFailed):
        await engine.apply(bad)
    assert netwright_profiles(harness) == []


async def test_changing_the_uplink_needs_confirmation(harness: Harness, engine: Engine) -> None:
    await engine.apply(design("192.0.2.10/24"))
    harness.nm.ip("route", "add", "default", "via", "192.0.2.1", "dev", "br0")
    plan = await engine.plan(design("192.0.2.20/24"))
    assert any("default route" in s.text for s in plan.steps)
    with pytest.raises(ConfirmationRequired, match="default route"):
        await engine.apply(design("192.0.2.20/24"))
    assert harness.nm.addresses("br0") == ["192.0.2.10/24"]  # refused before any change
    await engine.apply(design("192.0.2.20/24"), confirm=True)
    harness.nm.wait_for(lambda: harness.nm.addresses("br0") == ["192.0.2.20/24"], "change")
    harness.nm.ip("route", "replace", "default", "via", "192.0.2.1", "dev", "br0")
    await engine.destroy("nme")  # destroy is itself the explicit request: no second question
    assert netwright_profiles(harness) == []


async def test_two_applies_at_once_never_both_change_networkmanager(
        harness: Harness, engine: Engine) -> None:
    """The topology's lock covers the NetworkManager part: a second process applying the
    same topology meanwhile is Busy, instead of adding a second copy of the profile."""
    other = Engine(engine.state_dir, engine.target)
    results = await asyncio.gather(engine.apply(design()), other.apply(design()),
                                   return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    assert all(isinstance(f, BusyError) for f in failures), failures
    names = harness.nm.nmcli("-g", "NAME", "connection", "show").split()
    assert names.count("netwright-nme-br0") == 1, names
    await engine.destroy("nme")


async def test_status_sees_what_happened_to_the_profile(harness: Harness, engine: Engine) -> None:
    """NetworkManager keeps the persistent objects, so status asks it: a hand edit of the
    profile, a deactivated profile and a deleted one each show, in words."""
    await engine.apply(design())
    harness.nm.wait_for(lambda: harness.nm.device_state("br0") == "connected", "br0 up")
    status = await engine.status("nme")
    assert status.ok, status.render()

    harness.nm.nmcli("connection", "modify", "netwright-nme-br0", "ipv4.addresses",
                     "10.77.0.99/24")
    br0 = next(o for o in (await engine.status("nme")).objects if o.object == "br0")
    assert br0.state == "drifted"
    assert any("changed outside Netwright (ipv4.address-data is 10.77.0.99/24, the design"
               " says 10.77.0.1/24)" in d for d in br0.differences), br0.differences
    plan = await engine.plan(design())
    assert [s.object for s in plan.steps] == ["br0"], plan.render()
    await engine.apply(design())  # the digest is unchanged; apply still sets the design back
    harness.nm.wait_for(lambda: harness.nm.addresses("br0") == ["10.77.0.1/24"], "restored")
    status = await engine.status("nme")
    assert status.ok, status.render()

    harness.nm.nmcli("connection", "down", "netwright-nme-br0")
    br0 = next(o for o in (await engine.status("nme")).objects if o.object == "br0")
    assert br0.state == "drifted" and "not active" in " ".join(br0.differences)

    harness.nm.nmcli("connection", "delete", "netwright-nme-br0")
    br0 = next(o for o in (await engine.status("nme")).objects if o.object == "br0")
    assert br0.state == "missing", br0
    await engine.destroy("nme")

