"""Stars: many boxes each wired to one row of one box, laid out beside that box's rows.

What it decides: where the leaves of a star go (a bridge's namespaces, each joined to one of
its ports; a router namespace's clients), for both automatic layouts (Graphviz's in
``graph_layout``, the simple one in ``layout``). What it reads: the wires between boxes and the
shapes the canvas draws. What it never does: move the hub, or place what is not a leaf.

A box draws its ports as rows one above the other, so a bridge of 300 ports is a column
about 10,800 units tall whatever the layout does. Its leaves are put in one column on each
side of it, each leaf level with the row it is wired to, taking turns; a leaf is 68 units
tall and the rows 36 apart, so two columns hold them all: every wire is a short horizontal
line from a row to its leaf, and none crosses a box. Before, dot's column of leaves (made a
block of columns) stood right of the hub in no order of rows: 300 wires fanned across each
other from the whole height (12,771 crossing pairs, 2,598 wires through boxes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from netwright.gui.model.edits import drawn_wires
from netwright.gui.model.snapshot import Snapshot

if TYPE_CHECKING:
    from netwright.gui.canvas.graph_layout import BoxShape

SIDE_GAP = 80.0  # between the hub and a column of its leaves: the wires' length
LEAF_GAP = 4.0  # between two leaves in one column, at least (the rows' own gap)

Link = tuple[str, str, str, str]  # (box a, end a, box b, end b)


@dataclass(frozen=True)
class Leaf:
    """A box wired to nothing but one row of the hub: where the row is (from the hub's top)
    and where the wire ends in the leaf (from the leaf's top)."""

    key: str
    row_y: float
    end_y: float


@dataclass(frozen=True)
class Fan:
    """A hub box and its leaves, in the order of the hub's rows."""

    hub: str
    leaves: tuple[Leaf, ...]


def box_links(snapshot: Snapshot, placed: Iterable[str]) -> list[Link]:
    """(box a, end a, box b, end b) for every wire between two placed boxes."""
    placed = set(placed)
    links = []
    for _relation, a, b in drawn_wires(snapshot):
        owner_a = a if a in placed else snapshot.container_of(a)
        owner_b = b if b in placed else snapshot.container_of(b)
        if owner_a is None or owner_b is None or owner_a == owner_b:
            continue  # drawn inside one box: no say in where boxes go
        links.append((owner_a, a, owner_b, b))
    return links


def leaf_groups(links: list[Link]) -> dict[str, list[tuple[str, str, str]]]:
    """The boxes wired to nothing but one other box, by that box (the hub): (leaf, the hub's
    end, the leaf's end) in the order of the links."""
    count: dict[str, int] = {}
    for a, _, b, _ in links:
        count[a] = count.get(a, 0) + 1
        count[b] = count.get(b, 0) + 1
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for a, end_a, b, end_b in links:
        for hub, hub_end, leaf, leaf_end in ((a, end_a, b, end_b), (b, end_b, a, end_a)):
            if count[leaf] == 1 and count[hub] > 1:
                groups.setdefault(hub, []).append((leaf, hub_end, leaf_end))
    return groups


def _row_y(shape: BoxShape, end: str) -> float | None:
    return next((y for key, y in shape.ports if key == end), None)


def fans(links: list[Link], shape_of: Callable[[str], BoxShape], more_than: int) -> list[Fan]:
    """The stars of more than ``more_than`` leaves whose every wire ends on a row of the hub
    (a port drawn in it), the leaves in the order of those rows; the hubs in link order."""
    found = []
    for hub, group in leaf_groups(links).items():
        if len(group) <= more_than:
            continue
        shape = shape_of(hub)
        leaves = []
        for leaf, hub_end, leaf_end in group:
            row = _row_y(shape, hub_end)
            if row is None:
                break  # wired to the hub's header (a NIC's child): not a row to sit beside
            leaf_shape = shape_of(leaf)
            end = _row_y(leaf_shape, leaf_end)
            leaves.append(Leaf(leaf, row, leaf_shape.height / 2 if end is None else end))
        else:
            found.append(Fan(hub, tuple(sorted(leaves, key=lambda leaf: (leaf.row_y, leaf.key)))))
    return found


def beside(fan: Fan, centre: tuple[float, float],
           shape_of: Callable[[str], BoxShape]) -> dict[str, tuple[float, float]]:
    """Centres for ``fan``'s leaves, the hub's centre at ``centre``: a column each side,
    every leaf level with its row when its column has room there (else just below the
    leaf above it), on the side where it sits highest (the right one on a tie after the
    left, and the reverse, so the two take turns).

    >>> from netwright.gui.canvas.graph_layout import BoxShape
    >>> hub = BoxShape(210, 200, (("p0", 42), ("p1", 78), ("p2", 114)))
    >>> leaf = BoxShape(210, 68, (("c", 42),))
    >>> fan = Fan("br", (Leaf("a", 42, 42), Leaf("b", 78, 42), Leaf("c", 114, 42)))
    >>> beside(fan, (0, 0), lambda key: hub if key == "br" else leaf)
    {'a': (290.0, -66.0), 'b': (-290.0, -30.0), 'c': (290.0, 6.0)}
    """
    hub = shape_of(fan.hub)
    top = centre[1] - hub.height / 2
    free = {1: float("-inf"), -1: float("-inf")}  # where each column's next leaf may start
    last = -1
    spots: dict[str, tuple[float, float]] = {}
    for leaf in fan.leaves:
        shape = shape_of(leaf.key)
        wanted = top + leaf.row_y - leaf.end_y  # the leaf's top, level with its row
        starts = {side: max(wanted, free[side]) for side in (1, -1)}
        side = min((-last, last), key=lambda s: starts[s])  # the other side on a tie
        free[side] = starts[side] + shape.height + LEAF_GAP
        x = centre[0] + side * (hub.width / 2 + SIDE_GAP + shape.width / 2)
        spots[leaf.key] = (x, starts[side] + shape.height / 2)
        last = side
    return spots


def room_beside(fan: Fan, centre: tuple[float, float], spots: dict[str, tuple[float, float]],
                shape_of: Callable[[str], BoxShape]) -> tuple[float, float, float, float]:
    """How far the leaves reach past the hub: (left, right, up, down), zero where they do
    not."""
    hub = shape_of(fan.hub)
    reach = [0.0, 0.0, 0.0, 0.0]
    for key, (x, y) in spots.items():
        shape = shape_of(key)
        reach[0] = max(reach[0], centre[0] - hub.width / 2 - (x - shape.width / 2))
        reach[1] = max(reach[1], x + shape.width / 2 - (centre[0] + hub.width / 2))
        reach[2] = max(reach[2], centre[1] - hub.height / 2 - (y - shape.height / 2))
        reach[3] = max(reach[3], y + shape.height / 2 - (centre[1] + hub.height / 2))
    return reach[0], reach[1], reach[2], reach[3]
