"""A throughput measurement written on its path: "942 Mbit/s · 0 retransmits" on the canvas.

The path's wires are coloured as a check cell's are (``TopologyScene.set_wire_results``); the
label sits just below the midpoint of the path's middle wire (under the impairment label when
the wire has one, so both stay readable), above every box: a wire between two namespaces is
often shorter than the label. The wire re-places it when it is routed anew
(``WireItem.measure_label``), and it goes into PNG/SVG exports. Its frame is green when the
rate agrees with the design, amber when it is outside tolerance. It never takes a click. One
measurement is shown at a time; the text comes from ``gui.model.measure_text``.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from netwright.gui.canvas.scene import TopologyScene
from netwright.gui.canvas.theme import Theme
from netwright.gui.canvas.wires import WireItem
from netwright.gui.model.edits import Wire

PADDING = 3.0
GAP = 4.0  # between the wire (or its impairment label) and this label
ABOVE_BOXES = 50.0  # z: over namespaces, interfaces and wire labels
WARNING = QColor("#d08700")  # amber: measured, but not what the design asks


@functools.cache
def _font() -> QFont:
    font = QFont()
    font.setPointSizeF(8.0)
    font.setBold(True)
    return font


class MeasureLabel(QGraphicsItem):
    """The result of one measurement, below the midpoint of a wire on its path."""

    def __init__(self, theme: Theme, text: str, flagged: bool, wire: WireItem) -> None:
        super().__init__()
        self.wire = wire
        self.theme = theme
        self.text = text
        self.flagged = flagged
        metrics = QFontMetricsF(_font())
        width, height = metrics.horizontalAdvance(text), metrics.height()
        self._rect = QRectF(-width / 2 - PADDING, 0, width + 2 * PADDING, height + 2 * PADDING)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(ABOVE_BOXES)
        self.setToolTip(text)
        self.place(wire.path)

    def place(self, path: QPainterPath) -> None:
        """Just below the wire's midpoint, or below its impairment label (which may sit
        beside the middle, or lower, where the middle is close to a box)."""
        middle = path.pointAtPercent(0.5) if path.elementCount() else QPointF()
        at = self.wire.mapToScene(middle)
        label = self.wire.label
        below = 0.0
        if label is not None and getattr(label, "fits", True):
            below = max(0.0, label.sceneBoundingRect().bottom() - at.y())
        self.setPos(at + QPointF(0, below + GAP))

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        frame = WARNING if self.flagged else QColor(self.theme.reachable)
        backdrop = QColor(self.theme.background)
        backdrop.setAlpha(235)
        painter.setPen(QPen(frame, 1.5))
        painter.setBrush(backdrop)
        painter.drawRoundedRect(self._rect, 4, 4)
        painter.setFont(_font())
        painter.setPen(self.theme.text)
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self.text)


def clear_measurement(scene: TopologyScene) -> None:
    """Take the measurement's label (and its path's colour) off the canvas."""
    for wire in scene.wires.values():
        label = wire.measure_label
        if label is not None:
            wire.measure_label = None
            if label.scene() is not None:
                label.scene().removeItem(label)
    scene.set_wire_results({})


def show_measurement(scene: TopologyScene, path: list[Wire], text: str,
                     flagged: bool) -> MeasureLabel | None:
    """Colour ``path`` and write ``text`` on its middle wire; None when no wire of the path
    is drawn (the result is still in the log)."""
    clear_measurement(scene)
    drawn = [scene.wires[ident] for ident in path
             if ident in scene.wires and scene.wires[ident].isVisible()]
    scene.set_wire_results({ident: "reachable" for ident in path})
    if not drawn:
        return None
    wire = drawn[len(drawn) // 2]
    label = wire.measure_label = MeasureLabel(scene.theme, text, flagged, wire)
    scene.addItem(label)
    return label
