"""Completions of pyroute2 0.9.7's attribute tables that the engine relies on.

pyroute2 knows only ``IFLA_IPVLAN_MODE`` for ipvlan: it silently drops ``IFLA_IPVLAN_FLAGS``
(bridge/private/vepa) when encoding and cannot decode it, so a topology's ipvlan flag would
be lost. ``teach_ipvlan_flags`` adds the attribute in the kernel's order
(``include/uapi/linux/if_link.h``: UNSPEC, MODE, FLAGS). Idempotent; applied on import.
"""

from __future__ import annotations

from pyroute2.netlink.rtnl.ifinfmsg.plugins.ipvlan import ipvlan as IpvlanNla  # noqa: N812

IPVLAN_NLA_MAP = (
    ("IFLA_IPVLAN_UNSPEC", "none"),
    ("IFLA_IPVLAN_MODE", "uint16"),
    ("IFLA_IPVLAN_FLAGS", "uint16"),
)


def teach_ipvlan_flags() -> None:
    if tuple(IpvlanNla.nla_map) != IPVLAN_NLA_MAP:
        IpvlanNla.nla_map = IPVLAN_NLA_MAP
        IpvlanNla().compile_nla_table()


teach_ipvlan_flags()
