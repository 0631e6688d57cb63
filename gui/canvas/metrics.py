"""How readable a drawing is, in numbers: wire crossings, wires through boxes, boxes on boxes.

Arrange Automatically is judged by these (README, "Layout"): a wire that crosses another, a
wire that runs through a box it does not belong to and two boxes on top of each other are what
make a diagram hard to read. The geometry is plain tuples so the same counts apply to any
drawing; ``measure_scene`` reads them off a live canvas scene.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from netwright.gui.canvas.scene import TopologyScene

Point = tuple[float, float]
Rect = tuple[float, float, float, float]  # left, top, right, bottom


@dataclass(frozen=True)
class DrawnWire:
    """A wire as drawn: its points, and the boxes its two ends belong to (it may enter them)."""

    points: Sequence[Point]
    owners: frozenset[str]


@dataclass(frozen=True)
class Readability:
    wire_crossings: int  # pairs of wires that cross
    wires_through_boxes: int  # (wire, box) pairs where a wire runs through a box not its own
    box_overlaps: int  # pairs of boxes that overlap

    def as_dict(self) -> dict[str, int]:
        return {"wire_crossings": self.wire_crossings,
                "wires_through_boxes": self.wires_through_boxes,
                "box_overlaps": self.box_overlaps}


def _cross(o: Point, a: Point, b: Point) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def segments_cross(p1: Point, p2: Point, q1: Point, q2: Point) -> bool:
    """True when the two segments properly cross (touching at an end does not count)."""
    d1, d2 = _cross(q1, q2, p1), _cross(q1, q2, p2)
    d3, d4 = _cross(p1, p2, q1), _cross(p1, p2, q2)
    return d1 * d2 < 0 and d3 * d4 < 0


def _bounds(points: Sequence[Point]) -> Rect:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _apart(a: Rect, b: Rect) -> bool:
    return a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1]


def _touch(p1: Point, p2: Point, q1: Point, q2: Point) -> Point | None:
    """Where two segments meet when one's end lies on the other (not a proper crossing)."""
    d1, d2 = _cross(q1, q2, p1), _cross(q1, q2, p2)
    d3, d4 = _cross(p1, p2, q1), _cross(p1, p2, q2)
    if d1 * d2 > 0 or d3 * d4 > 0 or (d1 == d2 == 0):
        return None  # apart, or collinear (overlapping wires are not counted here)
    for value, point in ((d1, p1), (d2, p2), (d3, q1), (d4, q2)):
        if value == 0:
            return point
    return None


def wires_cross(a: Sequence[Point], b: Sequence[Point]) -> bool:
    """True when two drawn wires cross anywhere but at their own ends (two wires of one
    port may start at the same point); a crossing exactly at a corner of both counts."""
    if len(a) < 2 or len(b) < 2 or _apart(_bounds(a), _bounds(b)):
        return False
    ends = (a[0], a[-1], b[0], b[-1])
    for i in range(len(a) - 1):
        for j in range(len(b) - 1):
            if segments_cross(a[i], a[i + 1], b[j], b[j + 1]):
                return True
            point = _touch(a[i], a[i + 1], b[j], b[j + 1])
            if point is not None and all(abs(point[0] - e[0]) + abs(point[1] - e[1]) > 0.5
                                         for e in ends):
                return True
    return False


def clip_segment(p1: Point, p2: Point, rect: Rect, *, inside_only: bool = False
                 ) -> tuple[float, float] | None:
    """Parameters (t0, t1) of the part of segment p1→p2 in ``rect`` (Liang–Barsky), None
    where there is none; ``inside_only``: a segment that only runs along or touches the
    border is not in it."""
    left, top, right, bottom = rect
    x1, y1 = p1
    dx, dy = p2[0] - x1, p2[1] - y1
    low, high = 0.0, 1.0
    for p, q in ((-dx, x1 - left), (dx, right - x1), (-dy, y1 - top), (dy, bottom - y1)):
        if p == 0:
            if q < 0 or (inside_only and q == 0):
                return None
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high or (inside_only and low == high):
            return None
    return low, high


def segment_hits_rect(p1: Point, p2: Point, rect: Rect) -> bool:
    """True when the segment passes through the inside of ``rect``."""
    return clip_segment(p1, p2, rect, inside_only=True) is not None


def measure(boxes: dict[str, Rect], wires: Sequence[DrawnWire]) -> Readability:
    """Count crossings, wires through foreign boxes and overlapping boxes."""
    crossings = sum(1 for a, b in itertools.combinations(wires, 2)
                    if wires_cross(a.points, b.points))
    through = 0
    for wire in wires:
        if len(wire.points) < 2:
            continue
        span = _bounds(wire.points)
        for key, rect in boxes.items():
            if key in wire.owners or _apart(span, rect):
                continue
            inner = (rect[0] + 1, rect[1] + 1, rect[2] - 1, rect[3] - 1)
            if any(segment_hits_rect(wire.points[i], wire.points[i + 1], inner)
                   for i in range(len(wire.points) - 1)):
                through += 1
    ordered = sorted(boxes.values())
    overlaps = 0
    for index, a in enumerate(ordered):  # sweep on the left edge
        for b in ordered[index + 1:]:
            if b[0] >= a[2]:
                break
            if b[1] < a[3] and a[1] < b[3]:
                overlaps += 1
    return Readability(crossings, through, overlaps)


def measure_scene(scene: TopologyScene) -> Readability:
    """The counts for what ``scene`` draws now (visible wires, every box)."""
    boxes: dict[str, Rect] = {}
    for key, node in scene.nodes.items():
        rect = node.mapRectToScene(node.shape().boundingRect())
        boxes[key] = (rect.left(), rect.top(), rect.right(), rect.bottom())
    drawn = []
    for wire in scene.wires.values():
        if not wire.isVisible():
            continue
        owners = frozenset(owner for owner in (scene.owner_of(wire.a), scene.owner_of(wire.b))
                           if owner is not None)
        drawn.append(DrawnWire([(p.x(), p.y()) for p in wire.polyline()], owners))
    return measure(boxes, drawn)
