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

from dataclasses import dataclass
from typing import Any

from netwright.backend.nm import names
from netwright.backend.nm.client import NmClient
from netwright.backend.nm.errors import NmError

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
    """Every device NM knows, by interface name (loopback left out)."""
    found: dict[str, ManagedDevice] = {}
    for device in await nm.devices():
        if not device.iface or device.iface == "lo":
            continue
        state = DEVICE_STATES.get(device.state, str(device.state))
        if device.active_connection in ("", names.NO_OBJECT):
            found[device.iface] = ManagedDevice(device.iface, device.managed, state)
            continue
        active = await nm.get_all(device.active_connection, names.IFACE_ACTIVE)
        settings = str(active.get("Connection", names.NO_OBJECT))
        filename = None
        if settings != names.NO_OBJECT:
            filename = await nm.filename(settings) or None
        found[device.iface] = ManagedDevice(
            device.iface, device.managed, state, str(active.get("Id", "")) or None,
            str(active.get("Uuid", "")) or None, str(active.get("Type", "")) or None, filename)
    return found


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
