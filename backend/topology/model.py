"""The topology model: what a Netwright file means, shared by GUI, CLI and daemon.

A topology names the host NICs it builds on (referenced, never owned), the network namespaces
it creates, and the interfaces it creates, keyed by an id that is also the kernel name unless
``name`` says otherwise (two containers may both want an ``eth0``). Interfaces point at each
other by key: ``parent`` (ipvlan/macvlan/vlan), ``master`` (bridge membership), ``peer``
(veth), ``dev`` (vxlan underlay). Canvas positions live apart, under ``layout``.

Example (the seed, abridged)::

    netwright: 1
    name: seed
    host: {nics: {wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}}}
    namespaces: {net1: {}, net2: {}}
    interfaces:
      ipvlan1: {kind: ipvlan, parent: wlp2s0, mode: l2, namespace: net1,
                addresses: [192.168.31.5/24]}
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from netwright.backend.topology.fields import (
    Cidr,
    Coordinate,
    Destination,
    Identifier,
    InterfaceName,
    IpAddress,
    LinkCidr,
    MacAddress,
    Mtu,
    NodeName,
    NullIsEmpty,
    SysctlKey,
    SysctlValue,
)
from netwright.backend.topology.firewall import Firewall, Forwarding, NatEntry, PortFirewall
from netwright.backend.topology.impairment import Impairment

FORMAT_VERSION = 1
LINK_KINDS = ("bridge", "veth", "ipvlan", "macvlan", "vlan", "vxlan", "dummy")
SUB_INTERFACE_KINDS = ("ipvlan", "macvlan", "vlan")
IPVLAN_DEFAULT_MODE: Final = "l3"  # what the kernel (and `ip link add … type ipvlan`) picks
MACVLAN_DEFAULT_MODE: Final = "vepa"  # likewise for macvlan


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class Dhcp(_Strict):
    """Ask a DHCP server for the address; ``client-id`` is DHCP option 61."""

    client_id: str | None = Field(default=None, alias="client-id", min_length=1, max_length=255)


class DhcpEntry(_Strict):
    dhcp: Dhcp = Field(default_factory=Dhcp)


def _normalise_address(value: object) -> object:
    """``dhcp`` and ``{dhcp: {client-id: X}}`` both mean DHCP; anything else is a CIDR."""
    if value == "dhcp":
        return DhcpEntry()
    if isinstance(value, dict) and set(value) == {"dhcp"} and value["dhcp"] in (None, True):
        return DhcpEntry()
    return value


AddressEntry = Annotated[LinkCidr | DhcpEntry, BeforeValidator(_normalise_address)]


class _Link(_Strict):
    """What every interface Netwright creates has in common."""

    name: InterfaceName | None = Field(
        default=None, description="Kernel name; defaults to the key under interfaces."
    )
    namespace: Identifier | None = Field(
        default=None, description="Namespace key; absent means the host's own namespace."
    )
    addresses: list[AddressEntry] = Field(default_factory=list, max_length=256)
    mtu: Mtu | None = None
    mac: MacAddress | None = None
    state: Literal["up", "down"] = "up"
    master: str | None = Field(default=None, description="Key of the bridge this is a port of.")
    persist: bool = Field(
        default=False,
        description="Keep across reboots as a NetworkManager profile (host-level objects only).",
    )
    impairment: Impairment | None = Field(
        default=None,
        description="What this interface does to the packets it sends: delay, jitter, loss,"
        " duplicate, reorder, corrupt, rate.",
    )
    port_firewall: PortFirewall | None = Field(
        default=None, alias="port-firewall",
        description="Rules on this bridge port (bridge family): to-port, from-port,"
        " anti-spoofing.",
    )
    existing: bool = Field(
        default=False,
        description="Made by someone else (as `netwright import` writes it): referenced,"
        " never created, changed or deleted; the other fields say what was observed.",
    )


class Bridge(_Link):
    kind: Literal["bridge"]
    stp: bool = False
    vlan_filtering: bool = Field(default=False, alias="vlan-filtering")


class Veth(_Link):
    kind: Literal["veth"]
    peer: str | None = Field(default=None, description="Key of the other end of the pair.")


class Ipvlan(_Link):
    kind: Literal["ipvlan"]
    parent: str | None = None
    mode: Literal["l2", "l3", "l3s"] = IPVLAN_DEFAULT_MODE
    flag: Literal["bridge", "private", "vepa"] = "bridge"


class Macvlan(_Link):
    kind: Literal["macvlan"]
    parent: str | None = None
    mode: Literal["bridge", "vepa", "private", "passthru", "source"] = MACVLAN_DEFAULT_MODE


class Vlan(_Link):
    kind: Literal["vlan"]
    parent: str | None = None
    id: int = Field(ge=1, le=4094)
    protocol: Literal["802.1Q", "802.1ad"] = "802.1Q"


class Vxlan(_Link):
    kind: Literal["vxlan"]
    vni: int = Field(ge=0, le=16777215)
    remote: IpAddress | None = None
    group: IpAddress | None = None
    local: IpAddress | None = None
    port: int = Field(default=4789, ge=1, le=65535)
    dev: str | None = Field(default=None, description="Underlay interface key or host NIC.")


class Dummy(_Link):
    kind: Literal["dummy"]


Interface = Annotated[
    Bridge | Veth | Ipvlan | Macvlan | Vlan | Vxlan | Dummy, Field(discriminator="kind")
]


class Route(_Strict):
    to: Destination = "default"
    via: IpAddress | None = None
    dev: InterfaceName | None = None
    metric: int | None = Field(default=None, ge=0, le=2**32 - 1)
    src: IpAddress | None = Field(
        default=None, description="Preferred source address of packets this route sends (an"
        " address of the namespace): replies and probes leave from it, so asymmetric paths"
        " can be designed.")


class _PacketPolicy(_Strict):
    """Forwarding, NAT and filter rules: the same for the host and for a namespace."""

    forwarding: Forwarding | None = Field(
        default=None, description="IPv4/IPv6 forwarding owned by the design.")
    nat: list[NatEntry] = Field(default_factory=list, max_length=1024)
    firewall: Firewall | None = None


class Namespace(_PacketPolicy):
    routes: list[Route] = Field(default_factory=list, max_length=1024)
    sysctls: dict[SysctlKey, SysctlValue] = Field(default_factory=dict, max_length=64)
    node: NodeName | None = Field(
        default=None,
        description="Kubernetes node this namespace's pod is placed on by `netwright export"
        " --format multus` (a node selector); it means nothing on a single host.",
    )
    existing: bool = Field(
        default=False,
        description="Made by someone else (`ip netns add`, a container): referenced, never"
        " created, changed or deleted; its routes and sysctls say what was observed.",
    )


class HostNic(_Strict):
    """A NIC the host already has. Netwright builds on it but never changes it."""

    addresses: list[Cidr] = Field(default_factory=list, max_length=256)
    gateway: IpAddress | None = None
    mac: MacAddress | None = None


class Host(_PacketPolicy):
    nics: dict[InterfaceName, Annotated[HostNic, NullIsEmpty]] = Field(default_factory=dict)


class Position(_Strict):
    x: Coordinate = 0.0
    y: Coordinate = 0.0


class Topology(_Strict):
    netwright: Literal[1] = Field(description="File format version.")
    name: Identifier = Field(description="Names the deployment; marks every object it owns.")
    description: str | None = Field(default=None, max_length=4096)
    host: Annotated[Host, NullIsEmpty] = Field(default_factory=Host)
    namespaces: Annotated[
        dict[Identifier, Annotated[Namespace, NullIsEmpty]], NullIsEmpty
    ] = Field(default_factory=dict, max_length=4096)
    interfaces: Annotated[dict[InterfaceName, Interface], NullIsEmpty] = Field(
        default_factory=dict, max_length=16384
    )
    layout: Annotated[dict[str, Position], NullIsEmpty] = Field(
        default_factory=dict, description="Canvas positions by key; no network meaning."
    )

    def kernel_name(self, key: str) -> str:
        """The name the kernel sees for interface ``key``."""
        link = self.interfaces[key]
        return link.name or key

    def namespace_of(self, key: str) -> str | None:
        """Namespace of an interface key or host NIC (None = the host)."""
        link = self.interfaces.get(key)
        return link.namespace if link is not None else None

    def children_of(self, parent: str) -> list[str]:
        return [
            key for key, link in self.interfaces.items() if getattr(link, "parent", None) == parent
        ]


IpInterface = ipaddress.IPv4Interface | ipaddress.IPv6Interface


@dataclass(frozen=True)
class StaticAddress:
    """A static address as the kernel gets it: the address and whether duplicate address
    detection is skipped (``fd00::1/64 nodad`` in the file, IFA_F_NODAD in the kernel)."""

    interface: IpInterface
    nodad: bool = False

    def __str__(self) -> str:
        return f"{self.interface} nodad" if self.nodad else str(self.interface)


def parse_static(text: str) -> StaticAddress:
    """``fd00::1/64 nodad`` → StaticAddress(fd00::1/64, nodad=True); the text is a validated
    entry of ``addresses`` (an address, then flags)."""
    address, *flags = text.split()
    return StaticAddress(ipaddress.ip_interface(address), "nodad" in flags)


def static_entries(link: _Link | HostNic) -> list[StaticAddress]:
    """The static addresses of an interface or host NIC with their flags (DHCP skipped)."""
    return [parse_static(a) for a in link.addresses if isinstance(a, str)]


def static_addresses(link: _Link | HostNic) -> list[IpInterface]:
    """The parsed static addresses of an interface or host NIC (DHCP entries and address
    flags skipped)."""
    return [ipaddress.ip_interface(a.split()[0]) for a in link.addresses if isinstance(a, str)]


def dhcp_entries(link: _Link) -> list[Dhcp]:
    return [a.dhcp for a in link.addresses if isinstance(a, DhcpEntry)]


def dhcp_interfaces(topology: Topology) -> list[str]:
    """The keys of the interfaces that take an address from DHCP (unknown before the lease,
    so neither predicted nor probed until then)."""
    return [key for key, link in topology.interfaces.items()
            if any(isinstance(a, DhcpEntry) for a in link.addresses)]


def model_json_schema() -> dict[str, Any]:
    """The JSON Schema of the file format, for editors (yaml-language-server)."""
    schema = Topology.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Netwright topology"
    return schema
