"""Keep NetworkManager's hands off the runtime objects Netwright creates on the host.

NetworkManager notices every new link in its namespace and, left alone, may take a veth or
bridge over ("connected (externally)") or start DHCP on it. Setting ``Device.Managed`` to
false right after creation tells it to ignore the device; the flag is runtime-only and
disappears with the device, so destroy leaves NM's state as it was.

Example::

    nm = await open_networkmanager()        # None when NM is not running
    if nm is not None:
        await unmanage(nm, ["v-host", "br-lab"])
"""

from __future__ import annotations

from collections.abc import Iterable

from netwright.backend.nm.client import NmClient
from netwright.backend.nm.errors import NmError, NmUnavailable


async def open_networkmanager(address: str | None = None) -> NmClient | None:
    """A client for the NetworkManager on the system bus, or None when there is none."""
    try:
        client = await NmClient.connect(address)
    except NmUnavailable:
        return None
    try:
        if await client.running():
            return client
    except NmError:
        pass
    client.close()
    return None


async def unmanage(nm: NmClient, ifnames: Iterable[str], timeout: float = 5.0) -> list[str]:
    """Mark each host-level link Netwright created as unmanaged in NetworkManager; the
    names NM was managing until now (it may have flushed their addresses meanwhile)."""
    released = []
    for ifname in ifnames:
        device = await nm.wait_device(ifname, timeout)
        info = await nm.device(device)
        if info.managed:
            await nm.set_managed(device, False)
            released.append(ifname)
    return released
