"""Leased addresses in an import: what the link has now, or, in a design, ``dhcp``.

An address with a lifetime (``LinkState.leased``) was set by a client: a DHCP client's
lease for IPv4 (NetworkManager's, udhcpc, dhclient), SLAAC or DHCPv6 for IPv6. A file of
existing objects (plain ``import``) records what it sees, leases included. A design copied
from the host (``--as-design``) is applied elsewhere, where that lease means nothing: there
the interface should lease an address again, which the format says with ``dhcp`` (one
client per interface: one entry, however many IPv4 leases it held), and a comment above the
interface's addresses keeps the address it had. IPv6 leases stay as observed: ``dhcp`` in
the format is IPv4 only. Host NICs are never the design's, so theirs are always as seen.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping

from netwright.backend.observe.state import LinkState

_KEY = re.compile(r"^  (['\"]?)([^\s'\":][^'\":]*)\1:")  # an interface's key line


def observed_addresses(link: LinkState) -> list[str]:
    """The link's addresses as the file writes them: ``fd00::1/64 nodad`` for one the kernel
    holds with IFA_F_NODAD, so applying the file elsewhere adds it the same way (an address
    added with DAD would be tentative for a second, or lost to a duplicate). A leased one is
    what the link has now too: without it a NIC would lose its address and a route via the
    lease's gateway would be off-link."""
    return [f"{cidr} nodad" if cidr in link.nodad else cidr
            for cidr in sorted(link.addresses | link.leased)]


def leased_ipv4(link: LinkState) -> list[str]:
    """The IPv4 addresses a DHCP client leased to ``link``, sorted."""
    return sorted(a for a in link.leased if ipaddress.ip_interface(a).version == 4)


def design_addresses(link: LinkState) -> list[str]:
    """The link's addresses for a design: ``dhcp`` first in place of its IPv4 leases, then
    every other address as observed."""
    leases = set(leased_ipv4(link))
    rest = [entry for entry in observed_addresses(link) if entry.split()[0] not in leases]
    return ["dhcp", *rest] if leases else rest


def lease_comments(text: str, leases: Mapping[str, list[str]]) -> str:
    """``text`` with ``# dhcp: leased A when imported`` above the ``addresses:`` line of
    each interface (by key) in ``leases``."""
    if not leases:
        return text
    out: list[str] = []
    section, key = "", ""
    for line in text.splitlines(keepends=True):
        if line[:1].strip():
            section, key = line.split(":", 1)[0], ""
        elif section == "interfaces" and (found := _KEY.match(line)):
            key = found.group(2)
        elif key in leases and line.startswith("    addresses:"):
            out.append(f"    # dhcp: leased {', '.join(leases[key])} when imported; applied,"
                       " it asks a DHCP server again\n")
        out.append(line)
    return "".join(out)
