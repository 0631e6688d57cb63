"""Reverse-path filtering: does a place accept an IPv4 packet from ``source`` on the device it
arrived by?

The kernel checks every packet it receives (for itself or to forward) against
``rp_filter``, taking the maximum of ``net.ipv4.conf.all.rp_filter`` and the receiving
device's own value: 0 accepts everything; 1 (strict) drops a packet unless the route back to
its source leaves by the device it came in on; 2 (loose) drops it only when no route at all
leads back. Replies that come back over another interface than the request left by — an
asymmetric path — are what strict filtering silently eats. The values come from the design's
namespace sysctls (and, for the host, from the kernel when a check reads it). IPv6 has no
rp_filter. Pure.
"""

from __future__ import annotations

from netwright.backend.checks.network import IpAddr, Network, Place, place_label
from netwright.backend.checks.routing import Routing
from netwright.backend.topology.fields import interface_sysctl_key

MODES = {1: "strict", 2: "loose"}
Step = tuple[Place, str, str, str | None]


class ReversePath:
    """rp_filter decisions for one topology; ``host`` holds the host's values by device name
    (``all`` included), as read from a kernel."""

    def __init__(self, net: Network, routing: Routing, host: dict[str, int] | None = None
                 ) -> None:
        self.net = net
        self.routing = routing
        self.values: dict[Place, dict[str, int]] = {None: dict(host or {})}
        for ns, namespace in net.topology.namespaces.items():
            found = {}
            for key, value in namespace.sysctls.items():
                parts = key.split(".")
                if len(parts) == 5 and parts[:3] == ["net", "ipv4", "conf"] \
                        and parts[4] == "rp_filter" and str(value).strip().isdigit():
                    found[parts[3].replace("/", ".")] = int(str(value).strip())  # eth0/100
            if found:
                self.values[ns] = found
        self.active = any(v for values in self.values.values() for v in values.values())
        self._seen: dict[tuple[Place, str, IpAddr], tuple[str, str] | None] = {}

    def mode(self, place: Place, name: str) -> tuple[int, int, int]:
        """(the mode the kernel uses, ``all``, the device's own value)."""
        values = self.values.get(place, {})
        every, own = values.get("all", 0), values.get(name, 0)
        return max(every, own), every, own

    def dropped(self, steps: tuple[Step, ...], source: IpAddr) -> tuple[str, str] | None:
        """The first hop of ``steps`` whose receiver drops a packet from ``source``, as
        (reason, fix); None when every receiver accepts it."""
        if not self.active or source.version != 4:
            return None
        for _place, _out, _hop, answering in steps:
            device = self.net.devices.get(answering or "")
            if device is None or device.kind == "lan":
                continue
            key = (device.place, device.key, source)
            if key not in self._seen:
                self._seen[key] = self._judge(device.place, device.key, source)
            if self._seen[key] is not None:
                return self._seen[key]
        return None

    def _judge(self, place: Place, key: str, source: IpAddr) -> tuple[str, str] | None:
        name = self.net.devices[key].name
        mode, every, own = self.mode(place, name)
        if mode not in MODES:
            return None
        where = place_label(place)
        setting = (f"rp_filter is {MODES[mode]} ({mode}) on {where}'s {name}: the maximum of"
                   f" conf.all ({every}) and conf.{name.replace('.', '/')} ({own})")
        route = self.routing.table(place, 4).lookup(source)
        if route is None:
            # loose filtering drops a packet with no route back too: only 0 lets it in
            return (f"{where} drops packets from {source} arriving on {name}: {setting}, and"
                    f" {where} has no route back to {source}",
                    f"add a route to {source} in {where}, or"
                    f" {_lower(where, name, every, own, 'to 0')}")
        if mode == 1 and route.dev != key:
            back = self.net.devices[route.dev].name
            return (f"{where} drops packets from {source} arriving on {name}: {setting}, and"
                    f" its route back to {source} ('{route.text}') leaves by {back}, not {name}",
                    f"route {source} back through {name} in {where} (make the path symmetric),"
                    f" or {_lower(where, name, every, own, 'to 2 (loose) or 0')}")
        return None


def _lower(where: str, name: str, every: int, own: int, to: str) -> str:
    """The sysctls to set ``to`` a value that lets the packet in: those that filter (a 0
    already lets everything in and is not named)."""
    keys = [interface_sysctl_key("net.ipv4.conf", key, "rp_filter")
            for key, value in (("all", every), (name, own)) if value]
    return f"set {' and '.join(keys)} {to} in {where}"
