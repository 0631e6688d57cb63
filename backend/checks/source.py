"""The address a check sends from (``check --from ADDR``, or ``ADDR@NAMESPACE``): which place
sends, and from what.

An address is usually held by one place. An IPv6 address on two interfaces of one segment is
not: duplicate address detection fails on one (``dadfailed``) and the kernel keeps it on the
other, so ``ADDR`` alone means the place that kept it, and ``ADDR@NAMESPACE`` (``@host`` for
the host) names the one asked for — the loser too, whose kernel refuses to send from it
("Cannot assign requested address"). An address that several places keep (on separate links,
or IPv6 with nodad) must be given with ``@NAMESPACE``: ``ADDR`` alone is refused, never one
of them picked in silence. Pure: reads the design and what the kernel said of DAD.
"""

from __future__ import annotations

import ipaddress

from netwright.backend.checks.dad import Dad
from netwright.backend.checks.errors import CheckOptionsError
from netwright.backend.checks.network import Network, Place, place_label, place_name


def split_source(text: str) -> tuple[str, str | None]:
    """``ADDR`` → (ADDR, None); ``ADDR@NAMESPACE`` → (ADDR, NAMESPACE)."""
    address, at, place = text.partition("@")
    return address, (place if at else None)


def source_place(text: str, net: Network, dad: Dad) -> Place:
    """The place that sends from ``--from``'s address: the one named after ``@``, else the
    one holding it (a CheckOptionsError names the address or namespace that does not fit)."""
    address, named = split_source(text)
    ip = ipaddress.ip_address(address)
    owners = net.owners.get(ip, [])
    holding = list(dict.fromkeys(
        [o.place for o in owners if o.kind not in ("nic", "lan")]
        or [o.place for o in owners if o.kind == "nic"]))
    failed = list(dict.fromkeys(u.place for u in dad.unusable.values() if u.ip == ip))
    if named is None:
        if not holding and not failed:
            raise CheckOptionsError(f"{address} is no address of the topology: probes can be sent"
                                 " only from an address a namespace (or the host) holds")
        if len(holding) > 1 and ip not in dad.races:  # (a DAD race leaves one: the kernel's)
            raise CheckOptionsError(
                f"{address} is held by {' and '.join(place_label(p) for p in holding)} (a"
                f" duplicate address): say which sends, e.g. --from"
                f" {address}@{place_name(holding[0])}")
        return (holding or failed)[0]
    place = _place_named(named, net)
    if place not in holding and place not in failed:
        held = ", ".join(place_label(p) for p in holding + failed) or "no place of the topology"
        raise CheckOptionsError(f"{place_label(place)} holds no address {address} (--from"
                             f" {text}): it is held by {held}")
    return place


def _place_named(name: str, net: Network) -> Place:
    namespaces = net.topology.namespaces
    if not name:
        raise CheckOptionsError("--from ADDR@ names no namespace: write ADDR@NAMESPACE (or"
                             " ADDR@host), or ADDR alone")
    if name in namespaces:
        return name
    if name == "host":
        return None
    raise CheckOptionsError(f"no namespace {name} in the topology (--from ADDR@NAMESPACE); there"
                         f" are: {', '.join(['host', *namespaces])}")
