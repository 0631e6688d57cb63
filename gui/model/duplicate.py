"""What Duplicate copies: a namespace with its interfaces and the far end of each of its veths.

Copy and paste take what is selected; Duplicate of a container namespace took only the
namespace's end of its veth, so the copy always began with a "needs peer" error. Here the
other end (on the host, often a bridge port, or in another namespace) is copied too, under a
fresh key (its kernel name), keeping its bridge, so the copy is wired as its original is.
Its anti-spoofing follows the copy's new addresses. Pure: no Qt.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    """``copy_fragment`` of ``key`` with the far end of each of its veths (``with_far_ends``)."""
    return with_far_ends(snapshot, [key])


def with_far_ends(snapshot: Snapshot, keys: list[str]) -> tuple[dict[str, Any], list[FarEnd]]:
    """``copy_fragment`` of ``keys``, with the far end of each copied veth whose peer was not
    copied (and the peer it names), and the far ends so added. Duplicate and Copy share it:
    a paste of a namespace also began with "needs peer"."""
    fragment = copy_fragment(snapshot, keys)
    interfaces: dict[str, Any] = fragment["interfaces"]
    added: list[FarEnd] = []
    for near in list(interfaces):
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


def far_ends_to_data(far_ends: list[FarEnd]) -> list[list[str | None]]:
    """The far ends as JSON for the clipboard (a paste reads them back)."""
    return [[end.key, end.near, end.master] for end in far_ends]


def far_ends_from_data(data: Any) -> list[FarEnd]:
    """``far_ends_to_data`` read back; anything malformed is left out."""
    ends = []
    for row in data if isinstance(data, list) else []:
        if isinstance(row, list) and len(row) == 3 and all(isinstance(v, str) for v in row[:2]):
            ends.append(FarEnd(row[0], row[1], row[2] if isinstance(row[2], str) else None))
    return ends


def follow_addresses(edits: list[Edit], originals: Mapping[str, Any], renames: dict[str, str],
                     far_ends: list[FarEnd]) -> list[Edit]:
    """Each copied far end's anti-spoofing IPs made the copy's own: the near end's old
    addresses (``originals``: the fragment's interfaces, as copied) replaced by those its
    copy got (``fresh_addresses`` ran before)."""
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
        moved = dict(zip(_bare((originals.get(end.near) or {}).get("addresses")),
                         _bare(near.get("addresses")), strict=False))
        ips = [moved.get(str(ip), ip) for ip in spoofing["ips"]]
        value = {**far, "port-firewall": {**far["port-firewall"],
                                          "anti-spoofing": {**spoofing, "ips": ips}}}
        out = [replace(e, value=value) if e.path == ("interfaces", copy) else e for e in out]
    return out


def _bare(addresses: Any) -> list[str]:
    """``["172.17.0.2/16", "dhcp"]`` → ``["172.17.0.2", "dhcp"]``, in order."""
    return [str(a).split(" ")[0].split("/")[0] for a in addresses or []]


def _far_end_texts(renames: dict[str, str], far_ends: list[FarEnd]) -> list[str]:
    """Each far end a copy took, by its new key, with the bridge it joined: "veth-c3 on
    docker0"."""
    return [renames.get(end.key, end.key) + (f" on {end.master}" if end.master else "")
            for end in far_ends]


def duplicate_words(original: str, keys: list[str], renames: dict[str, str],
                    far_ends: list[FarEnd]) -> str:
    """The status bar's sentence, short enough for a 1024 px window's status bar:
    "Duplicated c1 as c3 and its veth's other end as veth-c3 on docker0"."""
    text = f"Duplicated {original} as {keys[0]}" if keys else f"Duplicated {original}"
    ends = _far_end_texts(renames, far_ends)
    if not ends:
        return text
    whose = "its veth's other end" if len(ends) == 1 else "its veths' other ends"
    return f"{text} and {whose} as {', '.join(ends)}"


def paste_words(fragment: dict[str, Any], renames: dict[str, str],
                far_ends: list[FarEnd]) -> str:
    """"Pasted c3, its veth's other end veth-c3 on docker0": what was copied (a namespace
    counts its interfaces in), then what a paste added besides; short enough for the status
    bar of a 1024 px window, with the MAC note after it."""
    text = "Pasted " + pasted_what(fragment, renames, far_ends)
    ends = _far_end_texts(renames, far_ends)
    if not ends:
        return text
    whose = "its veth's other end" if len(ends) == 1 else "the veths' other ends"
    return f"{text}, {whose} {', '.join(ends)}"


def pasted_tops(fragment: dict[str, Any], renames: dict[str, str],
                far_ends: list[FarEnd]) -> list[str]:
    """The copies of what was copied, by their new keys: the namespaces, and the interfaces
    copied on their own; not those that came inside a namespace, nor the veths' far ends
    taken along. What a paste selects (selecting every key, the inspector showed the
    topology, as for any several items) and what its sentence names."""
    namespaces = fragment.get("namespaces") or {}
    interfaces = fragment.get("interfaces") or {}
    far = {end.key for end in far_ends}
    return [renames.get(k, k) for k in namespaces] + [
        renames.get(k, k) for k, link in interfaces.items()
        if k not in far and not (isinstance(link, dict) and link.get("namespace") in namespaces)]


def pasted_what(fragment: dict[str, Any], renames: dict[str, str],
                far_ends: list[FarEnd]) -> str:
    """"c3 and 1 more": the first thing pasted (a namespace counts its interfaces in, the
    far ends are said apart) and how many more."""
    tops = pasted_tops(fragment, renames, far_ends)
    text = tops[0] if tops else "nothing"
    return text + (f" and {len(tops) - 1} more" if len(tops) > 1 else "")


def made_short(verb: str, first: str, far_ends: list[FarEnd], renames: dict[str, str],
               new_macs: list[str]) -> str:
    """The status bar's sentence when the whole one does not fit beside the problems and
    deployment labels (the whole one goes to the log): what was made, by name only —
    "Duplicated c1 as c3, with veth-c3; new MAC"."""
    text = f"{verb} {first}"
    ends = [renames.get(end.key, end.key) for end in far_ends]
    if ends:
        text += f", with {', '.join(ends)}"
    if new_macs:
        text += "; new MAC" if len(new_macs) == 1 else f"; {len(new_macs)} new MACs"
    return text
