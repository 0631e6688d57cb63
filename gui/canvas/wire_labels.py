"""Impairment written on its wire: "40 ms ±5 · 1 % loss · 10 Mbit/s" at the wire's middle.

Centred on the wire's midpoint whenever the wire is routed (or near it, in fewer words, where
the middle is too close to a box: ``label_fit``), on a backdrop of the canvas colour
so the line under it does not strike the words through, and above every box: a wire between a
bridge and a namespace is often shorter than its label, and as a child of the wire (under the
boxes) the label lost both ends behind them. So it is an item of the scene's own, which the
wire hides and removes with itself (``WireItem.itemChange``); it goes into PNG/SVG exports
like every item. It never takes a click: the wire does.
The text comes from ``gui.model.impairment_labels``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from netwright.gui.canvas.items import NodeItem
from netwright.gui.canvas.label_fit import fit_label, text_rect
from netwright.gui.canvas.theme import Theme
from netwright.gui.canvas.wires import WireItem
from netwright.gui.model.impairment_labels import wire_label
from netwright.gui.model.snapshot import Snapshot

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
        self.shown = ""  # the words drawn: the text, or fewer where it has no room
        self.fits = True  # False: no room beside the boxes, hidden (the wire says it)
        self._rect = QRectF()
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(ABOVE_BOXES)
        self.setVisible(wire.isVisible())
        self.set_text(text)

    def set_text(self, text: str) -> None:
        if text != self.text:
            self.text = text
            self._show(text)

    def _show(self, words: str) -> None:
        """Draw ``words`` (the text, or fewer words of it where it has no room)."""
        if words != self.shown:
            self.prepareGeometryChange()
            self.shown = words
            self._rect = text_rect(QFontMetricsF(_font()), words)
            self.setToolTip(self.text if words != self.text else "")

    def place(self, path: QPainterPath) -> None:
        """Centre on the wire's midpoint, or as near as it meets no box (``fit_label``);
        hidden where no try fits."""
        middle = path.pointAtPercent(0.5) if path.elementCount() else QPointF()
        angle = math.radians(path.angleAtPercent(0.5)) if path.elementCount() else 0.0
        along = QPointF(math.cos(angle), -math.sin(angle))  # Qt's angles turn anticlockwise
        scene = self.wire.scene()
        at = self.wire.mapToScene(middle)
        fitted = fit_label(QFontMetricsF(_font()), self.text, at, along,
                           (lambda area: _boxes_in(scene, area)) if scene is not None
                           else (lambda _area: []))
        self.fits = fitted is not None
        self.setVisible(self.wire.isVisible() and self.fits)
        words, spot = fitted if fitted is not None else (self.text, at)
        self._show(words)
        self.setPos(spot)

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
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self.shown)


def _boxes_in(scene: object, area: QRectF) -> list[QRectF]:
    """The boxes (namespaces, bridges, devices) that meet ``area``, in scene coordinates."""
    found = []
    for item in scene.items(area):  # type: ignore[attr-defined]
        if isinstance(item, NodeItem):
            box = item.mapRectToScene(item.shape().boundingRect())
            if box.intersects(area):
                found.append(box)
    return found


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
