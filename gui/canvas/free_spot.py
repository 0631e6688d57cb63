"""Where a new item goes when it is added without a drop point (palette double-click, Enter).

Items added at the view's centre landed on top of each other. A new item now goes to the
free spot closest to a point (the view's centre, or the selected item), searched on the
snap grid in growing rings, so nothing already drawn is covered. Items that cover others
(a copy, boxes let go on top of another) are moved by ``clear_offset`` the same way; items
an arrow key moved onto another go on the key's way, past it (``clear_ahead``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from PySide6.QtCore import QPointF, QRectF, QSizeF

from netwright.gui.canvas.items import NAMESPACE_WIDTH, NODE_HEIGHT, NODE_WIDTH, namespace_height
from netwright.gui.model.edits import VETH_SPREAD

GAP = 20.0  # free room kept around every item
MAX_RINGS = 60
BADGE_ROOM = 20.0  # an item's bounding box reaches past its shape (problem badge, outline)


def new_item_size(kind: str) -> QSizeF:
    """The room a new item of ``kind`` takes on the host (a veth pair: both ends)."""
    if kind in ("namespace", "bridge"):  # boxes with rows of ports
        width, height = NAMESPACE_WIDTH, namespace_height(0)
    elif kind == "veth":
        width, height = NODE_WIDTH + VETH_SPREAD, NODE_HEIGHT
    else:
        width, height = NODE_WIDTH, NODE_HEIGHT
    return QSizeF(width + BADGE_ROOM, height + BADGE_ROOM)


def _box(centre: QPointF, size: QSizeF, kind: str) -> QRectF:
    """The rectangle an item centred at ``centre`` covers (a veth pair reaches right)."""
    width = size.width() - (VETH_SPREAD if kind == "veth" else 0.0)
    left = centre.x() - width / 2
    return QRectF(left, centre.y() - size.height() / 2, size.width(), size.height())


def free_spot(occupied: Iterable[QRectF], near: QPointF, kind: str, step: float,
              size: QSizeF | None = None) -> QPointF:
    """The grid point closest to ``near`` where an item of ``kind`` (of ``size``: a copy of
    a box with ports, else a new one's) covers nothing.

    >>> free_spot([QRectF(-100, -30, 200, 60)], QPointF(0, 0), "bridge", 20.0).y() != 0
    True
    """
    taken = [rect.adjusted(-GAP, -GAP, GAP, GAP) for rect in occupied]
    size = new_item_size(kind) if size is None else \
        QSizeF(size.width() + BADGE_ROOM, size.height() + BADGE_ROOM)
    origin = QPointF(round(near.x() / step) * step, round(near.y() / step) * step)
    for ring in range(MAX_RINGS):
        ring_points = [QPointF(origin.x() + dx * step, origin.y() + dy * step)
                       for dx in range(-ring, ring + 1) for dy in range(-ring, ring + 1)
                       if max(abs(dx), abs(dy)) == ring]
        ring_points.sort(key=lambda p: math.hypot(p.x() - near.x(), p.y() - near.y()))
        for point in ring_points:
            box = _box(point, size, kind)
            if not any(box.intersects(rect) for rect in taken):
                return point
    return origin


def clear_offset(occupied: Iterable[QRectF], group: QRectF, step: float,
                 near: QPointF | None = None) -> QPointF:
    """How far to move items covering ``group`` so they cover none of ``occupied``: to the
    free grid point nearest ``near`` (by default where they are), in whole steps.

    >>> clear_offset([QRectF(0, 0, 100, 100)], QRectF(80, 0, 100, 100), 20.0).x() > 0
    True
    """
    centre = group.center()
    spot = free_spot(occupied, centre if near is None else near, "", step, group.size()) - centre
    # whole steps, so items on the grid stay on it (half a step at most: inside the GAP)
    return QPointF(round(spot.x() / step) * step, round(spot.y() / step) * step)


def clear_ahead(occupied: Iterable[QRectF], group: QRectF, step: float,
                direction: QPointF) -> QPointF:
    """How much further items covering ``group`` go in ``direction`` (an arrow key's: one
    of x, y is 1 or -1, the other 0) so they cover none of ``occupied``: in whole steps,
    just past what is in the way, with the room ``free_spot`` keeps.

    The free spot nearest would be back where the key came from, most often: a box pressed
    onto its neighbour would move against the key, and could never get past it.

    >>> clear_ahead([QRectF(0, 0, 100, 100)], QRectF(80, 0, 100, 100), 20.0, QPointF(1, 0))
    PySide6.QtCore.QPointF(60.000000, 0.000000)
    """
    taken = [rect.adjusted(-GAP, -GAP, GAP, GAP) for rect in occupied]
    half = BADGE_ROOM / 2
    box = group.adjusted(-half, -half, half, half)
    dx, dy = direction.x(), direction.y()
    distance = 0.0
    while True:  # each round goes past one more item in the way: it ends
        moved = box.translated(dx * distance, dy * distance)
        blocking = [rect for rect in taken if moved.intersects(rect)]
        if not blocking:
            return QPointF(dx * distance, dy * distance)
        past = max(_past(moved, rect, dx, dy) for rect in blocking)
        distance += math.ceil(past / step - 1e-9) * step


def _past(box: QRectF, rect: QRectF, dx: float, dy: float) -> float:
    """How far ``box`` goes in direction (dx, dy) until it no longer covers ``rect``."""
    if dx > 0:
        return rect.right() - box.left()
    if dx < 0:
        return box.right() - rect.left()
    if dy > 0:
        return rect.bottom() - box.top()
    return box.bottom() - rect.top()
