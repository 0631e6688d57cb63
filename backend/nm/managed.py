"""Which devices NetworkManager manages on the live host, and through which profile.

Read-only: for every device NM knows, whether it manages it, its state, and the profile
(connection) active on it, with the profile's file. ``managed_devices`` takes a connected
client; ``host_managed_devices`` finds NetworkManager itself and answers only when it runs in
the namespace that plays the host (NM manages the devices of its own namespace only: a lab's
emulated host is not NM's). What it reads is information for the live host's view and
import; nothing here changes NM.

Example::

    devices = await host_managed_devices()          # {} without NetworkManager
    devices["eth0"].profile                          # 'Wired connection 1'
    devices["eth0"].text                             # 'managed by NetworkManager: profile …'
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from netwright.backend.nm import names
from netwright.backend.nm.client import NmClient
from netwright.backend.nm.errors import NmError

T = TypeVar("T")
WINDOW = 64  # D-Bus calls in flight at once

DEVICE_STATES = {
    0: "unknown", 10: "unmanaged", 20: "unavailable", 30: "disconnected", 40: "prepare",
    50: "config", 60: "need-auth", 70: "ip-config", 80: "ip-check", 90: "secondaries",
    100: "activated", 110: "deactivating", 120: "failed",
}


@dataclass(frozen=True)
class ManagedDevice:
    """One device as NetworkManager sees it; ``profile`` None when no profile is active."""

    iface: str
    managed: bool
    state: str
    profile: str | None = None
    uuid: str | None = None
    type: str | None = None
    filename: str | None = None

    @property
    def text(self) -> str:
        """One line for people (a comment in the imported file)."""
        if not self.managed:
            return "not managed by NetworkManager"
        if self.profile is None:
            return f"managed by NetworkManager, no profile active ({self.state})"
        where = f", {self.filename}" if self.filename else ""
        return (f"managed by NetworkManager: profile \"{self.profile}\" ({self.type},"
                f" {self.uuid}{where}), {self.state}")

    def to_json(self) -> dict[str, Any]:
        return {"managed": self.managed, "state": self.state, "profile": self.profile,
                "uuid": self.uuid, "type": self.type, "filename": self.filename}


async def managed_devices(nm: NmClient) -> dict[str, ManagedDevice]:
    """Every device NM knows, by interface name (loopback left out). The calls go out
    WINDOW at a time (dbus-fast sends them back to back and matches the replies): a host
    with a thousand container veths costs a few dozen round trips' time, not a thousand."""
    every = await _windowed([nm.device(path) for path in await nm.device_paths()])
    devices = [d for d in every if d.iface and d.iface != "lo"]
    active = [d.active_connection not in ("", names.NO_OBJECT) for d in devices]
    actives = await _windowed([nm.get_all(d.active_connection, names.IFACE_ACTIVE)
                               for d, on in zip(devices, active, strict=True) if on])
    settings = [str(a.get("Connection", names.NO_OBJECT)) for a in actives]
    files = await _windowed([nm.filename(path) for path in settings
                             if path != names.NO_OBJECT])
    file_of = dict(zip([p for p in settings if p != names.NO_OBJECT], files, strict=True))
    found: dict[str, ManagedDevice] = {}
    details = iter(zip(actives, settings, strict=True))
    for device, on in zip(devices, active, strict=True):
        state = DEVICE_STATES.get(device.state, str(device.state))
        if not on:
            found[device.iface] = ManagedDevice(device.iface, device.managed, state)
            continue
        props, path = next(details)
        found[device.iface] = ManagedDevice(
            device.iface, device.managed, state, str(props.get("Id", "")) or None,
            str(props.get("Uuid", "")) or None, str(props.get("Type", "")) or None,
            file_of.get(path) or None)
    return found


async def _windowed(calls: list[Coroutine[Any, Any, T]]) -> list[T]:
    """The calls' results in order, WINDOW of them in flight at once: dbus-fast fails
    (EAGAIN on its socket) when thousands are queued together."""
    results: list[T] = []
    for start in range(0, len(calls), WINDOW):
        results += await asyncio.gather(*calls[start:start + WINDOW])
    return results


async def host_managed_devices(host_inode: int, address: str | None = None
                               ) -> dict[str, ManagedDevice]:
    """``managed_devices`` of the NetworkManager on the system bus (or ``address``), when it
    runs in the namespace whose inode is ``host_inode``; {} otherwise, or when NM is absent
    or goes away meanwhile (the kernel's view of the host stands without it)."""
    from netwright.backend.nm.runtime import open_networkmanager

    nm = await open_networkmanager(address)
    if nm is None:
        return {}
    try:
        if await nm.netns_inode() != host_inode:
            return {}
        return await managed_devices(nm)
    except (NmError, OSError):
        return {}
    finally:
        nm.close()
