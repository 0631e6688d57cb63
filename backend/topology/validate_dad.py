"""IPv6 duplicate address detection (DAD), as validation sees it.

An IPv6 address given twice on one L2 segment is not simply wrong: the kernel runs DAD on
each (RFC 4862) and one of them fails — the one that adds it second, or both when both probe
at once — unless ``nodad`` tells it not to look. This module turns such a pair into a warning
that says which outcome to expect and what to change; the checks then read from the kernel
which one failed. Pure: reads the model only.
"""

from __future__ import annotations

from collections.abc import Iterator

from netwright.backend.topology.model import StaticAddress, Topology
from netwright.backend.topology.problems import ModelPath, Problem

Holder = tuple[str, StaticAddress]  # interface key (or host NIC) and its address entry


def dad_outcome(first: Holder, second: Holder) -> str:
    """What the kernel does with one IPv6 address on two interfaces of one segment."""
    (one, a), (other, b) = first, second
    if a.nodad and b.nodad:
        return f"both keep it (nodad on both): either may answer for {a.interface.ip}"
    if a.nodad or b.nodad:
        loser = other if a.nodad else one
        return (f"duplicate address detection fails on {loser} (the other one, with nodad,"
                " answers its probe)")
    return ("duplicate address detection fails on one of them: the one that adds it second,"
            " or both if they probe at the same time (a race; `check` reads which from the"
            " kernel)")


def dad_duplicate(path: ModelPath, first: Holder, second: Holder) -> Problem:
    """The warning for ``second`` (at ``path``), whose address ``first`` holds too."""
    ip = second[1].interface.ip
    return Problem(
        "warning", "duplicate-address-dad", path,
        f"{ip} is given to both {first[0]} and {second[0]}, which share a segment:"
        f" {dad_outcome(first, second)}; give each its own address (or write"
        f" '{second[1].interface} nodad' on both if both must hold it)")


def nodad_problems(t: Topology) -> Iterator[Problem]:
    """``nodad`` on an interface NetworkManager keeps (``persist: true``): its profiles have no
    such flag, so after a reboot the address goes through DAD again."""
    for key, link in t.interfaces.items():
        if not link.persist:
            continue
        for index, entry in enumerate(link.addresses):
            if isinstance(entry, str) and entry.split()[1:] == ["nodad"]:
                yield Problem(
                    "warning", "nodad-not-persisted", ("interfaces", key, "addresses", index),
                    f"{entry.split()[0]} on {key} is added without duplicate address detection"
                    " now, but NetworkManager's profile cannot say 'nodad': after a reboot it is"
                    " tentative for a second, and fails if another holder answers")
