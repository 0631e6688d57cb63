"""Arrange Automatically: positions from Graphviz's ``dot`` (a layered layout), not our own.

What it decides: where every placed item (host NIC, host-level bridge or interface,
namespace) goes. What it reads: the snapshot (boxes and the relations between interfaces) and
the sizes the canvas draws them at. What it never does: change the document (the window turns
the positions into one undoable step) or guess when ``dot`` is missing or stuck (that is a
``LayoutUnavailableError`` with a sentence).

The graph given to dot matches the drawing: every box is a node of its exact size whose ports
are table cells in the order the box shows them, and every wire an edge between the two ports
it joins, so dot's crossing minimisation works on what the user will see. Layers run left to
right, because ports sit on the left and right edges of their boxes; edges point away from
the host's NICs (or the best-connected box), so a bridge sits between the namespaces it joins.
Items on the host level form one cluster, as they share the host's own namespace. A star's
leaves (many boxes each wired to one port of one box) then go beside their hub's rows
(``star_layout``); dot put them in one column in no order of ports.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from netwright.backend.topology.problems import NetwrightError
from netwright.gui.canvas.star_layout import Fan, beside, box_links, fans, leaf_groups, room_beside
from netwright.gui.model.snapshot import Snapshot

DOT_TIMEOUT_S = 20.0
SAME_DEPTH = ""
STAGGER_FROM = 12  # a box with more leaves than this has them beside its rows or in columns
COLUMN_GAP = 80.0  # between the columns of such leaves, room for the wires
ROW_GAP = 30.0
POINTS = 72.0  # dot measures in points; one canvas unit is one point here


class LayoutUnavailableError(NetwrightError):
    """dot is missing, failed or took too long; the message says which and what to do."""


@dataclass(frozen=True)
class BoxShape:
    """How the canvas draws a placed item: its size, and the rows of its ports (top to
    bottom) as (port key, centre y from the top of the box)."""

    width: float
    height: float
    ports: tuple[tuple[str, float], ...] = ()


ShapeOf = Callable[[str], BoxShape]


def _node(index: int, shape: BoxShape) -> str:
    """A plain node the size of the box; ports as fixed-size table rows at their heights."""
    if not shape.ports:
        return (f'n{index} [shape=box, fixedsize=true, width={shape.width / POINTS:.4f}, '
                f'height={shape.height / POINTS:.4f}, label=""]')
    rows = []
    top = 0.0
    for number, (_key, centre) in enumerate(shape.ports):
        bottom = centre + (centre - top) if number == len(shape.ports) - 1 else (
            (centre + shape.ports[number + 1][1]) / 2)
        bottom = min(bottom, shape.height)
        rows.append(f'<TR><TD PORT="p{number}" FIXEDSIZE="TRUE" WIDTH="{shape.width:.0f}" '
                    f'HEIGHT="{max(bottom - top, 1):.0f}"></TD></TR>')
        top = bottom
    if shape.height - top >= 1:
        rows.append(f'<TR><TD FIXEDSIZE="TRUE" WIDTH="{shape.width:.0f}" '
                    f'HEIGHT="{shape.height - top:.0f}"></TD></TR>')
    table = ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">'
             + "".join(rows) + "</TABLE>")
    return f"n{index} [shape=plain, label=<{table}>]"


def dot_source(snapshot: Snapshot, shape_of: ShapeOf) -> tuple[str, list[str]]:
    """The dot graph of the drawing, and the placed keys in node order (n0, n1 …)."""
    placed = snapshot.placed_keys()
    index = {key: number for number, key in enumerate(placed)}
    shapes = {key: shape_of(key) for key in placed}
    port_at: dict[str, str] = {}
    for key in placed:
        for number, (port, _y) in enumerate(shapes[key].ports):
            port_at[port] = f"n{index[key]}:p{number}"
    ends = [(owner_a, port_at.get(a, f"n{index[owner_a]}"),
             owner_b, port_at.get(b, f"n{index[owner_b]}"))
            for owner_a, a, owner_b, b in box_links(snapshot, index)]
    depth = _depths(snapshot, placed, [(a, b) for a, _, b, _ in ends])
    lines = ["digraph netwright {",
             "  graph [rankdir=LR, nodesep=0.55, ranksep=1.1, splines=true, newrank=true,"
             " outputorder=edgesfirst];",
             "  node [margin=0];", "  edge [arrowhead=none];"]
    host = [key for key in placed if key not in snapshot.namespaces]
    if host:
        lines.append("  subgraph cluster_host { graph [label=\"\", penwidth=0];")
        lines += [f"    {_node(index[key], shapes[key])};" for key in host]
        lines.append("  }")
    lines += [f"  {_node(index[key], shapes[key])};"  # no user text reaches dot
              for key in placed if key in snapshot.namespaces]
    for owner_a, end_a, owner_b, end_b in ends:
        tail, head = (end_b, end_a) if depth[owner_a] > depth[owner_b] else (end_a, end_b)
        same = depth[owner_a] == depth[owner_b]
        lines.append(f"  {tail} -> {head}" + (SAME_DEPTH if same else "") + ";")
    lines.append("}")
    return "\n".join(lines) + "\n", placed


def _leaf_groups(snapshot: Snapshot, placed: list[str],
                 stars: set[str]) -> list[list[str]]:
    """The boxes wired to nothing but one other box, grouped by that box (the namespaces on
    a NIC's macvlans), for the groups of more than STAGGER_FROM whose box is not in
    ``stars`` (those sit beside their hub's rows: ``_beside_hub``)."""
    groups = leaf_groups(box_links(snapshot, set(placed)))
    return [[leaf for leaf, _, _ in group] for hub, group in groups.items()
            if len(group) > STAGGER_FROM and hub not in stars]


def _beside_hub(centres: dict[str, tuple[float, float]], fan: Fan, shape_of: ShapeOf) -> None:
    """The star's leaves in a column each side of its hub, level with their rows
    (``star_layout.beside``); what dot put left of the hub moves left by the left column's
    width, what it put right moves right, what is above or below moves away by as much as
    the leaves reach past the hub's ends."""
    centre = centres[fan.hub]
    spots = beside(fan, centre, shape_of)
    left, right, up, down = room_beside(fan, centre, spots, shape_of)
    for key, (x, y) in centres.items():
        if key == fan.hub or key in spots:
            continue
        if abs(x - centre[0]) > 1:
            centres[key] = (x - left if x < centre[0] else x + right, y)
        else:  # in the hub's own column, above or below it
            centres[key] = (x, y - up if y < centre[1] else y + down)
    centres.update(spots)


def _spread(centres: dict[str, tuple[float, float]], group: list[str],
            shape_of: ShapeOf) -> None:
    """A tall column of leaves as a block of about √(n/2) columns, in dot's order.

    dot puts every leaf one layer from its parent, all in one column: 200 namespaces on one
    bridge made a column 21,000 units tall and 300 wide, which Fit drew at 3 %. The block
    starts where the column stood, centred on it vertically; the layers to its right move
    right by its added width. A column shared with other boxes is left alone.
    """
    column_x = {centres[key][0] for key in group}
    if len(column_x) > 1 or any(x in column_x for key, (x, _) in centres.items()
                                if key not in group):
        return  # not a column of their own: left as dot placed them
    ordered = sorted(group, key=lambda key: centres[key][1])
    columns = math.ceil(math.sqrt(len(ordered) / 2))
    rows = math.ceil(len(ordered) / columns)
    width = max(shape_of(key).width for key in ordered) + COLUMN_GAP
    height = max(shape_of(key).height for key in ordered) + ROW_GAP
    left = centres[ordered[0]][0]
    for key, (x, y) in centres.items():  # the layers beyond the column make room for it
        if x > left:
            centres[key] = (x + (columns - 1) * width, y)
    middle = (centres[ordered[0]][1] + centres[ordered[-1]][1]) / 2
    top = middle - (rows - 1) * height / 2
    for number, key in enumerate(ordered):
        column, row = divmod(number, rows)
        centres[key] = (left + column * width, top + row * height)


def _depths(snapshot: Snapshot, placed: list[str],
            links: list[tuple[str, str]]) -> dict[str, int]:
    """Breadth-first distance from each connected group's root: a host NIC when the group
    has one, else its best-connected box. Edges then point from lower to higher depth."""
    neighbours: dict[str, list[str]] = {key: [] for key in placed}
    for a, b in links:
        neighbours[a].append(b)
        neighbours[b].append(a)
    order = sorted(placed, key=lambda k: (k not in snapshot.nics, -len(neighbours[k])))
    depth: dict[str, int] = {}
    for root in order:
        if root in depth:
            continue
        depth[root] = 0
        queue = deque([root])
        while queue:
            here = queue.popleft()
            for there in neighbours[here]:
                if there not in depth:
                    depth[there] = depth[here] + 1
                    queue.append(there)
    return depth


def run_dot(source: str, timeout: float | None = None) -> dict[str, object]:
    """Run ``dot -Tjson0`` on ``source`` (stopped after ``timeout`` s, default
    DOT_TIMEOUT_S); its JSON answer, or LayoutUnavailableError."""
    timeout = DOT_TIMEOUT_S if timeout is None else timeout
    program = shutil.which("dot")
    if program is None:
        raise LayoutUnavailableError(
            "Arrange Automatically uses Graphviz's dot, which is not installed here: install"
            " the graphviz package (apt install graphviz) and try again")
    try:
        done = subprocess.run([program, "-Tjson0"], input=source, capture_output=True,
                              text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise LayoutUnavailableError(
            f"Graphviz's dot took more than {timeout:.0f} s to arrange this design and was"
            " stopped; nothing was moved") from None
    except OSError as exc:
        raise LayoutUnavailableError(f"Graphviz's dot could not be started: {exc}") from None
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise LayoutUnavailableError(f"Graphviz's dot could not arrange this design: {said}")
    try:
        answer = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise LayoutUnavailableError("Graphviz's dot gave an answer Netwright cannot read")\
            from None
    if not isinstance(answer, dict):
        raise LayoutUnavailableError("Graphviz's dot gave an answer Netwright cannot read")
    return answer


def dot_positions(snapshot: Snapshot, shape_of: ShapeOf, timeout: float | None = None,
                  grid: float = 0.0) -> dict[str, tuple[float, float]]:
    """Centres for every placed item, from dot, in canvas coordinates (y down), on the
    ``grid`` when it is not 0 (``_tidy``: snapped here, not after: a star leaf is not).

    >>> dot_positions(snapshot, shape_of)  # doctest: +SKIP
    {'br-int': (0.0, 0.0), 'vm1': (-260.0, 40.0), ...}
    """
    source, placed = dot_source(snapshot, shape_of)
    if not placed:
        return {}
    answer = run_dot(source, timeout)
    centres: dict[str, tuple[float, float]] = {}
    objects = answer.get("objects", [])
    for obj in objects if isinstance(objects, list) else []:
        name, pos = obj.get("name", ""), obj.get("pos")
        if not (isinstance(name, str) and name.startswith("n") and name[1:].isdigit()
                and isinstance(pos, str) and int(name[1:]) < len(placed)):
            continue
        x, y = (float(v) for v in pos.split(",")[:2])
        centres[placed[int(name[1:])]] = (x, -y)
    missing = [key for key in placed if key not in centres]
    if missing:
        raise LayoutUnavailableError(f"Graphviz's dot placed no position for {missing[0]}")
    stars = fans(box_links(snapshot, set(placed)), shape_of, STAGGER_FROM)
    for fan in stars:
        _beside_hub(centres, fan, shape_of)
    for group in _leaf_groups(snapshot, placed, {fan.hub for fan in stars}):
        _spread(centres, group, shape_of)
    return _tidy(centres, stars, grid)


def _tidy(centres: dict[str, tuple[float, float]], stars: list[Fan],
          grid: float) -> dict[str, tuple[float, float]]:
    """Centred on the origin, on whole units (the file stays tidy) or on the ``grid`` when it
    is not 0, except a star leaf's height: it keeps its distance from its hub's, so it stays
    level with its row (rows are 36 units apart: on a 20-unit grid, neighbouring leaves 4
    units apart were snapped onto each other)."""
    def whole(value: float) -> float:
        return round(value / grid) * grid if grid else round(value)

    mid_x = (min(x for x, _ in centres.values()) + max(x for x, _ in centres.values())) / 2
    mid_y = (min(y for _, y in centres.values()) + max(y for _, y in centres.values())) / 2
    hub_of = {leaf.key: fan.hub for fan in stars for leaf in fan.leaves}
    placed: dict[str, tuple[float, float]] = {
        key: (whole(x - mid_x), whole(y - mid_y)) for key, (x, y) in centres.items()
        if key not in hub_of}
    for key, hub in hub_of.items():
        x, y = centres[key]
        placed[key] = (whole(x - mid_x), placed[hub][1] + round(y - centres[hub][1]))
    return {key: placed[key] for key in centres}
