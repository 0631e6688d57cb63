"""Read links back from the kernel with pyroute2, as plain facts the kernel tier asserts on.

pyroute2 0.9.7 knows only ``IFLA_IPVLAN_MODE`` for ipvlan: it silently drops
``IFLA_IPVLAN_FLAGS`` when encoding and shows it as ``UNKNOWN`` when decoding, so neither the
flag a test sets nor the one the kernel reports would be seen. ``ipvlan_flags_known`` completes
pyroute2's attribute table (the kernel's ``include/uapi/linux/if_link.h`` order: UNSPEC, MODE,
FLAGS) for the duration of a ``with`` block only: the table is process-wide, and the product's
own code (the engine) must be tested against pyroute2 as it ships.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pyroute2.netlink.rtnl.ifinfmsg.plugins.ipvlan import ipvlan as IpvlanNla  # noqa: N812

IPVLAN_MODES = {"l2": 0, "l3": 1, "l3s": 2}
IPVLAN_FLAGS = {"bridge": 0, "private": 1, "vepa": 2}
MACVLAN_MODES = {"private": 1, "vepa": 2, "bridge": 4, "passthru": 8, "source": 16}
VLAN_PROTOCOLS = {"802.1Q": 0x8100, "802.1ad": 0x88A8}
IPVLAN_NLA_MAP = (
    ("IFLA_IPVLAN_UNSPEC", "none"),
    ("IFLA_IPVLAN_MODE", "uint16"),
    ("IFLA_IPVLAN_FLAGS", "uint16"),
)


@contextlib.contextmanager
def ipvlan_flags_known() -> Iterator[None]:
    """Within the block, pyroute2 encodes and decodes IFLA_IPVLAN_FLAGS; then as it was."""
    shipped = IpvlanNla.nla_map
    IpvlanNla.nla_map = IPVLAN_NLA_MAP
    IpvlanNla().compile_nla_table()  # rebuilds the class-wide lookup tables
    try:
        yield
    finally:
        IpvlanNla.nla_map = shipped
        IpvlanNla().compile_nla_table()


def _by_value(table: dict[str, int], value: int | str | None) -> str | None:
    if value is None or isinstance(value, str):  # pyroute2 names some values itself
        return value
    return next((name for name, number in table.items() if number == value), f"unknown({value})")


@dataclass(frozen=True)
class LinkFacts:
    """What the kernel says about one link (None where the kind has no such property)."""

    name: str
    index: int
    kind: str | None
    parent_index: int | None  # IFLA_LINK: the parent's index (in the parent's namespace)
    parent_netnsid: int | None  # set when the parent lives in another namespace
    ipvlan_mode: str | None = None
    ipvlan_flag: str | None = None
    macvlan_mode: str | None = None
    vlan_id: int | None = None
    vlan_protocol: str | None = None
    up: bool = False
    addresses: tuple[str, ...] = ()


def link_facts(ipr: Any, name: str) -> LinkFacts:
    """The facts of link ``name`` as the kernel reports them through ``ipr`` (IPRoute/NetNS)."""
    with ipvlan_flags_known():
        msg = ipr.get_links(ifname=name)[0]
    data = msg.get_nested("IFLA_LINKINFO", "IFLA_INFO_DATA")
    get = data.get_attr if data is not None else (lambda _name: None)
    protocol = get("IFLA_VLAN_PROTOCOL")
    addresses = tuple(
        f"{a.get_attr('IFA_ADDRESS')}/{a['prefixlen']}"
        for a in ipr.get_addr(index=msg["index"])
        if a["family"] == 2  # AF_INET: the tier's topologies are IPv4
    )
    return LinkFacts(
        name=name,
        index=msg["index"],
        kind=msg.get_nested("IFLA_LINKINFO", "IFLA_INFO_KIND"),
        parent_index=msg.get_attr("IFLA_LINK"),
        parent_netnsid=msg.get_attr("IFLA_LINK_NETNSID"),
        ipvlan_mode=_by_value(IPVLAN_MODES, get("IFLA_IPVLAN_MODE")),
        ipvlan_flag=_by_value(IPVLAN_FLAGS, get("IFLA_IPVLAN_FLAGS")),
        macvlan_mode=_by_value(MACVLAN_MODES, get("IFLA_MACVLAN_MODE")),
        vlan_id=get("IFLA_VLAN_ID"),
        vlan_protocol=_by_value(VLAN_PROTOCOLS, protocol),
        up=bool(msg["flags"] & 1),  # IFF_UP
        addresses=addresses,
    )


def link_names(ipr: Any) -> set[str]:
    """Every link name in the namespace ``ipr`` talks to."""
    return {msg.get_attr("IFLA_IFNAME") for msg in ipr.get_links()}
