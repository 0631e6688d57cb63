"""Pasted interfaces get free addresses in the same subnets, as fill-from-parent picks them.

A copy kept the original's addresses, so every paste began with a duplicate-address error.
Each IPv4 address of a pasted interface is replaced by the lowest free host address of its
own subnet (free: not in the design, not on the host's NICs, not the gateway, not one chosen
for an earlier pasted item); ``dhcp`` and IPv6 addresses are kept as copied (an IPv6 one is
moved the same way only if it collides).
"""

from __future__ import annotations

import ipaddress
import itertools
from dataclasses import replace
from typing import Any

from netwright.gui.model.document import Edit
from netwright.gui.model.host_facts import HostFacts
from netwright.gui.model.prefill import SEARCH_LIMIT, free_address, taken_addresses
from netwright.gui.model.snapshot import Snapshot


def fresh_addresses(edits: list[Edit], snapshot: Snapshot,
                    facts: HostFacts | None) -> list[Edit]:
    """``edits`` (from ``paste_edits``) with each pasted interface's addresses made free."""
    taken: set[Any] = set(taken_addresses(snapshot, facts))
    taken |= _ipv6_taken(snapshot)
    out = []
    for edit in edits:
        value = edit.value
        if edit.path[:1] == ("interfaces",) and isinstance(value, dict) and \
                isinstance(value.get("addresses"), list):
            value = {**value, "addresses": [_free_like(a, taken) for a in value["addresses"]]}
        out.append(replace(edit, value=value))
    return out


def _free_like(address: Any, taken: set[Any]) -> Any:
    """A free address in ``address``'s subnet (kept when it is not an address, or free)."""
    if not isinstance(address, str) or not address.split():
        return address
    text, *flags = address.split()  # "fd00::1/64 nodad": the flags stay on the copy
    try:
        interface = ipaddress.ip_interface(text)
    except ValueError:
        return address  # "dhcp" or anything the validator will speak about
    chosen: ipaddress.IPv4Interface | ipaddress.IPv6Interface | None
    if isinstance(interface, ipaddress.IPv4Interface):
        chosen = free_address(interface.network, frozenset(taken))
    elif interface.ip not in taken:
        chosen = interface
    else:
        chosen = next((ipaddress.IPv6Interface(f"{ip}/{interface.network.prefixlen}")
                       for ip in itertools.islice(interface.network.hosts(), SEARCH_LIMIT)
                       if ip not in taken), None)
    if chosen is None:
        return address  # the subnet is full: the duplicate is reported, nothing is invented
    taken.add(chosen.ip)
    return " ".join([str(chosen), *flags])


def _ipv6_taken(snapshot: Snapshot) -> set[ipaddress.IPv6Address]:
    found = set()
    for entry in [*snapshot.interfaces.values(), *snapshot.nics.values()]:
        addresses = entry.get("addresses")
        for text in addresses if isinstance(addresses, list) else []:
            try:
                ip = ipaddress.ip_interface(str(text).split(" ")[0]).ip
            except ValueError:
                continue
            if isinstance(ip, ipaddress.IPv6Address):
                found.add(ip)
    return found
