"""A wire that would cross a box it does not belong to goes around it.

A veth between ports of two bridges was drawn straight across a namespace box that sat
between them, so it looked like one of the namespace's interfaces. Here the wire's curve is
sampled; if it crosses a box other than its ends' own, it is routed above or below those
boxes (whichever is the shorter way round), with a clearance, checked again against the
boxes on the new way (a few rounds; what still crosses then stays as it is). Pure geometry.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from PySide6.QtCore import QLineF, QPointF, QRectF
from PySide6.QtGui import QPainterPath

from netwright.gui.canvas.metrics import clip_segment

CLEARANCE = 18.0  # px between a detour and the box it goes round
SAMPLES = 32  # straight pieces a curve is tested as
ROUNDS = 3  # times a detour is checked again against the boxes on its new way


def clip_line(line: QLineF, rect: QRectF) -> tuple[float, float] | None:
    """Parameters (t0, t1) of the part of ``line`` inside ``rect`` (``metrics.clip_segment``)."""
    return clip_segment((line.x1(), line.y1()), (line.x2(), line.y2()),
                        (rect.left(), rect.top(), rect.right(), rect.bottom()))


def crossed(path: QPainterPath, boxes: Sequence[QRectF]) -> list[QRectF]:
    """The boxes that ``path`` runs through (its ends may touch them: a port on a border).

    Each of the curve's pieces is clipped only against boxes its own bounding box meets: a
    long diagonal wire's bounding box holds most of a large design's boxes, and clipping
    all 32 pieces against each (300 namespaces on one bridge: 930,000 clips) took seconds
    to open such a file."""
    points = [path.pointAtPercent(i / SAMPLES) for i in range(SAMPLES + 1)]
    pieces = [((a.x(), a.y()), (b.x(), b.y())) for a, b in pairwise(points)]
    spans = [(min(a[0], b[0]), max(a[0], b[0]), min(a[1], b[1]), max(a[1], b[1]))
             for a, b in pieces]
    area = path.controlPointRect().adjusted(-1, -1, 1, 1)
    hit = []
    for box in boxes:
        if not box.intersects(area):
            continue
        # touching the border is not crossing
        left, top, right, bottom = box.left() + 2, box.top() + 2, box.right() - 2, \
            box.bottom() - 2
        for (a, b), (x0, x1, y0, y1) in zip(pieces, spans, strict=True):
            if x1 < left or x0 > right or y1 < top or y0 > bottom:
                continue
            if clip_segment(a, b, (left, top, right, bottom)) is not None:
                hit.append(box)
                break
    return hit


def around(start: QPointF, out: QPointF, end: QPointF, into: QPointF, *,
           path: QPainterPath, boxes: Sequence[QRectF]) -> QPainterPath:
    """``path`` (start → end), or a detour round the boxes it crosses."""
    hit = crossed(path, boxes)
    if not hit:
        return path
    blocked = QRectF(hit[0])
    for box in hit[1:]:
        blocked = blocked.united(box)
    best = path
    for _ in range(ROUNDS):
        detour = _detour(start, out, end, into, blocked)
        more = [box for box in crossed(detour, boxes) if not blocked.contains(box)]
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
