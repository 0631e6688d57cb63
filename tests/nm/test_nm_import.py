"""NetworkManager's profile of each device it manages, in the live host's import: a real NM
(the harness's namespace plays the host) manages a bridge through a profile of its own and
an uplink it activated; a veth it was told to leave alone is "not managed". The file carries
each as a comment above the device's entry and still validates; the D-Bus answer carries
the same as data."""

from __future__ import annotations

import asyncio

import pytest
from dbus_fast import Variant
from nm_harness import Harness, ip, new_netns

from netwright.backend.checks.observed import check_observed, observe_subject
from netwright.backend.checks.run import CheckOptions
from netwright.backend.hostimport.imports import host_import
from netwright.backend.nm.client import NmClient
from netwright.backend.topology import parse_topology


async def _build(harness: Harness, nm: NmClient) -> None:
    """An NM bridge 'nmbr0' (profile 'lan-bridge', static address) and a veth 'wire0'
    unmanaged; 'up0' a veth NM activates with profile 'uplink'."""
    harness.nm.ip("tuntap", "add", "tap9", "mode", "tap")  # a NIC of the host's (no kind)
    harness.nm.ip("link", "add", "up0", "type", "veth", "peer", "name", "wire0")
    await nm.set_managed(await nm.wait_device("wire0"), False)
    harness.nm.ip("link", "set", "wire0", "up")
    for profile in (
        {"connection": {"id": Variant("s", "lan-bridge"), "type": Variant("s", "bridge"),
                        "interface-name": Variant("s", "nmbr0")},
         "bridge": {"stp": Variant("b", False)},
         "ipv4": {"method": Variant("s", "manual"), "address-data": Variant(
             "aa{sv}", [{"address": Variant("s", "10.66.0.1"), "prefix": Variant("u", 24)}])},
         "ipv6": {"method": Variant("s", "disabled")}},
        {"connection": {"id": Variant("s", "uplink"), "type": Variant("s", "802-3-ethernet"),
                        "interface-name": Variant("s", "up0")},
         "ipv4": {"method": Variant("s", "manual"), "address-data": Variant(
             "aa{sv}", [{"address": Variant("s", "192.0.2.5"), "prefix": Variant("u", 24)}])},
         "ipv6": {"method": Variant("s", "disabled")}},
    ):
        path = await nm.add_connection(profile)
        ifname = profile["connection"]["interface-name"].value
        if ifname == "up0":
            await nm.wait_activated(await nm.activate(path, await nm.wait_device("up0")),
                                    "up0")
        else:
            await nm.activate(path)
    harness.nm.wait_for(lambda: harness.nm.device_state("nmbr0").startswith("connect"),
                        "nmbr0 active")


async def test_the_import_names_networkmanagers_profiles(
        harness: Harness, nm: NmClient, monkeypatch: pytest.MonkeyPatch) -> None:
    await _build(harness, nm)
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", harness.bus.address)
    found = await asyncio.to_thread(host_import, "nmhost", host=harness.nm.netns)
    topology = parse_topology(found.text)  # the comments leave a file that validates
    assert topology.interfaces["nmbr0"].existing
    lines = found.text.splitlines()

    def comment_above(entry: str) -> str:
        index = next(i for i, line in enumerate(lines) if line.lstrip().startswith(entry))
        return lines[index - 1].strip()

    bridge = found.networkmanager["nmbr0"]
    assert (bridge["managed"], bridge["profile"], bridge["type"]) == (True, "lan-bridge",
                                                                      "bridge")
    assert bridge["filename"].endswith(".nmconnection")
    assert comment_above("nmbr0:").startswith(
        '# managed by NetworkManager: profile "lan-bridge" (bridge, ')
    uplink = found.networkmanager["up0"]
    assert (uplink["profile"], uplink["state"]) == ("uplink", "activated")
    assert comment_above("up0:").startswith('# managed by NetworkManager: profile "uplink"')
    assert found.networkmanager["wire0"]["managed"] is False
    assert comment_above("wire0:") == "# not managed by NetworkManager"
    assert "tap9" in topology.host.nics  # a host NIC's entry gets its line too
    assert comment_above("tap9:").startswith("# ") and "NetworkManager" in comment_above("tap9:")


def test_without_networkmanager_the_import_says_nothing_of_it(
        harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """NM runs in another namespace than the one imported: none of its devices are there."""
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", harness.bus.address)
    found = host_import("plain")  # the test's own namespace, not NM's
    assert found.networkmanager == {}
    assert "NetworkManager" not in found.text


async def test_the_check_of_a_host_with_networkmanager_devices_holds(
        harness: Harness, nm: NmClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """A container on NM's bridge (its host end unmanaged, as docker's are): the read-only
    check of NM's host predicts what the probes see."""
    await _build(harness, nm)
    container = new_netns("nmctr")
    harness.nm.extra_netns.append(container)
    harness.nm.ip("link", "add", "vh0", "type", "veth", "peer", "name", "eth0", "netns",
                  container)
    await nm.set_managed(await nm.wait_device("vh0"), False)
    harness.nm.ip("link", "set", "vh0", "master", "nmbr0", "up")
    ip("addr", "add", "10.66.0.2/24", "dev", "eth0", netns=container)
    ip("link", "set", "eth0", "up", netns=container)
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", harness.bus.address)
    subject = await asyncio.to_thread(observe_subject, host=harness.nm.netns)
    result = await check_observed(subject, CheckOptions(timeout=0.5))
    pairs = {(p.source, p.target.address): p for p in result.pairs}
    assert pairs[(container, "10.66.0.1")].observed.verdict == "reachable"
    assert result.mismatches == []


async def test_a_profile_name_cannot_write_lines_into_the_imported_file(
        harness: Harness, nm: NmClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """A profile's name is chosen by whoever made the profile (NetworkManager lets a desktop
    user add their own); in the comment above the device it is text, never more lines of the
    file an administrator then applies."""
    harness.nm.ip("link", "add", "evil0", "type", "bridge")
    name = "x\nhost:\n  forwarding: {ipv4: true}\n#"
    path = await nm.add_connection({
        "connection": {"id": Variant("s", name), "type": Variant("s", "bridge"),
                       "interface-name": Variant("s", "evil0")},
        "bridge": {"stp": Variant("b", False)},
        "ipv4": {"method": Variant("s", "disabled")},
        "ipv6": {"method": Variant("s", "disabled")}})
    await nm.activate(path)
    harness.nm.wait_for(lambda: harness.nm.device_state("evil0").startswith("connect"),
                        "evil0 active")
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", harness.bus.address)
    found = await asyncio.to_thread(host_import, "nmhost", host=harness.nm.netns)
    assert found.networkmanager["evil0"]["profile"] == name  # the data says it as it is
    topology = parse_topology(found.text)
    assert topology.host.forwarding is None, found.text
    comment = next(line for line in found.text.splitlines() if "profile" in line)
    assert comment.lstrip().startswith("#") and "\\n" in comment, comment
