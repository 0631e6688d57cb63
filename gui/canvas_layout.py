"""Automatic layout for files that carry no positions (or only some).

Three bands inside the host frame: the host's NICs on top, interfaces that live in the host's
own namespace (bridges, host ends of veth pairs) below them, then the namespaces in a grid.
Namespaces are ordered by what they hang off (the bridge or NIC their interfaces connect to),
so the members of one segment sit next to each other and their wires stay short.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from netwright.gui.canvas_items import NAMESPACE_WIDTH, NODE_WIDTH, namespace_height
from netwright.gui.edits import wires_of
from netwright.gui.snapshot import Snapshot

BAND_GAP = 110.0
COLUMN_GAP = 50.0
ROW_GAP = 50.0


def auto_positions(
    snapshot: Snapshot, only: Iterable[str] | None = None
) -> dict[str, tuple[float, float]]:
    """Positions (item centres) for ``only`` (default: every placed key).

    When some keys already have positions, the new ones go below them, so an arranged file
    keeps its arrangement and new items do not land on top of old ones.
    """
    wanted = set(snapshot.placed_keys() if only is None else only)
    if not wanted:
        return {}
    kept = {k: p for k, p in snapshot.layout.items() if k not in wanted}
    top = max((y for _, y in kept.values()), default=None)
    y = 0.0 if top is None else top + 200.0
    positions: dict[str, tuple[float, float]] = {}
    nics = [k for k in snapshot.nics if k in wanted]
    host_links = [k for k in snapshot.interfaces_in(None) if k in wanted]
    for band in (nics, host_links):
        if band:
            positions.update(_row(band, y, NODE_WIDTH + COLUMN_GAP))
            y += BAND_GAP
    namespaces = sorted((k for k in snapshot.namespaces if k in wanted),
                        key=_segment_order(snapshot))
    positions.update(_grid(snapshot, namespaces, y))
    return positions


def _row(keys: list[str], y: float, step: float) -> dict[str, tuple[float, float]]:
    left = -(len(keys) - 1) * step / 2
    return {key: (left + index * step, y) for index, key in enumerate(keys)}


def _grid(snapshot: Snapshot, keys: list[str], top: float) -> dict[str, tuple[float, float]]:
    if not keys:
        return {}
    columns = max(2, min(len(keys), math.ceil(math.sqrt(len(keys) * 2.5))))
    step = NAMESPACE_WIDTH + COLUMN_GAP
    left = -(min(columns, len(keys)) - 1) * step / 2
    positions: dict[str, tuple[float, float]] = {}
    y = top
    for start in range(0, len(keys), columns):
        row = keys[start:start + columns]
        height = max(namespace_height(len(snapshot.interfaces_in(k))) for k in row)
        for index, key in enumerate(row):
            positions[key] = (left + index * step, y + height / 2)
        y += height + ROW_GAP
    return positions


def _segment_order(snapshot: Snapshot) -> object:
    """Sort key: the first host-level thing a namespace's interfaces are wired to."""
    anchor: dict[str, str] = {}
    for _relation, a, b in wires_of(snapshot):
        for here, there in ((a, b), (b, a)):
            namespace = snapshot.namespace_of(here)
            if namespace and snapshot.namespace_of(there) != namespace:
                anchor.setdefault(namespace, there)
    return lambda key: (anchor.get(key, "~"), key)
