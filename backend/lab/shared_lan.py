"""The warning for a design whose host NIC shares a LAN with another deployment's NIC in the
same lab (docker-bridge on wlp2s0, macvlan-bridge on eth1, both 192.168.31.240/24).

The lab then is a machine whose Wi-Fi and Ethernet reach one router (``lans.py``), which works,
but the host's default route leaves by one NIC only (``build.lab_topology`` keeps it on the
NIC that had it): rules a design sets on the other NIC for traffic to beyond the gateway
(a masquerade out wlp2s0) see none of it. The plan says so before anyone says yes, and so
too for a design on another LAN while other deployments keep the route on their NIC.
"""

from __future__ import annotations

import ipaddress

from netwright.backend.count_words import agreeing
from netwright.backend.lab.lans import overlap
from netwright.backend.topology.model import HostNic, Topology


def shared_lan_notes(topology: Topology, nics: dict[str, HostNic], uplink: str | None,
                     owners: dict[str, list[str]]) -> list[str]:
    """One warning per NIC of ``topology`` on a LAN with a lab NIC (in ``nics``) that other
    deployments build on (``owners``: NIC → their names); ``uplink`` holds the host's
    default route."""
    notes = []
    for mine, nic in sorted(topology.host.nics.items()):
        for other, theirs in sorted(nics.items()):
            if other in topology.host.nics or not owners.get(other) or not overlap(nic, theirs):
                continue
            notes.append(_sentence(mine, nic, other, theirs, uplink=uplink,
                                   owners=owners[other]))
    return notes


def uplink_elsewhere_notes(topology: Topology, nics: dict[str, HostNic], uplink: str | None,
                           owners: dict[str, list[str]]) -> list[str]:
    """The warning for a design whose NICs, with a gateway, are on no LAN of ``uplink``, the
    NIC the lab host's default route keeps leaving by because other deployments build on it
    (``build._uplink_for``): docker-bridge moved to eth0 on its own subnet beside a deployed
    docker on wlp2s0. The LANs differ, so ``shared_lan_notes`` says nothing of it."""
    if uplink is None or uplink in topology.host.nics or not owners.get(uplink):
        return []
    mine = sorted(name for name, nic in topology.host.nics.items() if nic.gateway)
    theirs = nics.get(uplink)
    if not mine or theirs is None or any(
            overlap(topology.host.nics[name], theirs) for name in mine):
        return []
    held = owners[uplink]
    who = f"{agreeing(len(held), 'deployment', 'deployments')} {', '.join(held)}"
    named = " or ".join(mine)
    return [f"WARNING: the lab host's default route leaves by {uplink}, the NIC {who} builds on,"
            f" not by {named}: what the host sends or forwards beyond a gateway goes out"
            f" {uplink}, and rules this design sets on {named} for it (masquerade, publish or"
            f" firewall rules naming it) do not see it. Destroy the other deployment first, or"
            " give the two designs the same host NIC, to have them on one uplink"]


def _sentence(mine: str, nic: HostNic, other: str, theirs: HostNic, *, uplink: str | None,
              owners: list[str]) -> str:
    who = f"{agreeing(len(owners), 'deployment', 'deployments')} {', '.join(owners)}"
    shared = sorted(_ips(nic) & _ips(theirs))
    if shared:
        held = (f"the lab host already holds {', '.join(shared)} on {other} (the NIC {who}"
                f" builds on), the address this design gives {mine}: one address on two NICs"
                " of one LAN")
    else:
        held = (f"{mine} is on the LAN of {other}, the lab NIC {who} builds on: two NICs of"
                " the lab host on one LAN")
    if uplink == other:
        broken = (f"the host's default route leaves by {other}, not {mine}, so what the host"
                  f" sends or forwards beyond the gateway goes out {other}, and rules this"
                  f" design sets on {mine} for it (masquerade, publish or firewall rules"
                  f" naming {mine}) do not see it: its check reports the difference")
    elif uplink == mine:
        broken = (f"the host's default route leaves by {mine}, so what {who} does on {other}"
                  f" to traffic beyond the gateway (rules naming {other}) no longer happens")
    else:
        broken = "replies may leave by either NIC"
    return (f"WARNING: {held}; {broken}. Destroy the other deployment first, or give the two"
            " designs the same host NIC, to have them on one uplink")


def _ips(nic: HostNic) -> set[str]:
    return {str(ipaddress.ip_interface(str(a)).ip) for a in nic.addresses}
