"""The host's NICs as the backend's Inspect reports them, read into plain typed data.

Inspect (``BackendClient.inspect()``) answers with JSON (see ``backend/nm/hostfacts.py``):
each NIC's addresses, gateways, DNS, whether it is Wi-Fi and whether NetworkManager manages
it. The designer keeps one ``HostFacts`` per window, to list the NICs a design can build on,
to show a NIC's facts in the inspector, and to pre-fill a sub-interface from its parent
(``prefill``). Parsing is tolerant: a missing or odd field gives an empty value, never an
exception, since a newer backend may send more and an older one less.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class HostNic:
    """One NIC of the host. ``managed`` is None when NetworkManager was not asked."""

    name: str
    kind: str = ""
    mac: str = ""
    up: bool = True
    owner: str = ""  # whose alias it carries (``topology:key``); "" for the host's own NICs
    addresses: tuple[str, ...] = ()
    gateways: tuple[str, ...] = ()
    dns: tuple[str, ...] = ()
    wifi: bool = False
    managed: bool | None = None
    hints: tuple[str, ...] = ()

    def ipv4_interface(self) -> ipaddress.IPv4Interface | None:
        """The NIC's first IPv4 address with its prefix (the seed's 192.168.31.240/24)."""
        for text in self.addresses:
            try:
                address = ipaddress.ip_interface(text)
            except ValueError:
                continue
            if isinstance(address, ipaddress.IPv4Interface):
                return address
        return None

    def gateway_in(self, network: ipaddress.IPv4Network | None) -> str:
        """The gateway that is on-link in ``network`` ("" if none is).

        Inspect's ``gateway`` is simply the first one, which under NetworkManager can be an
        IPv6 router (fe80::1): useless as the next hop of an IPv4 default route.
        """
        if network is None:
            return ""
        for text in self.gateways:
            try:
                if ipaddress.ip_address(text) in network:
                    return text
            except ValueError:
                continue
        return ""

    def design_addresses(self) -> list[str]:
        """The addresses worth writing into ``host.nics`` (link-local ones are per link)."""
        kept = []
        for text in self.addresses:
            try:
                if not ipaddress.ip_interface(text).ip.is_link_local:
                    kept.append(text)
            except ValueError:
                continue
        return kept

    def summary(self) -> str:
        """One line for lists and tooltips: addresses, gateway, Wi-Fi, NetworkManager."""
        parts = [", ".join(self.design_addresses()) or "no address"]
        gateway = self.gateway_in(_network(self.ipv4_interface())) or next(iter(self.gateways),
                                                                         "")
        if gateway:
            parts.append(f"gateway {gateway}")
        parts.extend(self.notes())
        return "; ".join(parts)

    def notes(self) -> list[str]:
        """Wi-Fi, who manages it, down: what decides how the NIC can be used as a parent."""
        notes = ["Wi-Fi"] if self.wifi else []
        if self.managed is True:
            notes.append("managed by NetworkManager")
        elif self.managed is False:
            notes.append("not managed by NetworkManager")
        if not self.up:
            notes.append("down")
        return notes


@dataclass(frozen=True)
class HostFacts:
    """Every NIC Inspect reported, and where the facts came from."""

    source: str = ""  # "networkmanager" or "netlink"
    mode: str = ""  # "system" or "lab"
    networkmanager: str | None = None  # NetworkManager's version when it was asked
    dns: tuple[str, ...] = ()
    nics: dict[str, HostNic] = field(default_factory=dict)
    deployments: tuple[str, ...] = ()  # the topologies deployed by this backend
    kinds: dict[str, bool] = field(default_factory=dict)  # link kind → the kernel has it
    # "netem", "tbf", "bridge-conntrack", "bridge-reject" → the kernel has it
    features: dict[str, bool] = field(default_factory=dict)

    def lacks(self, kind: str) -> bool:
        """The backend's kernel cannot create ``kind`` (False when it did not say)."""
        return self.kinds.get(kind) is False

    def lacks_feature(self, feature: str) -> bool:
        """The backend's kernel lacks ``feature`` (False when it did not say)."""
        return self.features.get(feature) is False

    def owned_by_deployment(self, nic: HostNic) -> str:
        """The deployed topology that created ``nic`` ("" if none did).

        A lab's emulated uplinks carry the alias of the lab's own infrastructure, which is
        not a deployment: to the designer they are the host's NICs, as on a real machine.
        """
        topology = nic.owner.split(":", 1)[0]
        return topology if topology and topology in self.deployments else ""

    def nic(self, name: object) -> HostNic | None:
        return self.nics.get(name) if isinstance(name, str) else None

    def usable_nics(self) -> list[HostNic]:
        """The host's own NICs: those a deployed topology created are not parents to offer."""
        return [nic for nic in self.nics.values() if not self.owned_by_deployment(nic)]

    def where(self) -> str:
        """Where the facts came from, in the words of a dock title."""
        place = "lab host" if self.mode == "lab" else "this host"
        if self.source == "networkmanager":
            version = f" {self.networkmanager}" if self.networkmanager else ""
            return f"{place}, from NetworkManager{version}"
        return f"{place}, from the kernel" if self.source else place


def parse_facts(data: Any) -> HostFacts:
    """Inspect's JSON (already decoded) as ``HostFacts``; unknown shapes give no NICs."""
    if not isinstance(data, dict):
        return HostFacts()
    nics: dict[str, HostNic] = {}
    for entry in data.get("nics") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        nic = HostNic(
            name=entry["name"], kind=str(entry.get("kind") or ""),
            mac=str(entry.get("mac") or ""), up=bool(entry.get("up", True)),
            owner=str(entry.get("owner") or ""), addresses=_strings(entry.get("addresses")),
            gateways=_strings(entry.get("gateways")) or _strings([entry.get("gateway")]),
            dns=_strings(entry.get("dns")), wifi=bool(entry.get("wifi")),
            managed=entry.get("managed") if isinstance(entry.get("managed"), bool) else None,
            hints=_strings(entry.get("hints")),
        )
        nics[nic.name] = nic
    version = data.get("networkmanager")
    return HostFacts(source=str(data.get("source") or ""), mode=str(data.get("mode") or ""),
                     networkmanager=str(version) if version else None,
                     dns=_strings(data.get("dns")), nics=nics,
                     deployments=_strings(data.get("deployments")),
                     kinds=_kinds(data.get("kinds")), features=_kinds(data.get("features")))


def _kinds(value: Any) -> dict[str, bool]:
    """Inspect's ``kinds`` ({"ipvlan": false, …}) or ``features`` ({"netem": false, …});
    anything else says nothing."""
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, bool)}


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(str(v) for v in value if isinstance(v, str) and v)


def _network(address: ipaddress.IPv4Interface | None) -> ipaddress.IPv4Network | None:
    return address.network if address is not None else None
