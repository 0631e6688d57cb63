"""The D-Bus client against a real NetworkManager: every call Netwright relies on."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import pytest
from dbus_fast import Variant
from nm_harness import Harness

from netwright.backend.nm import names
from netwright.backend.nm.client import NmClient, NmVersion
from netwright.backend.nm.errors import NmCallFailed, NmUnavailable


def bridge_profile(ifname: str, address: str, label: str = "test") -> dict[str, dict[str, Variant]]:
    ip, prefix = address.split("/")
    return {
        "connection": {"id": Variant("s", f"{label}-{ifname}"),
                       "uuid": Variant("s", str(uuid.uuid4())),
                       "type": Variant("s", "bridge"), "interface-name": Variant("s", ifname)},
        "bridge": {"stp": Variant("b", False)},
        "ipv4": {"method": Variant("s", "manual"),
                 "address-data": Variant("aa{sv}", [{"address": Variant("s", ip),
                                                     "prefix": Variant("u", int(prefix))}])},
        "ipv6": {"method": Variant("s", "ignore")},
    }


async def test_version_and_namespace(harness: Harness, nm: NmClient) -> None:
    version = await nm.version()
    assert version >= NmVersion(1, 0)
    assert str(version) in harness.nm.nmcli("--version")
    assert await nm.netns_inode() == os.stat(f"/run/netns/{harness.nm.netns}").st_ino


async def test_profile_lifecycle_to_disk(harness: Harness, nm: NmClient) -> None:
    path = await nm.add_connection(bridge_profile("nwc0", "10.71.0.1/24"))
    keyfile = await nm.filename(path)
    assert keyfile.startswith(str(harness.nm.keyfile_dir))
    assert os.path.exists(keyfile)
    await nm.wait_activated(await nm.activate(path), "nwc0")
    assert harness.nm.addresses("nwc0") == ["10.71.0.1/24"]
    harness.nm.wait_for(lambda: harness.nm.device_state("nwc0") == "connected", "nwc0 connected")

    await nm.update(path, bridge_profile("nwc0", "10.71.1.1/24"))
    device = await nm.device_by_iface("nwc0")
    assert device is not None
    await nm.reapply(device)
    harness.nm.wait_for(lambda: harness.nm.addresses("nwc0") == ["10.71.1.1/24"], "reapply")
    assert "10.71.1.1/24" in Path(keyfile).read_text()

    await nm.delete(path)
    harness.nm.wait_for(lambda: "nwc0" not in harness.nm.links(), "the bridge to go")
    assert not os.path.exists(keyfile)


async def test_checkpoint_rollback_restores_settings(harness: Harness, nm: NmClient) -> None:
    path = await nm.add_connection(bridge_profile("nwc1", "10.72.0.1/24"))
    await nm.wait_activated(await nm.activate(path), "nwc1")
    device = await nm.device_by_iface("nwc1")
    assert device is not None
    checkpoint = await nm.checkpoint_create([device], 60)
    assert checkpoint in await nm.checkpoints()
    await nm.update(path, bridge_profile("nwc1", "10.72.9.1/24"))
    await nm.reapply(device)
    harness.nm.wait_for(lambda: harness.nm.addresses("nwc1") == ["10.72.9.1/24"], "change")
    results = await nm.checkpoint_rollback(checkpoint)
    assert results == {device: names.ROLLBACK_OK}
    harness.nm.wait_for(lambda: harness.nm.addresses("nwc1") == ["10.72.0.1/24"], "rollback")
    assert checkpoint not in await nm.checkpoints()


async def test_checkpoint_destroy_keeps_changes(harness: Harness, nm: NmClient) -> None:
    path = await nm.add_connection(bridge_profile("nwc2", "10.73.0.1/24"))
    await nm.wait_activated(await nm.activate(path), "nwc2")
    device = await nm.device_by_iface("nwc2")
    assert device is not None
    checkpoint = await nm.checkpoint_create([device], 60)
    await nm.update(path, bridge_profile("nwc2", "10.73.5.1/24"))
    await nm.checkpoint_destroy(checkpoint)
    assert checkpoint not in await nm.checkpoints()
    with pytest.raises(NmCallFailed):
        await nm.checkpoint_rollback(checkpoint)
    assert "10.73.5.1" in harness.nm.nmcli("-g", "ipv4.addresses", "connection", "show",
                                          "test-nwc2")


async def test_unmanaged_runtime_link(harness: Harness, nm: NmClient) -> None:
    harness.nm.ip("link", "add", "nwv0", "type", "veth", "peer", "name", "nwv1")
    device = await nm.wait_device("nwv0")
    await nm.set_managed(device, False)
    assert not (await nm.device(device)).managed
    harness.nm.wait_for(lambda: harness.nm.device_state("nwv0") == "unmanaged", "unmanaged")


async def test_ip_config_reports_gateway_and_dns(harness: Harness, nm: NmClient) -> None:
    profile = bridge_profile("nwc3", "192.0.2.10/24")
    profile["ipv4"]["gateway"] = Variant("s", "192.0.2.1")
    profile["ipv4"]["dns"] = Variant("au", [0x0100000A])  # 10.0.0.1, network byte order
    await nm.wait_activated(await nm.activate(await nm.add_connection(profile)), "nwc3")
    device_path = await nm.wait_device("nwc3")
    # NetworkManager publishes the address on its IP4Config object shortly after the
    # activation (seen empty for a moment on a loaded machine): read until it is there
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while True:
        config = await nm.ip_config((await nm.device(device_path)).ip4_config)
        if config.addresses or loop.time() > deadline:
            break
        await asyncio.sleep(0.1)
    assert config.addresses == ["192.0.2.10/24"]
    assert config.gateway == "192.0.2.1"
    assert config.dns == ["10.0.0.1"]


async def test_errors_are_sentences(harness: Harness, nm: NmClient) -> None:
    with pytest.raises(NmCallFailed, match="could not delete profile"):
        await nm.delete("/org/freedesktop/NetworkManager/Settings/999")
    assert await nm.device_by_iface("nosuchif") is None


async def test_no_networkmanager_on_the_bus(harness: Harness) -> None:
    harness.nm.stop()
    client = await NmClient.connect(harness.bus.address)
    try:
        assert not await client.running()
        with pytest.raises(NmUnavailable):
            await client.version()
    finally:
        client.close()
