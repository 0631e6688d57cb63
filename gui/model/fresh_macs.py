"""Pasted and duplicated interfaces get a fresh fixed MAC, not their original's.

A copy kept ``mac:`` as it was, so the copy and its original had one MAC on one LAN (the
bridge's forwarding table flips between them). Each copied fixed MAC is replaced by a random
locally administered unicast one (``02:…``) that the design does not use, and an
anti-spoofing ``mac:`` among the copies that named the old MAC names the new one. Pure: no Qt.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import replace

from netwright.gui.model.document import Edit
from netwright.gui.model.snapshot import Snapshot


def fresh_macs(edits: list[Edit], snapshot: Snapshot,
               pick: Callable[[], str] | None = None) -> tuple[list[Edit], list[str]]:
    """``edits`` (a paste's) with every copied ``mac:`` replaced, and the keys of the copies
    whose MAC was replaced (for the status bar)."""
    taken = _macs_in(snapshot)
    choose = pick or _random_mac
    moved: dict[str, str] = {}
    changed: list[str] = []
    out: list[Edit] = []
    for edit in edits:
        value = edit.value
        if _is_interface(edit) and isinstance(value, dict) and value.get("mac"):
            old = str(value["mac"]).lower()
            new = choose()
            while new in taken:
                new = choose()
            taken.add(new)
            moved[old] = new
            changed.append(str(edit.path[1]))
            value = {**value, "mac": new}
        out.append(replace(edit, value=value))
    return [_follow_spoofing(e, moved) for e in out], changed


def _follow_spoofing(edit: Edit, moved: dict[str, str]) -> Edit:
    """A copied port's anti-spoofing MAC follows its copied peer's new MAC."""
    value = edit.value
    if not _is_interface(edit) or not isinstance(value, dict):
        return edit
    firewall = value.get("port-firewall")
    if not isinstance(firewall, dict):
        return edit
    spoofing = firewall.get("anti-spoofing")
    if not isinstance(spoofing, dict) or str(spoofing.get("mac", "")).lower() not in moved:
        return edit
    new = moved[str(spoofing["mac"]).lower()]
    return replace(edit, value={**value, "port-firewall": {
        **firewall, "anti-spoofing": {**spoofing, "mac": new}}})


def _is_interface(edit: Edit) -> bool:
    return len(edit.path) == 2 and edit.path[0] == "interfaces"


def _macs_in(snapshot: Snapshot) -> set[str]:
    return {str(entry["mac"]).lower()
            for entry in [*snapshot.interfaces.values(), *snapshot.nics.values()]
            if isinstance(entry, dict) and entry.get("mac")}


def _random_mac() -> str:
    """Locally administered (bit 1 set), unicast (bit 0 clear): 02:xx:xx:xx:xx:xx."""
    return ":".join(["02", *(f"{b:02x}" for b in secrets.token_bytes(5))])


def mac_words(changed: list[str]) -> str:
    """"; new MAC on c3-eth0" — the status bar's note, empty when no MAC was copied."""
    if not changed:
        return ""
    return ("; new MAC on " if len(changed) == 1 else "; new MACs on ") + ", ".join(changed)
