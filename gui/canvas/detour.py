"""A wire that would cross a box it does not belong to goes around it.

A veth between ports of two bridges was drawn straight across a namespace box that sat
between them, so it looked like one of the namespace's interfaces. Here the wire's curve is
sampled; if it crosses a box other than its ends' own, it is routed above or below those
boxes (whichever is the shorter way round), with a clearance, checked again against the
boxes on the new way (a few rounds; what still crosses then stays as it is). Pure geometry.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Container, Mapping
from itertools import pairwise

from PySide6.QtCore import QLineF, QPointF, QRectF
from PySide6.QtGui import QPainterPath

from netwright.gui.canvas.metrics import clip_segment

CLEARANCE = 18.0  # px between a detour and the box it goes round
SAMPLES = 32  # straight pieces a curve is tested as
ROUNDS = 3  # times a detour is checked again against the boxes on its new way
#: A wire through more boxes than this is drawn straight: a way round them all would be
#: longer than the design is wide and no clearer (a NIC's macvlans down a grid of 1,000
#: namespaces each crossed dozens), and finding every one cost seconds per file opened.
MOST_BOXES = 4


def clip_line(line: QLineF, rect: QRectF) -> tuple[float, float] | None:
    """Parameters (t0, t1) of the part of ``line`` inside ``rect`` (``metrics.clip_segment``)."""
    return clip_segment((line.x1(), line.y1()), (line.x2(), line.y2()),
                        (rect.left(), rect.top(), rect.right(), rect.bottom()))


#: The boxes a wire must not cross that lie in an area (``BoxIndex.near`` with the wire's
#: own boxes left out).
Near = Callable[[QRectF], list[QRectF]]


class BoxIndex:
    """The boxes of a scene, sorted by their left edge, for the wires to ask which lie near
    them: a wire looked at every box, and 1,500 wires among 1,000 boxes (``bench_gui``) made
    1.5 million tests each time every wire was routed (opening the file, Arrange)."""

    def __init__(self, boxes: Mapping[str, QRectF]) -> None:
        self._items = sorted(((rect.left(), rect.top(), rect.right(), rect.bottom(), key, rect)
                              for key, rect in boxes.items()), key=lambda item: item[0])
        self._lefts = [item[0] for item in self._items]
        self._widest = max((item[2] - item[0] for item in self._items), default=0.0)

    def near(self, area: QRectF, without: Container[str | None] = ()) -> list[QRectF]:
        """The boxes that meet ``area``, but those of ``without`` (the wire's own)."""
        left, top, right, bottom = area.left(), area.top(), area.right(), area.bottom()
        first = bisect_left(self._lefts, left - self._widest)
        last = bisect_right(self._lefts, right)
        return [rect for (_l, box_top, box_right, box_bottom, key, rect)
                in self._items[first:last]
                if box_right >= left and box_bottom >= top and box_top <= bottom
                and key not in without]


def crossed(path: QPainterPath, near: Near, most: int | None = None) -> list[QRectF]:
    """The boxes that ``path`` runs through (its ends may touch them: a port on a border);
    ``most``: stop looking once more than that many are found.

    Each of the curve's pieces is clipped only against boxes its own bounding box meets: a
    long diagonal wire's bounding box holds most of a large design's boxes, and clipping
    all 32 pieces against each (300 namespaces on one bridge: 930,000 clips) took seconds
    to open such a file."""
    candidates = near(path.controlPointRect().adjusted(-1, -1, 1, 1))
    if not candidates:
        return []
    pieces = list(pairwise(_samples(path)))
    spans = [(min(a[0], b[0]), max(a[0], b[0]), min(a[1], b[1]), max(a[1], b[1]))
             for a, b in pieces]
    hit = []
    for box in candidates:
        # touching the border is not crossing
        left, top, right, bottom = box.left() + 2, box.top() + 2, box.right() - 2, \
            box.bottom() - 2
        for (a, b), (x0, x1, y0, y1) in zip(pieces, spans, strict=True):
            if x1 < left or x0 > right or y1 < top or y0 > bottom:
                continue
            if clip_segment(a, b, (left, top, right, bottom)) is not None:
                hit.append(box)
                break
        if most is not None and len(hit) > most:
            break
    return hit


def _samples(path: QPainterPath) -> list[tuple[float, float]]:
    """``SAMPLES`` + 1 points along ``path``: a single cubic (every straight route) worked
    out here from its control points, evenly in its parameter; anything else (a detour)
    by Qt, evenly along its length. Qt's 33 calls per wire were a third of a large file's
    routing."""
    if path.elementCount() == 4 and path.elementAt(1).type == \
            QPainterPath.ElementType.CurveToElement:  # moveTo, then one cubicTo's three
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = (
            (element.x, element.y) for element in map(path.elementAt, range(4)))
        out = []
        for i in range(SAMPLES + 1):
            t = i / SAMPLES
            u = 1 - t
            a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
            out.append((a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3))
        return out
    return [(point.x(), point.y())
            for point in map(path.pointAtPercent, (i / SAMPLES for i in range(SAMPLES + 1)))]


def around(start: QPointF, out: QPointF, end: QPointF, into: QPointF, *,
           path: QPainterPath, near: Near) -> QPainterPath:
    """``path`` (start → end), or a detour round the boxes (``near``) it crosses, unless
    there are more than ``MOST_BOXES`` of them."""
    hit = crossed(path, near, MOST_BOXES)
    if not hit or len(hit) > MOST_BOXES:
        return path
    blocked = QRectF(hit[0])
    for box in hit[1:]:
        blocked = blocked.united(box)
    best = path
    for _ in range(ROUNDS):
        detour = _detour(start, out, end, into, blocked)
        more = [box for box in crossed(detour, near, MOST_BOXES)
                if not blocked.contains(box)]
        best = detour
        if not more:
            return detour
        for box in more:
            blocked = blocked.united(box)
    return best


def _detour(start: QPointF, out: QPointF, end: QPointF, into: QPointF,
            blocked: QRectF) -> QPainterPath:
    """Leave along ``out``, pass above or below ``blocked`` and arrive along ``into``."""
    top, bottom = blocked.top() - CLEARANCE, blocked.bottom() + CLEARANCE
    cost_top = abs(start.y() - top) + abs(end.y() - top)
    cost_bottom = abs(start.y() - bottom) + abs(end.y() - bottom)
    y = top if cost_top <= cost_bottom else bottom
    rightwards = end.x() >= start.x()
    near_x = blocked.left() - CLEARANCE if rightwards else blocked.right() + CLEARANCE
    far_x = blocked.right() + CLEARANCE if rightwards else blocked.left() - CLEARANCE
    # a port right beside the box: the corner is its own, straight up or down from it
    if (near_x - start.x()) * (1 if rightwards else -1) < 0:
        near_x = start.x() + out.x() * CLEARANCE
    if (end.x() - far_x) * (1 if rightwards else -1) < 0:
        far_x = end.x() + into.x() * CLEARANCE
    first, last = QPointF(near_x, y), QPointF(far_x, y)
    reach = CLEARANCE * 2
    path = QPainterPath(start)
    path.cubicTo(start + out * reach, QPointF(near_x - (reach if rightwards else -reach), y),
                 first)
    path.lineTo(last)
    path.cubicTo(QPointF(far_x + (reach if rightwards else -reach), y), end + into * reach, end)
    return path
