"""A small NetworkManager client on dbus-fast: the calls Netwright needs, nothing more.

Raw method calls instead of introspected proxies: NM's introspection is large, and a proxy
built from it costs more than the calls themselves. Every failing call becomes an
``NmCallFailed`` naming what was attempted; a missing NM becomes ``NmUnavailable``.

Example::

    client = await NmClient.connect()          # the system bus ($DBUS_SYSTEM_BUS_ADDRESS)
    print(await client.version())              # NmVersion(1, 42, 4)
    device = await client.device_by_iface("br0")
    await client.set_managed(device, False)
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dbus_fast.constants import BusType, MessageType
from dbus_fast.errors import DBusFastError
from dbus_fast.message import Message
from dbus_fast.signature import Variant

from netwright.backend.lazy_init import no_system_bus
from netwright.backend.nm import names
from netwright.backend.nm.errors import ActivationFailed, NmCallFailed, NmUnavailable
from netwright.backend.record import record

if TYPE_CHECKING:
    from dbus_fast.aio import MessageBus

Settings = Mapping[str, Mapping[str, Variant]]
"""A connection profile as NM's D-Bus API takes it (``a{sa{sv}}``)."""

CALL_TIMEOUT = 30.0
CONNECT_TIMEOUT = 5.0


@dataclass(frozen=True, order=True)
class NmVersion:
    major: int
    minor: int
    micro: int = 0

    @classmethod
    def parse(cls, text: str) -> NmVersion:
        numbers = [int(n) for n in re.findall(r"\d+", text)[:3]]
        numbers += [0] * (3 - len(numbers))
        return cls(*numbers)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.micro}"


@record(frozen=True)
class DeviceInfo:
    """What Netwright reads about one NM device."""

    path: str
    iface: str
    device_type: int
    managed: bool
    state: int
    active_connection: str
    ip4_config: str
    ip6_config: str

    @property
    def kind(self) -> str:
        return names.DEVICE_TYPE_NAMES.get(self.device_type, "other")

    @property
    def wifi(self) -> bool:
        return self.device_type == names.DEVICE_TYPE_WIFI


@record(frozen=True)
class IpConfig:
    """Addresses (CIDR), gateway and DNS servers NM has on one device, one family."""

    addresses: list[str]
    gateway: str
    dns: list[str]


def unwrap(value: Any) -> Any:
    """Plain Python values from dbus-fast's Variants, recursively."""
    if isinstance(value, Variant):
        return unwrap(value.value)
    if isinstance(value, dict):
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


class NmClient:
    """One connection to the bus NetworkManager is on."""

    def __init__(self, bus: MessageBus) -> None:
        self.bus = bus

    @classmethod
    async def connect(cls, address: str | None = None) -> NmClient:
        """Connect to ``address``, or the system bus; ``NmUnavailable`` if there is none.

        dbus-fast's bus is imported here, when there may be a bus (nm/__init__), so a
        command on a machine without D-Bus does not load it to find there is none."""
        if address is None and no_system_bus():
            raise NmUnavailable("the system bus is not reachable (no D-Bus system bus here)")
        from dbus_fast.aio import MessageBus

        try:
            bus_at = (MessageBus(bus_address=address) if address
                      else MessageBus(bus_type=BusType.SYSTEM))
            async with asyncio.timeout(CONNECT_TIMEOUT):  # no coroutine made then dropped
                bus = await bus_at.connect()
        except (OSError, ValueError, TimeoutError, DBusFastError) as exc:
            # no socket, refused authentication (a lab's user namespace), or no answer
            raise NmUnavailable(f"the system bus is not reachable ({exc})") from exc
        return cls(bus)

    def close(self) -> None:
        self.bus.disconnect()

    async def call(  # noqa: PLR0917 (the fields of a D-Bus method call, in their order)
        self, what: str, path: str, interface: str, member: str, signature: str = "",
        body: Sequence[Any] = (), destination: str = names.BUS_NAME,
    ) -> list[Any]:
        """One method call; the reply body, or ``NmCallFailed`` saying ``what`` failed."""
        message = Message(destination=destination, path=path, interface=interface,
                          member=member, signature=signature, body=list(body))
        try:
            async with asyncio.timeout(CALL_TIMEOUT):  # no call coroutine made then dropped
                reply = await self.bus.call(message)
        except TimeoutError as exc:
            raise NmCallFailed(what, "Timeout", f"no answer in {CALL_TIMEOUT:.0f} s") from exc
        assert reply is not None
        if reply.message_type == MessageType.ERROR:
            text = str(reply.body[0]) if reply.body else ""
            error = reply.error_name or "Failed"
            if error == "org.freedesktop.DBus.Error.ServiceUnknown":
                raise NmUnavailable("NetworkManager is not running on the system bus")
            raise NmCallFailed(what, error, text)
        return list(reply.body)

    # --- the daemon itself -------------------------------------------------------------

    async def running(self) -> bool:
        """Whether NetworkManager owns its name on this bus."""
        body = await self.call("ask the bus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "NameHasOwner", "s", [names.BUS_NAME],
                               destination="org.freedesktop.DBus")
        return bool(body[0])

    async def version(self) -> NmVersion:
        return NmVersion.parse(str(await self.get(names.PATH, names.IFACE, "Version")))

    async def netns_inode(self) -> int:
        """Inode of the network namespace NetworkManager runs in (via its PID)."""
        body = await self.call("ask the bus for NetworkManager's process",
                               "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "GetConnectionUnixProcessID", "s", [names.BUS_NAME],
                               destination="org.freedesktop.DBus")
        return os.stat(f"/proc/{int(body[0])}/ns/net").st_ino

    # --- properties ---------------------------------------------------------------------

    async def get(self, path: str, interface: str, name: str) -> Any:
        body = await self.call(f"read {name}", path, names.IFACE_PROPERTIES, "Get", "ss",
                               [interface, name])
        return unwrap(body[0])

    async def get_all(self, path: str, interface: str) -> dict[str, Any]:
        body = await self.call(f"read {path}", path, names.IFACE_PROPERTIES, "GetAll", "s",
                               [interface])
        return dict(unwrap(body[0]))

    async def set(self, path: str, interface: str, name: str, value: Variant) -> None:
        await self.call(f"set {name}", path, names.IFACE_PROPERTIES, "Set", "ssv",
                        [interface, name, value])

    # --- devices ------------------------------------------------------------------------

    async def device_paths(self) -> list[str]:
        body = await self.call("list devices", names.PATH, names.IFACE, "GetAllDevices")
        return list(body[0])

    async def device(self, path: str) -> DeviceInfo:
        props = await self.get_all(path, names.IFACE_DEVICE)
        return DeviceInfo(
            path=path, iface=str(props.get("Interface", "")),
            device_type=int(props.get("DeviceType", 0)), managed=bool(props.get("Managed")),
            state=int(props.get("State", 0)),
            active_connection=str(props.get("ActiveConnection", names.NO_OBJECT)),
            ip4_config=str(props.get("Ip4Config", names.NO_OBJECT)),
            ip6_config=str(props.get("Ip6Config", names.NO_OBJECT)),
        )

    async def devices(self) -> list[DeviceInfo]:
        return [await self.device(p) for p in await self.device_paths()]

    async def device_by_iface(self, iface: str) -> str | None:
        """NM's object path for kernel interface ``iface``, or None if NM does not know it."""
        try:
            body = await self.call(f"find device {iface}", names.PATH, names.IFACE,
                                   "GetDeviceByIpIface", "s", [iface])
        except NmCallFailed as exc:
            if exc.dbus_error.endswith("UnknownDevice"):
                return None
            raise
        return str(body[0])

    async def wait_device(self, iface: str, timeout: float = 5.0) -> str:
        """NM notices new kernel links asynchronously: wait until it knows ``iface``."""
        deadline = time.monotonic() + timeout
        while True:
            path = await self.device_by_iface(iface)
            if path is not None:
                return path
            if time.monotonic() > deadline:
                raise NmCallFailed(f"find device {iface}", "UnknownDevice",
                                   f"NetworkManager did not see {iface} within {timeout:.0f} s")
            await asyncio.sleep(0.02)

    async def set_managed(self, device: str, managed: bool) -> None:
        """``Device.Managed``: false keeps NM's hands (and DHCP) off a runtime object."""
        await self.set(device, names.IFACE_DEVICE, "Managed", Variant("b", managed))

    async def ip_config(self, path: str, family: int = 4) -> IpConfig:
        """Addresses, gateway and DNS of an IP4Config/IP6Config object ("/" = none)."""
        if path == names.NO_OBJECT:
            return IpConfig([], "", [])
        interface = names.IFACE_IP4 if family == 4 else names.IFACE_IP6
        props = await self.get_all(path, interface)
        addresses = [f"{a['address']}/{a['prefix']}" for a in props.get("AddressData", [])]
        if family == 4:
            dns = [str(d["address"]) for d in props.get("NameserverData", [])]
        else:
            import ipaddress

            dns = [str(ipaddress.IPv6Address(bytes(d))) for d in props.get("Nameservers", [])]
        return IpConfig(addresses, str(props.get("Gateway", "")), dns)

    # --- profiles -----------------------------------------------------------------------

    async def connection_paths(self) -> list[str]:
        body = await self.call("list profiles", names.SETTINGS_PATH, names.IFACE_SETTINGS,
                               "ListConnections")
        return list(body[0])

    async def settings(self, path: str) -> dict[str, dict[str, Any]]:
        body = await self.call(f"read profile {path}", path, names.IFACE_CONNECTION,
                               "GetSettings")
        return dict(unwrap(body[0]))

    async def raw_settings(self, path: str) -> dict[str, dict[str, Variant]]:
        """The profile as NM sent it (Variants kept), to write back unchanged on rollback."""
        body = await self.call(f"read profile {path}", path, names.IFACE_CONNECTION,
                               "GetSettings")
        return dict(body[0])

    async def filename(self, path: str) -> str:
        return str(await self.get(path, names.IFACE_CONNECTION, "Filename"))

    async def add_connection(self, settings: Settings, *, to_disk: bool = True) -> str:
        """``AddConnection2``: the profile's path. Not activated (autoconnect is blocked)."""
        flags = (names.ADD_TO_DISK if to_disk else 0x2) | names.ADD_BLOCK_AUTOCONNECT
        conn = settings.get("connection", {})
        label = conn["id"].value if "id" in conn else "?"
        body = await self.call(f"add profile {label}", names.SETTINGS_PATH,
                               names.IFACE_SETTINGS, "AddConnection2", "a{sa{sv}}ua{sv}",
                               [settings, flags, {}])
        return str(body[0])

    async def update(self, path: str, settings: Settings) -> None:
        """``Update2`` to disk: the whole profile is replaced by ``settings``."""
        await self.call(f"update profile {path}", path, names.IFACE_CONNECTION, "Update2",
                        "a{sa{sv}}ua{sv}", [settings, names.UPDATE_TO_DISK, {}])

    async def delete(self, path: str) -> None:
        """Delete a profile (NM takes its software device down with it)."""
        await self.call(f"delete profile {path}", path, names.IFACE_CONNECTION, "Delete")

    # --- activation ---------------------------------------------------------------------

    async def activate(self, connection: str, device: str = names.NO_OBJECT) -> str:
        body = await self.call(f"activate {connection}", names.PATH, names.IFACE,
                               "ActivateConnection", "ooo",
                               [connection, device, names.NO_OBJECT])
        return str(body[0])

    async def wait_activated(self, active: str, what: str, timeout: float = 30.0,
                             ready: Callable[[], Awaitable[bool]] | None = None) -> None:
        """Wait until an active connection is activated; ``ActivationFailed`` otherwise.

        A bridge without ports stays "activating" for seconds after it is usable: like
        ``nmcli connection up`` ("master waiting for slaves"), a master that is layer-2 ready
        and has no ports yet counts as up, once ``ready()`` (if given) agrees, e.g. that
        its addresses are on the device.
        """
        deadline = time.monotonic() + timeout
        while True:
            try:
                props = await self.get_all(active, names.IFACE_ACTIVE)
            except NmCallFailed as exc:
                raise ActivationFailed(f"NetworkManager dropped {what} while activating it"
                                       f" ({exc.text})") from exc
            state, flags = int(props.get("State", 0)), int(props.get("StateFlags", 0))
            if state == names.ACTIVE_ACTIVATED:
                return
            if state >= names.ACTIVE_DEACTIVATING:
                raise ActivationFailed(f"NetworkManager could not activate {what}: it went"
                                       " down again (see `journalctl -u NetworkManager`)")
            waiting_for_ports = (
                flags & names.ACTIVATION_IS_MASTER and flags & names.ACTIVATION_LAYER2_READY
                and not flags & names.ACTIVATION_MASTER_HAS_SLAVES)
            if waiting_for_ports and (ready is None or await ready()):
                return
            if time.monotonic() > deadline:
                raise ActivationFailed(f"NetworkManager did not finish activating {what}"
                                       f" within {timeout:.0f} s")
            await asyncio.sleep(0.02)

    async def reapply(self, device: str) -> None:
        """Apply the device's (updated) profile without taking the device down."""
        await self.call(f"re-apply the profile of {device}", device, names.IFACE_DEVICE,
                        "Reapply", "a{sa{sv}}tu", [{}, 0, 0])

    async def active_connections(self) -> list[str]:
        return list(await self.get(names.PATH, names.IFACE, "ActiveConnections"))

    # --- checkpoints --------------------------------------------------------------------

    async def checkpoint_create(self, devices: Sequence[str], rollback_timeout: int,
                                flags: int = 0) -> str:
        """A snapshot of ``devices`` NM restores by itself after ``rollback_timeout`` s."""
        body = await self.call("create a checkpoint", names.PATH, names.IFACE,
                               "CheckpointCreate", "aouu",
                               [list(devices), rollback_timeout, flags])
        return str(body[0])

    async def checkpoint_rollback(self, checkpoint: str) -> dict[str, int]:
        """Restore the snapshot now; per device path, 0 when it was restored."""
        body = await self.call("roll back to the checkpoint", names.PATH, names.IFACE,
                               "CheckpointRollback", "o", [checkpoint])
        return dict(body[0])

    async def checkpoint_destroy(self, checkpoint: str) -> None:
        """Keep the changes: forget the snapshot (and its rollback timer)."""
        await self.call("destroy the checkpoint", names.PATH, names.IFACE,
                        "CheckpointDestroy", "o", [checkpoint])

    async def checkpoint_adjust(self, checkpoint: str, add_timeout: int) -> None:
        """Move the automatic rollback to ``add_timeout`` s from now."""
        await self.call("extend the checkpoint", names.PATH, names.IFACE,
                        "CheckpointAdjustRollbackTimeout", "ou", [checkpoint, add_timeout])

    async def checkpoints(self) -> list[str]:
        return list(await self.get(names.PATH, names.IFACE, "Checkpoints"))
