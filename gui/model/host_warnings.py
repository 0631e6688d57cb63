"""Problems only the host's facts can see: a macvlan on a Wi-Fi NIC, a kind the kernel lacks.

The topology alone cannot know that wlp2s0 is Wi-Fi, so validation is silent; but an access
point only accepts frames from the MAC address that associated, so a macvlan child (a MAC of
its own) gets no traffic there. The seed uses ipvlan on wlp2s0 for exactly that reason. These
warnings join the document's problems in the Problems dock and on the canvas. Likewise a
kind the backend's kernel cannot create (ipvlan on a kernel without it) is an error while
designing, from Inspect's ``kinds``, not only when Plan fails.
"""

from __future__ import annotations

from netwright.backend.topology.problems import Problem
from netwright.gui.model.host_facts import HostFacts
from netwright.gui.model.snapshot import Snapshot

MACVLAN_ON_WIFI = "macvlan-on-wifi"
KERNEL_LACKS_KIND = "kernel-lacks-kind"
ALTERNATIVE = {"ipvlan": "use macvlan (mode bridge): its children reach each other and the"
                         " gateway as ipvlan l2 ones do"}


def wifi_sentence(key: str, parent: str) -> str:
    """Why a macvlan ``key`` on the Wi-Fi NIC ``parent`` fails, and what to use instead."""
    return (f"{key} is a macvlan on {parent}, a Wi-Fi NIC: the access point only accepts the"
            f" MAC address that associated, so {key} (a MAC of its own) gets no traffic; use"
            f" an ipvlan (mode l2) on {parent} instead, as the seed does")


def facts_problems(snapshot: Snapshot, facts: HostFacts | None) -> list[Problem]:
    """A warning at each macvlan whose parent the facts say is Wi-Fi; an error at each
    interface whose kind the backend's kernel lacks."""
    if facts is None:
        return []
    problems = []
    for key, link in snapshot.interfaces.items():
        kind = str(link.get("kind") or "")
        if facts.lacks(kind):
            instead = ALTERNATIVE.get(kind, f"use a kernel with {kind}")
            problems.append(Problem(
                "error", KERNEL_LACKS_KIND, ("interfaces", key, "kind"),
                f"the backend's kernel has no {kind}, so {key} cannot be created; {instead}"))
        nic = facts.nic(link.get("parent"))
        if link.get("kind") == "macvlan" and nic is not None and nic.wifi:
            problems.append(Problem("warning", MACVLAN_ON_WIFI, ("interfaces", key, "parent"),
                                    wifi_sentence(key, nic.name)))
    return problems
