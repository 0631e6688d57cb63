"""What Inspect reports about the host a backend manages: NICs, addresses, gateways.

Read-only netlink dumps in the target's host namespace (the real root namespace, or the lab's
emulated host). NICs are reported with the marker of the topology that owns them, so the GUI
can tell the host's own NICs (parents to build on) from what Netwright created.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from pyroute2 import IPRoute

OWNER_PREFIX = "netwright:"


def host_facts(netns: str | None) -> dict[str, Any]:
    """NICs (name, kind, MAC, state, MTU, addresses, owner) and default gateways."""
    with IPRoute(netns=netns) if netns else IPRoute() as ipr:
        links = list(ipr.get_links())
        addresses = list(ipr.get_addr())
        routes = [*ipr.get_routes(family=2), *ipr.get_routes(family=10)]
    by_index: dict[int, dict[str, Any]] = {}
    for link in links:
        name = link.get("IFLA_IFNAME") or link.get("ifname")
        info = link.get("IFLA_LINKINFO")
        kind = info.get_attr("IFLA_INFO_KIND") if info is not None else None
        alias = link.get("IFLA_IFALIAS") or ""
        by_index[link["index"]] = {
            "name": name,
            "kind": kind or ("loopback" if name == "lo" else "ether"),
            "mac": link.get("IFLA_ADDRESS") or "",
            "mtu": link.get("IFLA_MTU") or 0,
            "up": bool(link["flags"] & 1),
            "owner": alias.removeprefix(OWNER_PREFIX) if alias.startswith(OWNER_PREFIX) else "",
            "addresses": [],
            "gateways": [],
        }
    for addr in addresses:
        nic = by_index.get(addr["index"])
        local = addr.get("IFA_LOCAL") or addr.get("IFA_ADDRESS")
        if nic is not None and local:
            nic["addresses"].append(f"{local}/{addr['prefixlen']}")
    for route in routes:
        if route["dst_len"] != 0 or route.get("table", 254) not in (254, None):
            continue
        gateway = route.get("RTA_GATEWAY")
        nic = by_index.get(route.get("RTA_OIF") or -1)
        if gateway and nic is not None:
            nic["gateways"].append(str(ipaddress.ip_address(gateway)))
    nics = [n for n in by_index.values() if n["kind"] != "loopback"]
    return {"nics": sorted(nics, key=lambda n: n["name"])}
