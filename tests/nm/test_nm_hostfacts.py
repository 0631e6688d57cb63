"""Host facts from a real NetworkManager, and from the kernel when NM is absent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dbus_fast import Variant
from nm_harness import Harness, delete_netns, ip, new_netns

from netwright.backend.nm.client import NmClient
from netwright.backend.nm.hostfacts import (
    HostFacts,
    NicFacts,
    host_facts,
    system_host_facts,
    wifi_macvlan_warnings,
)
from netwright.backend.topology import parse_topology


async def make_uplink(harness: Harness, nm: NmClient) -> None:
    """An NM-managed 'wlp2s0' (a veth standing in for the NIC) with gateway and DNS."""
    harness.nm.ip("link", "add", "wlp2s0", "type", "veth", "peer", "name", "wlp2s0-wire")
    await nm.set_managed(await nm.wait_device("wlp2s0-wire"), False)
    harness.nm.ip("link", "set", "wlp2s0-wire", "up")
    profile = {
        "connection": {"id": Variant("s", "uplink"), "type": Variant("s", "802-3-ethernet"),
                       "interface-name": Variant("s", "wlp2s0")},
        "ipv4": {"method": Variant("s", "manual"),
                 "address-data": Variant("aa{sv}", [{"address": Variant("s", "192.168.31.240"),
                                                     "prefix": Variant("u", 24)}]),
                 "gateway": Variant("s", "192.168.31.1"),
                 "dns": Variant("au", [0x011FA8C0])},  # 192.168.31.1
        # an IPv6 gateway too: NM reports it besides the IPv4 one, and it must not win
        "ipv6": {"method": Variant("s", "manual"),
                 "address-data": Variant("aa{sv}", [{"address": Variant("s", "fd31::240"),
                                                     "prefix": Variant("u", 64)}]),
                 "gateway": Variant("s", "fd31::1")},
    }
    path = await nm.add_connection(profile)
    device = await nm.wait_device("wlp2s0")
    await nm.wait_activated(await nm.activate(path, device), "wlp2s0")


async def test_facts_from_networkmanager(harness: Harness, nm: NmClient) -> None:
    await make_uplink(harness, nm)
    facts = await host_facts(nm.bus, netns=harness.nm.netns)
    assert facts.source == "networkmanager"
    assert facts.networkmanager == str(await nm.version())
    uplink = facts.nic("wlp2s0")
    assert uplink is not None
    assert uplink.gateway == "192.168.31.1"
    assert sorted(uplink.gateways) == ["192.168.31.1", "fd31::1"]
    assert "192.168.31.240/24" in uplink.addresses
    assert "192.168.31.0/24" in uplink.subnets
    assert uplink.dns == ["192.168.31.1"]
    assert uplink.managed is True and uplink.wifi is False
    wire = facts.nic("wlp2s0-wire")
    assert wire is not None and wire.managed is False
    data = facts.to_json()
    assert {"name", "addresses", "gateway", "dns", "wifi", "managed"} <= set(data["nics"][0])


async def test_system_host_facts_finds_nm_on_the_system_bus(
        harness: Harness, nm: NmClient, monkeypatch: pytest.MonkeyPatch) -> None:
    await make_uplink(harness, nm)
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", harness.bus.address)
    facts = await system_host_facts(harness.nm.netns)
    assert facts.source == "networkmanager"
    assert facts.nic("wlp2s0").gateway == "192.168.31.1"  # type: ignore[union-attr]
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/bus")
    assert (await system_host_facts(harness.nm.netns)).source == "netlink"


@pytest.fixture
def plain_host() -> Iterator[str]:
    """A namespace with no NetworkManager: a NIC, an address and a default route."""
    netns = new_netns("nwplain")
    ip("link", "add", "eth9", "type", "veth", "peer", "name", "eth9p", netns=netns)
    ip("addr", "add", "10.88.0.5/24", "dev", "eth9", netns=netns)
    ip("link", "set", "eth9", "up", netns=netns)
    ip("link", "set", "eth9p", "up", netns=netns)
    ip("route", "add", "default", "via", "10.88.0.1", "dev", "eth9", netns=netns)
    yield netns
    delete_netns(netns)


async def test_facts_from_the_kernel_without_nm(plain_host: str) -> None:
    facts = await host_facts(None, netns=plain_host)
    assert facts.source == "netlink"
    eth9 = facts.nic("eth9")
    assert eth9 is not None
    assert eth9.gateway == "10.88.0.1"
    assert eth9.addresses == ["10.88.0.5/24"]
    assert eth9.managed is None


async def test_nm_of_another_namespace_is_not_asked(harness: Harness, nm: NmClient,
                                                   plain_host: str) -> None:
    facts = await host_facts(nm.bus, netns=plain_host)
    assert facts.source == "netlink"
    assert facts.nic("eth9") is not None


def test_macvlan_on_wifi_suggests_ipvlan() -> None:
    topology = parse_topology("""netwright: 1
name: seed
host: {nics: {wlp2s0: {addresses: [192.168.31.240/24]}, eth0: {}}}
interfaces:
  mv0: {kind: macvlan, parent: wlp2s0, mode: bridge}
  mv1: {kind: macvlan, parent: eth0, mode: bridge}
""")
    facts = HostFacts("netlink", [
        NicFacts("wlp2s0", "ether", "", 1500, True, "", wifi=True),
        NicFacts("eth0", "ether", "", 1500, True, ""),
    ])
    warnings = wifi_macvlan_warnings(topology, facts)
    assert len(warnings) == 1
    assert "mv0" in warnings[0] and "ipvlan" in warnings[0]
    assert facts.nic("wlp2s0").to_json()["hints"]  # type: ignore[union-attr]
