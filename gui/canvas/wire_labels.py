"""Impairment written on its wire: "40 ms ±5 · 1 % loss · 10 Mbit/s" at the wire's middle.

Centred on the wire's midpoint whenever the wire is routed, on a backdrop of the canvas colour
so the line under it does not strike the words through, and above every box: a wire between a
bridge and a namespace is often shorter than its label, and as a child of the wire (under the
boxes) the label lost both ends behind them. So it is an item of the scene's own, which the
wire hides and removes with itself (``WireItem.itemChange``); it goes into PNG/SVG exports
like every item. It never takes a click: the wire does.
The text comes from ``gui.model.impairment_labels``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from netwright.gui.canvas.theme import Theme
from netwright.gui.canvas.wires import WireItem
from netwright.gui.model.impairment_labels import wire_label
from netwright.gui.model.snapshot import Snapshot

PADDING = 2.0
ABOVE_BOXES = 40.0  # z: over namespaces and interfaces, under a measurement's label (50)


@functools.cache
def _font() -> QFont:
    """Made once the application exists (a QFont made before has metrics that disagree
    with what the painter draws)."""
    font = QFont()
    font.setPointSizeF(7.5)
    return font


class WireLabel(QGraphicsItem):
    """The impairment text of one wire, centred on its midpoint."""

    def __init__(self, theme: Theme, text: str, wire: WireItem) -> None:
        super().__init__()
        self.wire = wire
        self.theme = theme
        self.text = ""
        self._rect = QRectF()
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(ABOVE_BOXES)
        self.setVisible(wire.isVisible())
        self.set_text(text)

    def set_text(self, text: str) -> None:
        if text != self.text:
            self.prepareGeometryChange()
            self.text = text
            metrics = QFontMetricsF(_font())
            lines = text.split("\n")
            width = max(metrics.horizontalAdvance(line) for line in lines)
            height = metrics.height() * len(lines)
            self._rect = QRectF(-width / 2 - PADDING, -height / 2 - PADDING,
                                width + 2 * PADDING, height + 2 * PADDING)

    def place(self, path: QPainterPath) -> None:
        """Centre on the wire's midpoint."""
        middle = path.pointAtPercent(0.5) if path.elementCount() else QPointF()
        self.setPos(self.wire.mapToScene(middle))

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        backdrop = QColor(self.theme.background)  # a copy: the theme's stays opaque
        backdrop.setAlpha(225)
        painter.setBrush(backdrop)
        painter.drawRoundedRect(self._rect, 3, 3)
        painter.setFont(_font())
        painter.setPen(self.theme.text)
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self.text)


def sync_wire_labels(wires: Iterable[WireItem], snapshot: Snapshot, theme: Theme) -> None:
    """Give every wire the label its ends' impairment asks for (none: no label), and move a
    measurement's label on the wire to stay under it (it sat where the wire's middle was,
    under the new impairment label)."""
    for wire in wires:
        _sync(wire, wire_label(snapshot, wire.relation, wire.a, wire.b), theme)
        if wire.measure_label is not None:
            wire.measure_label.place(wire.path)


def _sync(wire: WireItem, text: str | None, theme: Theme) -> None:
    label = wire.label
    if text is None:
        if label is not None:
            if label.scene() is not None:
                label.scene().removeItem(label)
            wire.label = None
        return
    if label is None:
        label = wire.label = WireLabel(theme, text, wire)
        if wire.scene() is not None:
            wire.scene().addItem(label)
    label.theme = theme
    label.set_text(text)
    label.place(wire.path)
    label.update()
