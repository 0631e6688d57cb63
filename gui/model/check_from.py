"""Checking one row of the Checks dock again, sent from an address the person picks.

A row of the matrix is a source place (a namespace, or ``host``); the backend's check with
``source`` (``netwright check --from ADDR``) probes only from the place holding that address,
sent from it. These helpers list the addresses a row can send from, as the design writes
them, and put the row measured that way into the last measurement in place of the old one, so
the other rows stay as they were measured. Pure: the design's snapshot and JSON reports only.
"""

from __future__ import annotations

from typing import Any

from netwright.gui.model.snapshot import Snapshot


def source_addresses(snapshot: Snapshot, source: str) -> list[tuple[str, str]]:
    """(address, interface key) for each static address of the row ``source`` (a namespace
    key or ``host``), in the file's order; DHCP entries are unknown before a lease."""
    namespace = None if source == "host" else source
    if namespace is not None and namespace not in snapshot.namespaces:
        return []
    found: dict[str, str] = {}
    for key in snapshot.interfaces_in(namespace):
        for text in snapshot.addresses_of(key):
            words = text.split()
            if words and words[0] != "dhcp":
                found.setdefault(words[0].split("/", 1)[0], key)
    return list(found.items())


def merged_row(previous: dict[str, Any] | None, fresh: dict[str, Any], source: str,
               address: str) -> dict[str, Any]:
    """``previous`` (the last measurement, if any) with the pairs of row ``source`` replaced
    by ``fresh``'s, each marked ``sent_from``; the row keeps its place among the others."""
    mine = [{**pair, "sent_from": address} for pair in fresh.get("pairs", [])
            if pair.get("source") == source]
    pairs: list[dict[str, Any]] = []
    placed = False
    for pair in (previous or {}).get("pairs", []):
        if pair.get("source") != source:
            pairs.append(pair)
        elif not placed:
            pairs.extend(mine)
            placed = True
    if not placed:
        pairs.extend(mine)
    merged = {**(previous or {}), **{k: v for k, v in fresh.items() if k != "pairs"}}
    merged["pairs"] = pairs
    return merged
