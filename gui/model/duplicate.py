"""What Duplicate copies: a namespace with its interfaces and the far end of each of its veths.

Copy and paste take what is selected; Duplicate of a container namespace took only the
namespace's end of its veth, so the copy always began with a "needs peer" error. Here the
other end (on the host, often a bridge port, or in another namespace) is copied too, under a
fresh key (its kernel name), keeping its bridge, so the copy is wired as its original is.
Its anti-spoofing follows the copy's new addresses. Pure: no Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from netwright.gui.model.document import Edit
from netwright.gui.model.edits import copy_fragment
from netwright.gui.model.snapshot import Snapshot


@dataclass(frozen=True)
class FarEnd:
    """A veth end outside the duplicated namespace, copied with it."""

    key: str  # the original far end
    near: str  # its peer inside the namespace
    master: str | None  # the bridge it is a port of


def duplicate_fragment(snapshot: Snapshot, key: str) -> tuple[dict[str, Any], list[FarEnd]]:
    """``copy_fragment`` of ``key``; for a namespace, with the far end of each of its veths
    (and the peer it names), and the far ends so added."""
    fragment = copy_fragment(snapshot, [key])
    if key not in snapshot.namespaces:
        return fragment, []
    interfaces: dict[str, Any] = fragment["interfaces"]
    added: list[FarEnd] = []
    for near in snapshot.interfaces_in(key):
        link = snapshot.interfaces.get(near, {})
        peer = link.get("peer")
        if link.get("kind") != "veth" or not isinstance(peer, str) or \
                peer not in snapshot.interfaces or peer in interfaces:
            continue
        interfaces[near] = {**interfaces[near], "peer": peer}  # copy_fragment dropped it
        interfaces[peer] = dict(snapshot.interfaces[peer])
        if peer in snapshot.layout:
            fragment["layout"][peer] = list(snapshot.layout[peer])
        master = snapshot.interfaces[peer].get("master")
        added.append(FarEnd(peer, near, master if isinstance(master, str) else None))
    return fragment, added


def follow_addresses(edits: list[Edit], snapshot: Snapshot, renames: dict[str, str],
                     far_ends: list[FarEnd]) -> list[Edit]:
    """Each copied far end's anti-spoofing IPs made the copy's own: the near end's old
    addresses replaced by those its copy got (``fresh_addresses`` ran before)."""
    new_values = {edit.path[1]: edit.value for edit in edits
                  if len(edit.path) == 2 and edit.path[0] == "interfaces"}
    out = list(edits)
    for end in far_ends:
        copy, near_copy = renames.get(end.key, ""), renames.get(end.near, "")
        far, near = new_values.get(copy), new_values.get(near_copy)
        if not isinstance(far, dict) or not isinstance(near, dict):
            continue
        spoofing = (far.get("port-firewall") or {}).get("anti-spoofing")
        if not isinstance(spoofing, dict) or not isinstance(spoofing.get("ips"), list):
            continue
        moved = dict(zip(_bare(snapshot.interfaces[end.near].get("addresses")),
                         _bare(near.get("addresses")), strict=False))
        ips = [moved.get(str(ip), ip) for ip in spoofing["ips"]]
        value = {**far, "port-firewall": {**far["port-firewall"],
                                          "anti-spoofing": {**spoofing, "ips": ips}}}
        out = [replace(e, value=value) if e.path == ("interfaces", copy) else e for e in out]
    return out


def _bare(addresses: Any) -> list[str]:
    """``["172.17.0.2/16", "dhcp"]`` → ``["172.17.0.2", "dhcp"]``, in order."""
    return [str(a).split(" ")[0].split("/")[0] for a in addresses or []]


def duplicate_words(original: str, keys: list[str], renames: dict[str, str],
                    far_ends: list[FarEnd]) -> str:
    """The status bar's sentence, short enough for a 1024 px window's status bar:
    "Duplicated c1 as c3 and its veth's other end as veth-c3 on docker0"."""
    text = f"Duplicated {original} as {keys[0]}" if keys else f"Duplicated {original}"
    ends = [renames.get(end.key, end.key) + (f" on {end.master}" if end.master else "")
            for end in far_ends]
    if not ends:
        return text
    whose = "its veth's other end" if len(ends) == 1 else "its veths' other ends"
    return f"{text} and {whose} as {', '.join(ends)}"
