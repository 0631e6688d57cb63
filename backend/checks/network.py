"""The topology seen as a network: places that route, devices that carry frames, addresses.

The explanation walks packets through this view. A *place* is where routing happens: a
namespace key, None for the host, ``@lan:<nic>`` for the LAN (and its router, the gateway)
behind a host NIC, or ``@outside`` for the address the user names beyond that router. A
*device* is an interface key, a host NIC name, or the LAN itself (``@lan:<nic>``, a device
and a place at once). Pure: built from the model alone.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from dataclasses import dataclass

from netwright.backend.checks.host_routes import HostRoutes
from netwright.backend.topology.model import Interface, Topology, static_addresses
from netwright.backend.topology.sentence_names import namespace_words

IpIf = ipaddress.IPv4Interface | ipaddress.IPv6Interface
IpAddr = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNet = ipaddress.IPv4Network | ipaddress.IPv6Network
Place = str | None
HostForwarding = bool | dict[int, bool]  # the host's forwarding, per IP version if a dict

OUTSIDE = "@outside"
FORWARDING_SYSCTLS = {
    4: ("net.ipv4.ip_forward", "net.ipv4.conf.all.forwarding"),
    6: ("net.ipv6.conf.all.forwarding",),
}


class _Kept:
    """An address whose hash and text are computed once: the standard IPv4Address formats
    itself in hex on every hash, and the explanation looks addresses up millions of times.
    Equal, and hashing equal, to the plain address of the same value."""

    __slots__ = ()
    _hash: int
    _text: str

    def __hash__(self) -> int:
        return self._hash

    def __str__(self) -> str:
        return self._text


class _FastIPv4(_Kept, ipaddress.IPv4Address):
    __slots__ = ("_hash", "_text")


class _FastIPv6(_Kept, ipaddress.IPv6Address):
    __slots__ = ("_hash", "_text")


def fast_ip(address: object) -> IpAddr:
    """``ipaddress.ip_address`` with its hash and text kept (see _Kept)."""
    plain = ipaddress.ip_address(address)  # type: ignore[arg-type]
    fast = _FastIPv4(int(plain)) if plain.version == 4 else _FastIPv6(int(plain))
    fast._hash, fast._text = hash(plain), str(plain)
    return fast


def lan_of(nic: str) -> str:
    """The pseudo device and place standing for the wire (and router) behind host NIC ``nic``."""
    return f"@lan:{nic}"


def place_name(place: Place) -> str:
    """A place as a row or target label names it: ``host``, ``outside`` or the namespace's
    key (a JSON pair's ``source``, which the designer matches against its namespaces)."""
    if place is None:
        return "host"
    if place.startswith("@lan:"):
        return f"the LAN of {place.removeprefix('@lan:')}"
    if place == OUTSIDE:
        return "outside"
    return place


def place_label(place: Place) -> str:
    """A place as a sentence names it: its name, or "namespace KEY" where the key is a word
    the sentences use otherwise (topology.sentence_names, which validation words by too)."""
    name = place_name(place)
    return name if place is None else namespace_words(name)


def place_owns(place: Place) -> str:
    """A place as the owner in a sentence: "the host's", "b's", "namespace gateway's"."""
    return "the host's" if place is None else f"{place_label(place)}'s"


def _truthy(value: object) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _on_link(gateway: IpAddr, addresses: tuple[IpIf, ...]) -> IpIf:
    """A NIC's gateway with the prefix of the NIC's address whose subnet holds it (a host
    route's, when none does)."""
    nets = [a.network for a in addresses if gateway in a.network]
    prefix = nets[0].prefixlen if nets else gateway.max_prefixlen
    return ipaddress.ip_interface(f"{gateway}/{prefix}")


@dataclass(frozen=True)
class Device:
    key: str
    place: Place
    kind: str  # a link kind, "nic" or "lan"
    name: str
    addresses: tuple[IpIf, ...]
    up: bool = True


class Network:
    """Indexes over a topology that the L2 and routing rules ask for again and again."""

    def __init__(
        self, topology: Topology, outside: str | None = None,
        host_forwarding: HostForwarding = False,
        unusable: frozenset[tuple[str, IpAddr]] = frozenset(),
        host_routes: HostRoutes | None = None,
    ) -> None:
        """``unusable``: (interface key, address) pairs the kernel does not use (IPv6
        addresses tentative or failed in duplicate address detection): they keep their
        subnet's route (measured) but neither answer nor are sent from. ``host_routes``: the
        host's routes read from its kernel (``host_routes.py``), used when the design names
        no host gateway."""
        self.topology = topology
        # where the host's forwarding comes from when the design does not own it: "kernel"
        # once a check has read it (run.py sets it), else the assumption that it is off
        self.host_forwarding_origin = "assumed"
        # the topology is the live host as a check observed it (check --host): its settings
        # are what the kernels showed, and there is no design to speak of
        self.observed = False
        self.forwarding_asked: set[tuple[Place, int]] = set()  # for the notes
        # per IP version; one bool means both
        self.host_forwarding = (host_forwarding if isinstance(host_forwarding, dict)
                                else {4: host_forwarding, 6: host_forwarding})
        self.outside = ipaddress.ip_address(outside) if outside else None
        self.devices: dict[str, Device] = {}
        self.gateways: dict[str, IpIf] = {}  # nic -> gateway address with the nic's prefix
        for nic, host_nic in topology.host.nics.items():
            addresses = tuple(static_addresses(host_nic))
            self.devices[nic] = Device(nic, None, "nic", nic, addresses)
            lan_addresses: tuple[IpIf, ...] = ()
            if host_nic.gateway:
                gw_if = _on_link(ipaddress.ip_address(host_nic.gateway), addresses)
                self.gateways[nic] = gw_if
                lan_addresses = (gw_if,)
            self.devices[lan_of(nic)] = Device(lan_of(nic), lan_of(nic), "lan", nic, lan_addresses)
        for key, link in topology.interfaces.items():
            self.devices[key] = Device(
                key, link.namespace, link.kind, link.name or key,
                tuple(static_addresses(link)), link.state == "up",
            )
        # the host's routes when the design gives none: (network, device key, gateway,
        # metric, text) each; ``host_routes_read`` whether a check read them from the kernel
        self.kernel_routes: list[tuple[IpNet, str, IpAddr, int, str]] = []
        self.host_routes_read = host_routes is not None and not self.gateways
        if self.host_routes_read and host_routes is not None:
            self._add_kernel_routes(host_routes)
        self.unusable = unusable
        self.by_place: dict[Place, list[Device]] = defaultdict(list)
        self.owners: dict[IpAddr, list[Device]] = defaultdict(list)
        for device in self.devices.values():
            self.by_place[device.place].append(device)
            for address in device.addresses:
                if (device.key, address.ip) not in unusable:
                    self.owners[address.ip].append(device)
        # (subnet, address) per device and IP version: IPv4Interface.ip builds a new object
        # on every access, and a big mesh asks millions of times
        self._ips: dict[tuple[str, int], tuple[tuple[IpNet, IpAddr], ...]] = {}
        self._local = {(d.place, a.ip) for d in self.devices.values() for a in d.addresses
                       if (d.key, a.ip) not in unusable}
        self.children: dict[str, list[str]] = defaultdict(list)
        self.ports: dict[str, list[str]] = defaultdict(list)
        for key, link in topology.interfaces.items():
            parent = getattr(link, "parent", None)
            if parent in self.devices:
                self.children[parent].append(key)
            if link.master in topology.interfaces:
                self.ports[link.master].append(key)

    def _add_kernel_routes(self, read: HostRoutes) -> None:
        """The host's routes from its kernel: a device the design does not know is modelled
        as a host NIC; behind each NIC, its LAN's router holds the gateways."""
        own = {d.name: d.key for d in self.devices.values() if d.place is None}
        made: dict[str, str] = {}  # device name -> key of the NIC standing for it
        behind: dict[str, list[IpIf]] = {}
        for route in read.routes:
            if route.via is None or route.dev is None:
                continue  # only routes through a gateway are the host's way out
            via = fast_ip(route.via)
            network = ipaddress.ip_network(
                ("0.0.0.0/0" if via.version == 4 else "::/0") if route.to == "default"
                else route.to, strict=False)
            key = own.get(route.dev) or made.get(route.dev)
            if key is None:
                key = made[route.dev] = (route.dev if route.dev not in self.devices
                                         else f"{route.dev}@host")
                self.devices[key] = Device(key, None, "nic", route.dev, tuple(
                    ipaddress.ip_interface(a) for a in read.addresses.get(route.dev, ())))
            if self.devices[key].kind == "nic":  # the design's own NIC too: it names no gateway
                gateways = behind.setdefault(key, [])
                if all(g.ip != via for g in gateways):
                    gateways.append(_on_link(via, self.devices[key].addresses))
            what = "default route" if route.to == "default" else f"route to {network}"
            self.kernel_routes.append((network, key, via, route.metric or 0,
                                       f"{what} via {via} on {route.dev}"))
        for key, gateways in behind.items():
            lan = self.devices.get(lan_of(key))
            self.devices[lan_of(key)] = Device(lan_of(key), lan_of(key), "lan", key, (
                *(lan.addresses if lan is not None else ()), *gateways))

    def ips(self, key: str, version: int) -> tuple[tuple[IpNet, IpAddr], ...]:
        """Device ``key``'s (subnet, address) pairs of one IP version, in the file's order."""
        found = self._ips.get((key, version))
        if found is None:
            found = self._ips[(key, version)] = tuple(
                (a.network, fast_ip(a.ip)) for a in self.devices[key].addresses
                if a.version == version and (key, a.ip) not in self.unusable)
        return found

    def link(self, key: str) -> Interface | None:
        """The model's interface for ``key`` (None for host NICs and LANs)."""
        return self.topology.interfaces.get(key)

    def local_addresses(self, place: Place, version: int) -> list[IpAddr]:
        """Addresses a place answers for: all its static addresses, up or down (IPv4 keeps the
        local route of a down interface; measured)."""
        return [
            a.ip for d in self.by_place.get(place, []) for a in d.addresses
            if a.version == version and (d.key, a.ip) not in self.unusable
        ]

    def is_local(self, place: Place, address: IpAddr) -> bool:
        if place == OUTSIDE:
            return address == self.outside
        return (place, address) in self._local

    def forwards(self, place: Place, version: int) -> bool:
        """Whether a place routes packets that are not for it."""
        if place is not None and place.startswith("@lan:"):
            return True  # the LAN's router is the gateway: forwarding is its job
        self.forwarding_asked.add((place, version))
        spec = self.topology.host if place is None else self.topology.namespaces.get(place)
        owned = getattr(spec, "forwarding", None)  # the design's own setting wins
        if owned is not None and getattr(owned, f"ipv{version}") is not None:
            return bool(getattr(owned, f"ipv{version}"))
        if place is None:
            return self.host_forwarding.get(version, False)
        namespace = self.topology.namespaces.get(place)
        if namespace is None:
            return False
        return any(
            _truthy(namespace.sysctls[key])
            for key in FORWARDING_SYSCTLS[version]
            if key in namespace.sysctls
        )

    def forwarding_origin(self, place: Place, version: int) -> str:
        """Where ``forwards(place, version)`` takes its answer from, in words."""
        spec = self.topology.host if place is None else self.topology.namespaces.get(place)
        owned = getattr(spec, "forwarding", None)
        where = "host" if place is None else f"namespaces.{place}"
        if owned is not None and getattr(owned, f"ipv{version}") is not None:
            said = f"the design's {where}.forwarding.ipv{version}"
            kernel = self.host_forwarding.get(version)
            if place is None and self.host_forwarding_origin == "kernel" \
                    and kernel != getattr(owned, f"ipv{version}"):
                said += (f", though the host's kernel has it {'on' if kernel else 'off'} (changed"
                         " since the apply? netwright status shows it drifted, and applying"
                         " the design again puts it back)")
            return said
        if self.observed:
            return self._observed_forwarding_origin(place, version)
        if place is None:
            if self.host_forwarding_origin == "kernel":
                return "the host's kernel, read for this prediction (the design does not set it)"
            return ("not in the design, so assumed off; a check of a deployment reads the"
                    " kernel's, or set host.forwarding")
        sysctls = getattr(spec, "sysctls", {})
        named = [key for key in FORWARDING_SYSCTLS[version] if key in sysctls]
        if named:
            return f"the design's sysctl {named[0]} in {where}"
        return "not in the design: off, as in every new namespace"

    def _observed_forwarding_origin(self, place: Place, version: int) -> str:
        """``forwarding_origin`` for the live host as observed, where no design sets anything:
        the import wrote down what each kernel had."""
        if place is None:
            return ("the host's kernel, read for this check" if self.host_forwarding_origin
                    == "kernel" else "assumed off (the host's kernel was not read)")
        return f"as observed in namespace {place}'s kernel"

    def device_by_name(self, place: Place, name: str) -> Device | None:
        for device in self.by_place.get(place, []):
            if device.name == name:
                return device
        return None
