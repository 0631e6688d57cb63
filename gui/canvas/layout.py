"""Automatic layout for files that carry no positions (or only some).

Three bands inside the host frame: the host's NICs on top, interfaces that live in the host's
own namespace (bridges, host ends of veth pairs) below them, then the namespaces in a grid.
Namespaces are ordered by what they hang off (the bridge or NIC their interfaces connect to),
so the members of one segment sit next to each other and their wires stay short. A star (a
bridge or namespace with more than STAGGER_FROM namespaces each wired to one of its ports)
goes below all that as a block: the hub with its leaves beside its rows (``star_layout``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from netwright.gui.canvas.graph_layout import STAGGER_FROM, BoxShape
from netwright.gui.canvas.items import NAMESPACE_WIDTH, NODE_WIDTH, box_shape, namespace_height
from netwright.gui.canvas.star_layout import Fan, beside, box_links, fans, room_beside
from netwright.gui.model.edits import wires_of
from netwright.gui.model.snapshot import Snapshot

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
    stars = _stars(snapshot, wanted)
    starred = {fan.hub for fan in stars} | {leaf.key for fan in stars for leaf in fan.leaves}
    host = [k for k in snapshot.interfaces_in(None) if k in wanted and k not in starred]
    anchors = _anchor_keys(snapshot)
    upper = [k for k in snapshot.nics if k in wanted] + [k for k in host if k in anchors]
    lower = [k for k in host if k not in anchors]
    namespaces = sorted((k for k in snapshot.namespaces if k in wanted and k not in starred),
                        key=_segment_order(snapshot))
    bands = [band for band in (upper, lower) if band]
    positions: dict[str, tuple[float, float]] = dict(kept)
    positions.update(_grid(snapshot, namespaces, y + BAND_GAP * len(bands)))
    neighbours = _neighbours(snapshot)
    for index in reversed(range(len(bands))):  # lower band first: it sits over the boxes
        band_y = y + BAND_GAP * index
        desired = {key: _mean_x(snapshot, neighbours[key], positions) for key in bands[index]}
        for key in bands[index]:  # the two host ends of a veth pair sit side by side
            peer = snapshot.interfaces.get(key, {}).get("peer")
            if isinstance(peer, str) and peer in desired and key < peer:
                known = [x for x in (desired[key], desired[peer]) if x is not None]
                if known:
                    desired[key] = desired[peer] = sum(known) / len(known)
        for key, x in _spread(desired, NODE_WIDTH + COLUMN_GAP).items():
            positions[key] = (x, band_y)
    positions.update(_star_blocks(snapshot, stars, positions, y))
    return {k: v for k, v in positions.items() if k in wanted}


def _stars(snapshot: Snapshot, wanted: set[str]) -> list[Fan]:
    """The stars (``star_layout.fans``) of which every box is to be placed now."""
    def shape_of(key: str) -> BoxShape:
        return box_shape(snapshot, key)

    found = fans(box_links(snapshot, snapshot.placed_keys()), shape_of, STAGGER_FROM)
    return [fan for fan in found
            if fan.hub in wanted and all(leaf.key in wanted for leaf in fan.leaves)]


def _star_blocks(snapshot: Snapshot, stars: list[Fan],
                 placed: dict[str, tuple[float, float]],
                 top: float) -> dict[str, tuple[float, float]]:
    """Each star as a block (its hub, its leaves in a column each side), the blocks side by
    side, centred, below everything in ``placed`` (from ``top`` when nothing is)."""
    def shape_of(key: str) -> BoxShape:
        return box_shape(snapshot, key)

    if not stars:
        return {}
    bottom = max((y + shape_of(key).height / 2 for key, (_x, y) in placed.items()),
                 default=None)
    block_top = top if bottom is None else bottom + BAND_GAP
    blocks = []
    for fan in stars:
        spots = beside(fan, (0.0, 0.0), shape_of)
        left, right, up, _down = room_beside(fan, (0.0, 0.0), spots, shape_of)
        blocks.append((fan, spots, left, right, up))
    hub_widths = [shape_of(fan.hub).width for fan, *_ in blocks]
    total = sum(left + width + right for (_f, _s, left, right, _u), width
                in zip(blocks, hub_widths, strict=True)) + COLUMN_GAP * (len(blocks) - 1)
    cursor = -total / 2
    positions: dict[str, tuple[float, float]] = {}
    for (fan, spots, left, right, up), width in zip(blocks, hub_widths, strict=True):
        centre = (cursor + left + width / 2, block_top + up + shape_of(fan.hub).height / 2)
        positions[fan.hub] = centre
        positions.update({key: (centre[0] + x, centre[1] + y) for key, (x, y) in spots.items()})
        cursor += left + width + right + COLUMN_GAP
    return positions


def _anchor_keys(snapshot: Snapshot) -> set[str]:
    """Host-level things others hang off: bridges, parents, underlays (the upper band)."""
    anchors = {k for k, v in snapshot.interfaces.items() if v.get("kind") == "bridge"}
    for relation, _a, b in wires_of(snapshot):
        if relation in ("master", "parent", "dev"):
            anchors.add(b)
    return anchors


def _neighbours(snapshot: Snapshot) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for _relation, a, b in wires_of(snapshot):
        result.setdefault(a, set()).add(b)
        result.setdefault(b, set()).add(a)
    return {k: result.get(k, set()) for k in [*snapshot.interfaces, *snapshot.nics]}


def _mean_x(snapshot: Snapshot, keys: set[str],
            positions: dict[str, tuple[float, float]]) -> float | None:
    xs = []
    for key in keys:
        owner = snapshot.namespace_of(key) or key
        if owner in positions:
            xs.append(positions[owner][0])
    return sum(xs) / len(xs) if xs else None


def _spread(desired: dict[str, float | None], step: float) -> dict[str, float]:
    """Place keys near their desired x, at least ``step`` apart, unplaced ones at the end."""
    placed = sorted((x, k) for k, x in desired.items() if x is not None)
    loose = [k for k, x in desired.items() if x is None]
    result: dict[str, float] = {}
    last: float | None = None
    for wish, key in placed:
        x = wish if last is None else max(wish, last + step)
        result[key] = last = x
    if placed:
        wanted = sum(x for x, _ in placed) / len(placed)
        actual = sum(result[k] for _, k in placed) / len(placed)
        shift = wanted - actual
        result = {k: x + shift for k, x in result.items()}
        last = max(result.values())
    start = (last + step) if last is not None else -(len(loose) - 1) * step / 2
    for index, key in enumerate(loose):
        result[key] = start + index * step
    return result


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


def _segment_order(snapshot: Snapshot) -> Callable[[str], tuple[str, str]]:
    """Sort key: the first host-level thing a namespace's interfaces are wired to."""
    anchor: dict[str, str] = {}
    for _relation, a, b in wires_of(snapshot):
        for here, there in ((a, b), (b, a)):
            namespace = snapshot.namespace_of(here)
            if namespace and snapshot.namespace_of(there) != namespace:
                anchor.setdefault(namespace, there)
    return lambda key: (anchor.get(key, "~"), key)
