"""Packet rules on the canvas: a shield on what has rules, NAT written beside the uplink.

A namespace, a bridge port or the host that has forwarding, NAT or filter rules carries a
small shield whose tooltip summarises them ("input: drop by default, 3 rules; NAT:
masquerade 172.17.0.0/16 out wlp2s0"); the host's shield sits in its frame's corner with
the words for what it has. Masquerade, SNAT and published ports are also written next to
the interface they leave or arrive through, so a picture of the design (PNG, SVG) shows
where the translation happens. The marks are child items: they move with their item and
never take a click (the item under them does).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget
from shiboken6 import isValid

from netwright.gui.canvas.items import BoxItem, DeviceItem, PortItem, take_out
from netwright.gui.canvas.theme import Theme
from netwright.gui.model.rule_summary import place_lines, port_lines, uplink_labels

if TYPE_CHECKING:
    from netwright.gui.canvas.scene import TopologyScene



@functools.cache
def _font() -> QFont:
    """Made once the application exists: a QFont made before it has no family, and its
    metrics then disagree with what the painter draws (a label's text would be cut)."""
    font = QFont()
    font.setPointSizeF(7.5)
    return font

BADGE_HUE = 200  # the bridge's blue-teal: rules belong to the network, not to a problem


def _shield(rect: QRectF) -> QPainterPath:
    path = QPainterPath()
    top, bottom, mid = rect.top(), rect.bottom(), rect.center().x()
    path.moveTo(mid, top)
    path.lineTo(rect.right(), top + rect.height() * 0.22)
    path.cubicTo(rect.right(), top + rect.height() * 0.7, mid + 2, bottom - 1, mid, bottom)
    path.cubicTo(mid - 2, bottom - 1, rect.left(), top + rect.height() * 0.7, rect.left(),
                 top + rect.height() * 0.22)
    path.closeSubpath()
    return path


class RuleBadge(QGraphicsItem):
    """The shield, optionally followed by a caption (the host's "forwarding · NAT")."""

    def __init__(self, theme: Theme, lines: list[str], caption: str = "",
                 parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self.theme, self.caption = theme, caption
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(5)
        self.set_lines(lines)

    def set_lines(self, lines: list[str]) -> None:
        self.lines = list(lines)
        self.setToolTip("\n".join(self.lines))
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        width = 16.0
        if self.caption:
            width += 4 + QFontMetricsF(_font()).horizontalAdvance(self.caption)
        return QRectF(-1, -1, width + 2, 18)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        colour = self.theme.relation("master")
        painter.setPen(QPen(self.theme.background, 1.2))
        painter.setBrush(colour)
        painter.drawPath(_shield(QRectF(1, 0, 14, 16)))
        painter.setPen(QPen(self.theme.background, 1.6))
        painter.drawLine(QPointF(5, 6), QPointF(11, 6))  # a wall's courses
        painter.drawLine(QPointF(5, 10), QPointF(11, 10))
        if self.caption:
            painter.setPen(self.theme.muted)
            painter.setFont(_font())
            painter.drawText(QRectF(20, 0, self.boundingRect().width() - 20, 16),
                             Qt.AlignmentFlag.AlignVCenter, self.caption)


class NatLabel(QGraphicsItem):
    """The translations through one interface, a line each, on a quiet pill."""

    def __init__(self, theme: Theme, lines: list[str], parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self.theme = theme
        self.parent_z = 0.0  # the parent's own stacking, given back when the label goes
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(4)
        self.set_lines(lines)

    def set_lines(self, lines: list[str]) -> None:
        self.prepareGeometryChange()
        self.lines = list(lines)
        self.setToolTip("NAT on this interface:\n" + "\n".join(self.lines))

    def boundingRect(self) -> QRectF:  # noqa: N802
        metrics = QFontMetricsF(_font())
        width = max((metrics.horizontalAdvance(line) for line in self.lines), default=0)
        return QRectF(0, 0, width + 10, len(self.lines) * metrics.height() + 4)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        rect = self.boundingRect()
        painter.setPen(QPen(self.theme.relation("master"), 1))
        painter.setBrush(self.theme.box)
        painter.drawRoundedRect(rect, 4, 4)
        painter.setPen(self.theme.text)
        painter.setFont(_font())
        height = QFontMetricsF(_font()).height()
        for row, line in enumerate(self.lines):
            painter.drawText(QRectF(5, 2 + row * height, rect.width() - 10, height),
                             Qt.AlignmentFlag.AlignVCenter, line)


def _inner(item: QGraphicsItem) -> QRectF:
    return item.boundingRect().adjusted(10, 10, -10, -10)  # items pad their shape by 10



Mark = TypeVar("Mark", RuleBadge, NatLabel)
"""A badge or a NAT label: the marks ``_keep`` keeps in step with the design."""

class RuleMarks:
    """Keeps the scene's shields and NAT labels in line with the document."""

    def __init__(self, scene: TopologyScene) -> None:
        self.scene = scene
        self.badges: dict[str, RuleBadge] = {}
        self.labels: dict[str, NatLabel] = {}
        self.host_badge = RuleBadge(scene.theme, [], "", scene.frame)
        self.host_badge.hide()

    def sync(self) -> None:
        snapshot = self.scene.document.snapshot
        wanted: dict[str, list[str]] = {}
        for key, spec in snapshot.namespaces.items():
            if lines := place_lines(spec):
                wanted[key] = lines
        for key, link in snapshot.interfaces.items():
            if lines := port_lines(link):
                wanted[key] = lines
        self._keep(self.badges, wanted, self._new_badge)
        self._keep(self.labels, uplink_labels(snapshot), self._new_label)
        self.place_labels()
        host = place_lines(snapshot.host)
        self.host_badge.theme = self.scene.theme
        self.host_badge.caption = _host_caption(snapshot.host)
        self.host_badge.prepareGeometryChange()
        self.host_badge.set_lines([f"host: {line}" for line in host])
        self.host_badge.setVisible(bool(host))
        self.place_host_badge()

    def place_host_badge(self) -> None:
        """Top right inside the host's frame (the frame grows with the drawing)."""
        rect = self.scene.frame.rect()
        width = self.host_badge.boundingRect().width()
        self.host_badge.setPos(rect.right() - width - 14, rect.top() + 8)

    def _keep(self, marks: dict[str, Mark], wanted: dict[str, list[str]],
              make: Callable[[QGraphicsItem, list[str]], Mark]) -> None:
        for key in list(marks):
            mark = marks[key]
            if not isValid(mark):  # deleted with its item (a port drawn inside its bridge)
                marks.pop(key)
                continue
            item = self.scene.item_for(key)
            if key not in wanted or item is None or mark.parentItem() is not item:
                marks.pop(key)
                if item is not None and mark.parentItem() is item:
                    if isinstance(mark, NatLabel):
                        item.setZValue(mark.parent_z)
                    take_out(mark)
        for key, lines in wanted.items():
            if key in marks:
                marks[key].theme = self.scene.theme
                marks[key].set_lines(lines)
                continue
            item = self.scene.item_for(key)
            if item is not None:
                marks[key] = make(item, lines)

    def _new_badge(self, item: QGraphicsItem, lines: list[str]) -> RuleBadge:
        badge = RuleBadge(self.scene.theme, lines, parent=item)
        rect = _inner(item)
        if isinstance(item, BoxItem):  # in the header, left of its caption ("netns")
            badge.setPos(rect.right() - 64, rect.top() + 5)
        else:  # left of the kind ("veth") in the interface's corner
            badge.setPos(rect.right() - 64, rect.top() + 2)
        return badge

    def _new_label(self, item: QGraphicsItem, lines: list[str]) -> NatLabel:
        label = NatLabel(self.scene.theme, lines, item)
        # A child is stacked with its parent: lift the uplink a little so its label is
        # drawn over a box placed just below it, not hidden behind it.
        label.parent_z = item.zValue()
        item.setZValue(label.parent_z + 0.5)
        return label

    def live_labels(self) -> list[NatLabel]:
        """The NAT labels drawn now (one deleted with its item waits for the next sync)."""
        return [label for label in self.labels.values() if isValid(label)]

    def place_labels(self) -> None:
        """Each NAT label beside its uplink where it covers no box: below a NIC or bridge,
        else right of it, above, left (docker-bridge's docker0 sits just below wlp2s0, and
        the label covered its top). Again whenever items move or a label grows."""
        for label in self.live_labels():
            item = label.parentItem()
            if item is not None:
                self._place_label(label, item)

    def _place_label(self, label: NatLabel, item: QGraphicsItem) -> None:
        rect = _inner(item)
        if isinstance(item, PortItem):  # outside its namespace box, beside the port
            label.setPos(rect.right() + 20, rect.center().y())
            return
        if not isinstance(item, DeviceItem | BoxItem):
            return
        size = label.boundingRect()
        spots = [QPointF(rect.left(), rect.bottom() + 6), QPointF(rect.right() + 8, rect.top()),
                 QPointF(rect.left(), rect.top() - size.height() - 6),
                 QPointF(rect.left() - size.width() - 8, rect.top())]
        boxes = [node.mapRectToScene(_inner(node)) for node in self.scene.nodes.values()
                 if node is not item and not node.isAncestorOf(item)]
        for spot in spots:
            area = item.mapRectToScene(size.translated(spot))
            if not any(area.intersects(box) for box in boxes):
                label.setPos(spot)
                return
        label.setPos(spots[0])


def _host_caption(host: object) -> str:
    spec = host if isinstance(host, dict) else {}
    words = [word for key, word in (("forwarding", "forwarding"), ("nat", "NAT"),
                                    ("firewall", "firewall")) if spec.get(key)]
    return " · ".join(words)
