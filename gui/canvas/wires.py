"""Wires: one hit-testable item per relation, painted together by one layer item.

A QGraphicsItem per wire would cost a Python ``paint()`` call per wire and frame, and Qt
strokes dash patterns along the whole of a long line even where it is clipped away. So each
``WireItem`` only answers hit tests and selection (``ItemHasNoContents``), and ``WireLayer``
draws every visible wire in a few ``drawLines`` calls, grouped by pen, clipped to the exposed
area first. Level of detail: zoomed out, or when the visible wires add up to more ink than a
frame can afford, wires are drawn solid and without antialiasing (colour still tells the
relation); otherwise each relation has its own dash pattern, and arrows mark the parent,
bridge or underlay end.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from netwright.gui.canvas.detour import Near, around, clip_line
from netwright.gui.canvas.theme import Theme

DETAIL_LOD = 0.45
Piece = tuple[float, float, float, float, float, float, float, float]
CURVE_PIECES = 12  # straight pieces of a curve that is partly in view
INK_BUDGET = 60_000.0  # device pixels of dashed, antialiased wire per frame (~10 ms here)
WIRE_DASHES: dict[str, list[float] | None] = {
    "peer": None, "master": [5.0, 3.0], "parent": [1.5, 2.5], "dev": [6.0, 2.0, 1.5, 2.0],
    "remote": [2.0, 4.0],
}
WIRE_WIDTHS = {"peer": 2.6, "master": 1.8, "parent": 1.8, "dev": 1.6, "remote": 1.4}


def describe_wire(relation: str, a: str, b: str) -> str:
    return {
        "peer": f"veth pair {a} ↔ {b}",
        "master": f"{a} is a port of bridge {b}",
        "parent": f"{a} is a child of its parent {b}",
        "dev": f"vxlan {a} runs over {b}",
        "remote": f"vxlan {a} sends to {b}'s address (its remote)",
    }.get(relation, f"{a} — {b}")


class WireItem(QGraphicsItem):
    """A relation between two endpoints; hit-testable and selectable, painted by the layer."""

    def __init__(self, relation: str, a: str, b: str, layer: WireLayer) -> None:
        super().__init__()
        self.relation, self.a, self.b = relation, a, b
        self.layer = layer
        self.result: str | None = None  # "reachable"/"unreachable" after a check
        self.line = QLineF()
        self.path = QPainterPath()
        self._segments: list[Piece] | None = None
        self.curved = False
        self.label: Any = None  # a wire_labels.WireLabel when its ends are impaired
        self.measure_label: Any = None  # a measure_label.MeasureLabel on a measured path
        self.setZValue(0)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self.setToolTip(describe_wire(relation, a, b))

    @property
    def ident(self) -> tuple[str, str, str]:
        return (self.relation, self.a, self.b)

    def set_route(self, start: QPointF, out: QPointF, end: QPointF, into: QPointF,
                  near: Near = lambda _area: []) -> None:
        """A wire leaving ``start`` in direction ``out`` and arriving at ``end`` from
        direction ``into`` (unit vectors pointing away from each endpoint): a cubic curve
        that starts and ends along them, so it visibly belongs to the ports it joins; round
        any box it does not belong to (``near``: those in an area) it would cross."""
        line = QLineF(start, end)
        path = around(start, out, end, into, path=route_path(start, out, end, into),
                      near=near)
        if line != self.line or path != self.path:
            self.layer.invalidate(self.boundingRect())
            self.prepareGeometryChange()
            self.line, self.path = line, path
            self.curved = path.elementCount() > 2
            self._segments = None
            self.layer.invalidate(self.boundingRect())
            if self.label is not None:
                self.label.place(path)
            if self.measure_label is not None:
                self.measure_label.place(path)

    def head(self) -> QLineF:
        """The last stretch of the wire, for its arrowhead."""
        if self.path.elementCount() > 2:
            return QLineF(self.path.pointAtPercent(0.97), self.line.p2())
        return self.line

    def polyline(self) -> list[QPointF]:
        """The drawn wire as points (for hit tests and the readability counts)."""
        polygons = self.path.toSubpathPolygons()
        if not polygons:
            return [self.line.p1(), self.line.p2()]
        return [polygons[0].at(i) for i in range(polygons[0].count())]

    def segments(self) -> list[Piece]:
        """The wire as CURVE_PIECES straight pieces, each (its box: left, top, right, bottom;
        then its ends: x0, y0, x1, y1), flattened once per route: painting tests these as
        plain floats and clips only those partly in view."""
        if self._segments is None:
            pieces = CURVE_PIECES * (3 if self.path.elementCount() > 4 else 1)  # a detour
            points = [self.path.pointAtPercent(i / pieces) for i in range(pieces + 1)]
            self._segments = [
                (min(a.x(), b.x()), min(a.y(), b.y()), max(a.x(), b.x()), max(a.y(), b.y()),
                 a.x(), a.y(), b.x(), b.y()) for a, b in pairwise(points)]
        return self._segments

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self.path.controlPointRect().united(
            QRectF(self.line.p1(), self.line.p2()).normalized()).adjusted(-10, -10, 10, 10)

    def shape(self) -> QPainterPath:
        outline = QPainterPathStroker()
        outline.setWidth(8)
        return outline.createStroke(self.path)

    def set_result(self, result: str | None) -> None:
        if result != self.result:
            self.result = result
            self.layer.invalidate(self.boundingRect())

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:  # noqa: N802
        if change in (QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged,
                      QGraphicsItem.GraphicsItemChange.ItemVisibleHasChanged):
            self.layer.invalidate(self.boundingRect())
        # its labels are items of the scene's own (drawn above the boxes): they follow the
        # wire out of sight and out of the scene
        labels = [label for label in (self.label, self.measure_label) if label is not None]
        if change == QGraphicsItem.GraphicsItemChange.ItemVisibleHasChanged:
            for label in labels:  # an impairment label with no room stays hidden
                label.setVisible(bool(value) and getattr(label, "fits", True))
        elif change == QGraphicsItem.GraphicsItemChange.ItemSceneHasChanged and value is None:
            for label in labels:
                if label.scene() is not None:
                    label.scene().removeItem(label)
        return super().itemChange(change, value)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        return  # the WireLayer paints every wire


class WireLayer(QGraphicsItem):
    """Paints all wires of a scene, batched by pen."""

    def __init__(self, theme: Theme, wires: Callable[[], Iterable[WireItem]],
                 nodes: Callable[[], Iterable[QGraphicsItem]]) -> None:
        super().__init__()
        self.theme = theme
        self._wires = wires
        self._nodes = nodes
        self._rect = QRectF()
        self._overview: dict[tuple[str, str, bool], list[QLineF]] | None = None
        self._boxes: list[tuple[float, float, float, float, tuple[str, str, bool],
                                WireItem]] | None = None
        self._box_cache: tuple[dict[str, list[QRectF]], list[QRectF]] | None = None
        self.setZValue(0)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def invalidate(self, rect: QRectF | None = None) -> None:
        """A wire moved, was added or removed, or changed colour: repaint, regroup."""
        self._overview = None
        self._boxes = None
        self._box_cache = None
        if rect is None:
            self.update()
        else:
            self.update(rect)

    def set_rect(self, rect: QRectF) -> None:
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = QRectF(rect)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect

    def _key(self, wire: WireItem) -> tuple[str, str, bool]:
        return (wire.relation, self.colour(wire).name(), wire.isSelected())

    def _group_all(self) -> dict[tuple[str, str, bool], list[QLineF]]:
        groups: dict[tuple[str, str, bool], list[QLineF]] = defaultdict(list)
        for wire in self._wires():
            if wire.isVisible():
                groups[self._key(wire)].append(wire.line)
        return groups

    def _wire_boxes(self) -> list[tuple[float, float, float, float, tuple[str, str, bool],
                                        WireItem]]:
        boxes = []
        for wire in self._wires():
            if wire.isVisible():
                box = wire.path.controlPointRect()
                boxes.append((box.left(), box.top(), box.right(), box.bottom(),
                              self._key(wire), wire))
        return boxes

    def colour(self, wire: WireItem) -> QColor:
        if wire.isSelected():
            return self.theme.selection
        if wire.result == "reachable":
            return self.theme.reachable
        if wire.result == "unreachable":
            return self.theme.unreachable
        return self.theme.relation(wire.relation)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        exposed = option.exposedRect.adjusted(-6, -6, 6, 6)
        lod = float(option.levelOfDetailFromTransform(painter.worldTransform()))
        heads: list[tuple[QLineF, QColor]] = []
        curves: dict[tuple[str, str, bool], QPainterPath] = defaultdict(QPainterPath)
        ink = 0.0
        if lod < DETAIL_LOD:  # whole lines, grouped once: Qt clips solid lines cheaply
            if self._overview is None:
                self._overview = self._group_all()
            groups = self._overview
        else:
            groups = defaultdict(list)
            if self._boxes is None:
                self._boxes = self._wire_boxes()
            left, top, right, bottom = (exposed.left(), exposed.top(), exposed.right(),
                                        exposed.bottom())
            visible: list[tuple[QLineF, tuple[float, float], tuple[str, str, bool], str,
                                bool]] = []
            inside: dict[tuple[str, str, bool], list[QLineF]] = defaultdict(list)
            for x0, y0, x1, y1, key, wire in self._boxes:
                if x1 < left or x0 > right or y1 < top or y0 > bottom:
                    continue  # plain floats: the cheapest test, for most wires
                line = wire.line
                if wire.curved:
                    if x0 >= left and x1 <= right and y0 >= top and y1 <= bottom:  # all of it
                        curves[key].addPath(wire.path)
                        ink += wire.path.length() * lod
                        if wire.relation != "peer":
                            heads.append((wire.head(), QColor(key[1])))
                        continue
                    # Partly in view: only its flattened pieces in view (a dash pattern is
                    # stroked along the whole of a path, even where it is clipped away).
                    for low_x, low_y, high_x, high_y, ax, ay, bx, by in wire.segments():
                        if high_x < left or low_x > right or high_y < top or low_y > bottom:
                            continue
                        # Drawn whole: a piece is short, and its dashes start at its own
                        # fixed end, so they do not crawl while panning.
                        inside[key].append(QLineF(ax, ay, bx, by))
                        ink += (high_x - low_x + high_y - low_y) * lod
                    if wire.relation != "peer" and exposed.contains(line.p2()):
                        heads.append((wire.head(), QColor(key[1])))
                    continue
                span = clip_line(line, exposed)
                if span is not None:
                    visible.append((line, span, key, wire.relation, True))
                    ink += line.length() * (span[1] - span[0]) * lod
            solid = ink > INK_BUDGET
            for key, pieces in inside.items():
                groups[key].extend(pieces)
            for line, span, key, relation, whole in visible:
                groups[key].append(QLineF(line.pointAt(span[0]), line.pointAt(span[1])) if solid
                                   else self._dash_aligned(line, span, relation))
                if not solid and whole and relation != "peer" and span[1] >= 1.0 \
                        and line.length() > 20:
                    heads.append((line, QColor(key[1])))
            for key in curves:
                groups.setdefault(key, [])
        overview = lod < DETAIL_LOD
        fast = overview or ink > INK_BUDGET
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, not fast)
        for key, lines in groups.items():
            relation, _name, selected = key
            width = WIRE_WIDTHS.get(relation, 1.5) + (1.0 if selected else 0.0)
            # Zoomed out: about one device pixel, not a cosmetic pen (whose raster path is
            # several times slower here).
            pen = QPen(QColor(key[1]), 1.2 / lod if overview else width)
            dashes = WIRE_DASHES.get(relation)
            if dashes and not fast:
                pen.setDashPattern(dashes)
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            painter.setPen(pen)
            if lines:
                painter.drawLines(lines)
            if not overview and key in curves:
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawPath(curves[key])
        if not fast:
            painter.setPen(Qt.PenStyle.NoPen)
            for line, colour in heads:
                painter.setBrush(QBrush(colour))
                painter.drawPolygon(_arrow(line))
        if overview:
            self._paint_boxes(painter, exposed, lod)

    def _paint_boxes(self, painter: QPainter, exposed: QRectF, lod: float) -> None:
        """Zoomed out, the boxes too are drawn here, a few ``drawRects`` in all (their own
        items have no contents then; they still take clicks and drags)."""
        if self._box_cache is None:  # rebuilt after a move, a selection or an edit
            fills: dict[str, list[QRectF]] = defaultdict(list)
            chosen: list[QRectF] = []
            for node in self._nodes():
                rect = node.sceneBoundingRect().adjusted(10, 10, -10, -10)
                fills[getattr(node, "kind", "")].append(rect)
                if node.isSelected():
                    chosen.append(rect)
            self._box_cache = (fills, chosen)
        fills, selected = self._box_cache
        painter.setPen(QPen(self.theme.box_edge, 1.0 / lod))
        for kind, rects in fills.items():
            painter.setBrush(self.theme.box if kind == "namespace" else self.theme.kind(kind))
            painter.drawRects(rects)
        if selected:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(self.theme.selection, 3.0 / lod))
            painter.drawRects(selected)

    @staticmethod
    def _dash_aligned(line: QLineF, span: tuple[float, float], relation: str) -> QLineF:
        """The clipped part, started on a whole dash period so the pattern does not crawl."""
        dashes = WIRE_DASHES.get(relation)
        t0, t1 = span
        length = line.length()
        if dashes and length > 0 and t0 > 0:
            period = sum(dashes) * WIRE_WIDTHS.get(relation, 1.5)
            start = math.floor(t0 * length / period) * period
            t0 = start / length
        return QLineF(line.pointAt(t0), line.pointAt(t1))


def route_path(start: QPointF, out: QPointF, end: QPointF, into: QPointF) -> QPainterPath:
    """A straight line when no direction is given, else a cubic curve leaving along ``out``
    and arriving along ``into``; a wire between two ports on one side of one box bulges out
    beside the box (further for ports further apart)."""
    path = QPainterPath(start)
    if out.isNull() and into.isNull():
        path.lineTo(end)
        return path
    gap = QLineF(start, end)
    if QPointF.dotProduct(out, into) > 0.5:  # both leave the same way: a bracket
        reach = 22.0 + 0.12 * gap.length()  # tight: other wires of these ports pass outside
        path.cubicTo(start + out * reach, end + into * reach, end)
        return path
    # Each end reaches out in proportion to the distance along its own direction, so a
    # long, steep wire does not swing wide beside its ends (into a neighbouring box).
    along = QPointF(end.x() - start.x(), end.y() - start.y())
    reach_out = min(160.0, max(30.0, 0.45 * abs(QPointF.dotProduct(along, out))))
    reach_in = min(160.0, max(30.0, 0.45 * abs(QPointF.dotProduct(along, into))))
    path.cubicTo(start + out * reach_out, end + into * reach_in, end)
    return path


def _arrow(line: QLineF) -> QPolygonF:
    end = line.p2()
    angle = math.atan2(line.dy(), line.dx())
    size = 9.0
    points = [end]
    for turn in (-0.45, 0.45):
        points.append(QPointF(end.x() - size * math.cos(angle + turn),
                              end.y() - size * math.sin(angle + turn)))
    return QPolygonF(points)
