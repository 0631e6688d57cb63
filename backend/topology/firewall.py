"""Forwarding, NAT and firewall rules in the file format: what a design says about packets.

Docker's bridge works because the host forwards and masquerades the containers' subnet out of
its uplink and publishes ports with DNAT; OpenStack puts one Linux bridge per VM so that its
security groups can filter on the bridge port. This module is the contract for both: a
``forwarding`` setting the design owns (host and namespace, IPv4 and IPv6), ``nat`` entries
(masquerade, SNAT, publish), ``firewall`` chains per namespace or host (input, forward,
output) and ``port-firewall`` on a bridge port (the bridge family: ``to-port`` is what leaves
the bridge towards the port's device, ``from-port`` what enters from it, ``anti-spoofing`` the
port's own MAC and IPs). Pure data: the engine turns it into one nftables table per topology
and family, the explainer walks packets through it.

Example::

    host:
      forwarding: {ipv4: true}
      nat:
        - {masquerade: {from: 172.17.0.0/16, out: wlp2s0}}
        - {publish: {proto: tcp, port: 8080, in: wlp2s0, to: 172.17.0.2, to-port: 80}}
    namespaces:
      vm:
        firewall:
          input: {policy: drop, stateful: true, rules: [{action: accept, proto: tcp, dport: 22}]}
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
)
from pydantic_core import PydanticCustomError

from netwright.backend.clipped import clipped
from netwright.backend.topology.fields import InterfaceName, IpAddress, MacAddress

_PORT_RANGE = re.compile(r"([0-9]{1,5})-([0-9]{1,5})")
PORT_PROTOCOLS = ("tcp", "udp")
CONNTRACK_STATES = ("new", "established", "related", "invalid")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


def check_prefix(value: str) -> str:
    """An address (``10.0.0.11``, meaning /32 or /128) or a network (``10.0.0.0/24``)."""
    if not isinstance(value, str):
        raise PydanticCustomError("invalid-address", "a prefix must be text such as 10.0.0.0/24")
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise PydanticCustomError(
            "invalid-address",
            "'{value}' is not an address or a network with its prefix length and no host bits"
            " set (e.g. 10.0.0.0/24 or 10.0.0.11)",
            {"value": clipped(value)},
        ) from None
    return str(network)


def check_port(value: int | str) -> int | str:
    """A port (``22``) or an inclusive range (``"1000-2000"``)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise PydanticCustomError("invalid-port", "a port is a number from 1 to 65535")
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, int):
        if not 1 <= value <= 65535:
            raise PydanticCustomError("invalid-port", "port {value} is outside 1–65535",
                                      {"value": value})
        return value
    match = _PORT_RANGE.fullmatch(value) if isinstance(value, str) else None
    if match is None or not 1 <= int(match[1]) <= int(match[2]) <= 65535:
        raise PydanticCustomError(
            "invalid-port",
            "'{value}' is not a port or a range of ports (e.g. 22 or 1000-2000, low first)",
            {"value": str(value)[:40]},
        )
    return value


Prefix = Annotated[str, AfterValidator(check_prefix)]
Port = Annotated[int | str, BeforeValidator(check_port)]


def port_range(port: int | str) -> tuple[int, int]:
    """``22`` → (22, 22); ``"1000-2000"`` → (1000, 2000)."""
    if isinstance(port, int):
        return port, port
    low, _, high = port.partition("-")
    return int(low), int(high)


class Rule(_Strict):
    """One rule: every field given must match; the first matching rule decides."""

    action: Literal["accept", "drop", "reject"]
    proto: Literal["tcp", "udp", "icmp", "icmpv6"] | None = None
    dport: Port | None = None
    sport: Port | None = None
    from_: Prefix | None = Field(default=None, alias="from", description="Source prefix.")
    to: Prefix | None = Field(default=None, description="Destination prefix.")
    in_: InterfaceName | None = Field(default=None, alias="in", description="Incoming interface.")
    out: InterfaceName | None = Field(default=None, description="Outgoing interface.")
    state: list[Literal["new", "established", "related", "invalid"]] | None = Field(
        default=None, min_length=1, max_length=4, description="Connection tracking states.")
    comment: str | None = Field(default=None, max_length=128)


class Chain(_Strict):
    """A base chain: ``stateful`` accepts replies (established, related) before the rules."""

    policy: Literal["accept", "drop"] = "accept"
    stateful: bool = False
    rules: list[Rule] = Field(default_factory=list, max_length=1024)


class Firewall(_Strict):
    """The filter hooks of one network namespace (the host's, or one the design creates)."""

    input: Chain | None = None
    forward: Chain | None = None
    output: Chain | None = None


class AntiSpoofing(_Strict):
    """Frames from the port must carry this MAC and (for IPv4/IPv6 and ARP) these addresses."""

    mac: MacAddress | None = None
    ips: list[IpAddress] = Field(default_factory=list, max_length=64)


class PortFirewall(_Strict):
    """Rules on a bridge port (nftables' bridge family), as OpenStack security groups use."""

    to_port: Chain | None = Field(default=None, alias="to-port",
                                  description="Frames leaving the bridge towards this port.")
    from_port: Chain | None = Field(default=None, alias="from-port",
                                    description="Frames entering the bridge from this port.")
    anti_spoofing: AntiSpoofing | None = Field(default=None, alias="anti-spoofing")


class Forwarding(_Strict):
    """Packet forwarding the design owns; absent (None) means left as it is."""

    ipv4: bool | None = None
    ipv6: bool | None = None


class MasqueradeSpec(_Strict):
    from_: Prefix = Field(alias="from", description="The source prefix to masquerade.")
    out: InterfaceName = Field(description="The interface the packets leave through.")


class SnatSpec(_Strict):
    from_: Prefix = Field(alias="from", description="The source prefix to translate.")
    out: InterfaceName = Field(description="The interface the packets leave through.")
    to: IpAddress = Field(description="The source address packets get.")


class PublishSpec(_Strict):
    """Port publishing (DNAT): ``in``/``address`` and ``port`` → ``to``:``to-port``."""

    proto: Literal["tcp", "udp"] = "tcp"
    port: Annotated[int, Field(ge=1, le=65535, description="The port to publish.")]
    in_: InterfaceName | None = Field(default=None, alias="in",
                                      description="Only packets arriving on this interface.")
    address: IpAddress | None = Field(default=None, description="Only packets to this address.")
    to: IpAddress = Field(description="The namespace address that receives the connection.")
    to_port: Annotated[int, Field(ge=1, le=65535)] | None = Field(default=None, alias="to-port")


class Masquerade(_Strict):
    masquerade: MasqueradeSpec


class Snat(_Strict):
    snat: SnatSpec


class Publish(_Strict):
    publish: PublishSpec


NAT_KINDS: dict[str, type[BaseModel]] = {
    "masquerade": MasqueradeSpec, "snat": SnatSpec, "publish": PublishSpec}
NAT_TAGS = {"Masquerade", "Snat", "Publish"}  # how pydantic's errors name the union's members


def _nat_tag(value: Any) -> str | None:
    """The member a NAT entry is, by the one key it has: so an incomplete ``masquerade`` is
    reported as that (what it lacks), not as three members that each failed."""
    if isinstance(value, dict):
        kind = next((key for key in value if key in NAT_KINDS), None)
        return kind.capitalize() if isinstance(kind, str) else None
    return type(value).__name__ if isinstance(value, BaseModel) else None


NatEntry = Annotated[
    Annotated[Masquerade, Tag("Masquerade")] | Annotated[Snat, Tag("Snat")]
    | Annotated[Publish, Tag("Publish")],
    Discriminator(_nat_tag, custom_error_type="nat-kind",
                  custom_error_message="a nat entry is one of: masquerade, snat or publish"),
]


def nat_field_purpose(kind: str, key: str) -> str | None:
    """What ``key`` of a ``kind`` NAT entry is for, in the file's words (its description)."""
    spec = NAT_KINDS.get(kind)
    if spec is None:
        return None
    field = next((f for name, f in spec.model_fields.items() if (f.alias or name) == key), None)
    return field.description if field is not None else None


def nat_kind(entry: NatEntry) -> str:
    """``masquerade``, ``snat`` or ``publish``."""
    return next(iter(type(entry).model_fields))
