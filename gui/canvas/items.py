"""Graphics items: views of document entries, never holders of data.

Each item knows its key and how to draw what the snapshot says about it. Painting follows
the level of detail: zoomed out, boxes are plain rectangles and wires plain lines (no text,
no ports, no arrows), which is what keeps a 1,000-namespace scene at 60 frames per second.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSceneMouseEvent,
    QStyle,
    QStyleOptionGraphicsItem,
    QWidget,
)

from netwright.gui.canvas.graph_layout import BoxShape
from netwright.gui.canvas.theme import Theme
from netwright.gui.model.leases import LeaseInfo, Tone
from netwright.gui.model.snapshot import Snapshot

if TYPE_CHECKING:
    from netwright.gui.canvas.scene import TopologyScene

DETAIL_LOD = 0.45  # below this zoom, draw shapes only
NAMESPACE_WIDTH = 210.0
HEADER_HEIGHT = 26.0
PORT_HEIGHT = 32.0
PORT_GAP = 4.0
NODE_WIDTH = 170.0
NODE_HEIGHT = 42.0
CONNECTOR_RADIUS = 5.0

_LABEL_FONT = QFont()
_LABEL_FONT.setPointSizeF(8.5)
_TITLE_FONT = QFont()
_TITLE_FONT.setPointSizeF(9.5)
_TITLE_FONT.setBold(True)
_LABEL_BOLD_FONT = QFont(_LABEL_FONT)
_LABEL_BOLD_FONT.setBold(True)
_SMALL_FONT = QFont()
_SMALL_FONT.setPointSizeF(7.5)


def level_of_detail(option: QStyleOptionGraphicsItem, painter: QPainter) -> float:
    return float(option.levelOfDetailFromTransform(painter.worldTransform()))


def namespace_height(port_count: int) -> float:
    return HEADER_HEIGHT + max(port_count, 1) * (PORT_HEIGHT + PORT_GAP) + 6.0


def take_out(item: QGraphicsItem) -> None:
    """Take ``item`` off its parent, then out of its scene (a child would stay drawn, and
    deleted with its parent, if only the scene let go of it)."""
    # Qt takes a null parent (the item becomes top-level); PySide6's stub says it may not be None
    item.setParentItem(None)  # type: ignore[arg-type]
    if (scene := item.scene()) is not None:
        scene.removeItem(item)


def _scene(item: QGraphicsItem) -> TopologyScene | None:
    return item.scene()  # type: ignore[return-value]


def paint_badge(painter: QPainter, theme: Theme, corner: QPointF, severity: str,
                radius: float = 8.0) -> None:
    """The problem badge: a red (error) or amber (warning) disc with '!'."""
    colour = theme.error if severity == "error" else theme.warning
    painter.setPen(QPen(theme.background, 1.5))
    painter.setBrush(colour)
    painter.drawEllipse(corner, radius, radius)
    painter.setPen(QColor("white"))
    font = QFont(_TITLE_FONT)
    font.setPointSizeF(_TITLE_FONT.pointSizeF() * radius / 8.0)  # the '!' fits a small disc
    painter.setFont(font)
    painter.drawText(QRectF(corner.x() - radius, corner.y() - radius, 2 * radius, 2 * radius),
                     Qt.AlignmentFlag.AlignCenter, "!")


# An interface's badge sits inside its pill, at the right end of the address line: the
# corner it had overlapped the kind tag ("veth"), the connector dot below it and, on a
# namespace's first port, the namespace's caption ("netns") above it. The address line is
# left-aligned and elided short of it; the connector is clear of it on the right.
INTERFACE_BADGE_RADIUS = 6.5


def _interface_lines(rect: QRectF) -> tuple[QRectF, QRectF]:
    """The pill's name line and address line."""
    inner = rect.adjusted(7, 2, -10, -2)
    top = QRectF(inner.left(), inner.top(), inner.width(), inner.height() / 2)
    bottom = QRectF(inner.left(), inner.center().y(), inner.width(), inner.height() / 2)
    return top, bottom


def interface_badge_centre(rect: QRectF) -> QPointF:
    """Where an interface pill's problem badge is drawn (see INTERFACE_BADGE_RADIUS)."""
    bottom = _interface_lines(rect)[1]
    return QPointF(bottom.right() - INTERFACE_BADGE_RADIUS, bottom.center().y() - 1)


class Endpoint:
    """Something a wire can end at: a port, a host NIC or a host-level interface."""

    key: str

    def attach(self, target: QPointF, side: int = 0) -> tuple[QPointF, QPointF]:
        """Where a wire towards ``target`` leaves this endpoint, and the outward direction
        (a unit vector) it leaves in; ``side`` +1/-1 forces the right/left edge."""
        raise NotImplementedError


def box_shape(snapshot: Snapshot, key: str) -> BoxShape:
    """The size of the item drawn for a placed key, with its ports' rows (for the layout)."""
    ports = snapshot.interfaces_in(key) if key in snapshot.namespaces else \
        snapshot.bridge_ports.get(key, []) if snapshot.kind_of(key) == "bridge" \
        and key not in snapshot.nics else None
    if ports is None:
        return BoxShape(NODE_WIDTH, NODE_HEIGHT)
    rows = tuple((port, HEADER_HEIGHT + index * (PORT_HEIGHT + PORT_GAP) + PORT_HEIGHT / 2)
                 for index, port in enumerate(ports))
    return BoxShape(NAMESPACE_WIDTH, namespace_height(len(ports)), rows)


class KeyedItem(QGraphicsItem):
    """A graphics item that shows the document entry ``key``."""

    def __init__(self, key: str, theme: Theme, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.theme = theme
        self.badge: str | None = None  # "error", "warning" or None
        self.kind = ""
        self.addresses: list[str] = []
        self.label = key
        self.lease: LeaseInfo | None = None
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)

    def set_badge(self, severity: str | None) -> None:
        if severity != self.badge:
            self.badge = severity
            self.update()

    def set_view(self, label: str, kind: str, addresses: list[str]) -> None:
        if (label, kind, addresses) != (self.label, self.kind, self.addresses):
            self.label, self.kind, self.addresses = label, kind, list(addresses)
            self.update()

    def set_lease(self, lease: LeaseInfo | None) -> None:
        """The DHCP client's state for a ``dhcp`` interface of a deployment (None: none)."""
        if lease != self.lease:
            self.lease = lease
            self.setToolTip(lease.text if lease is not None else "")
            self.update()

    def shown_lease(self) -> LeaseInfo | None:
        """The lease, if the item still asks for DHCP (an edit may have removed ``dhcp``)."""
        return self.lease if "dhcp" in self.addresses else None


class NodeItem(KeyedItem):
    """An item with its own position in the layout (namespace, NIC, host-level interface)."""

    def __init__(self, key: str, theme: Theme) -> None:
        super().__init__(key, theme)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:  # noqa: N802
        scene = _scene(self)
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionChange and scene is not None:
            return value if scene.placing else scene.snapped_move(self.key, value)
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged and scene is not None:
            scene.node_moved(self)
        return super().itemChange(change, value)

    _rect: QRectF  # set by each kind of node: its box in item coordinates

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect.adjusted(-10, -10, 10, 10)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(self._rect)
        return path

    def port_keys(self) -> list[str]:
        return []


class BoxItem(NodeItem):
    """A box whose interfaces are ports inside it: a namespace, or a host-level bridge."""

    caption = ""
    empty_text = ""

    def __init__(self, key: str, theme: Theme) -> None:
        super().__init__(key, theme)
        self.kind = self.caption
        self.ports: dict[str, PortItem] = {}
        self._rect = QRectF(-NAMESPACE_WIDTH / 2, 0, NAMESPACE_WIDTH, namespace_height(0))
        self._relayout()
        self.setZValue(1)

    def set_ports(self, ports: list[tuple[str, str, str, list[str]]]) -> None:
        """(key, label, kind, addresses) of every interface in this namespace, in order."""
        wanted = [p[0] for p in ports]
        for key in list(self.ports):
            if key not in wanted:
                port = self.ports.pop(key)
                take_out(port)
        for key, label, kind, addresses in ports:
            shown = self.ports.get(key)
            if shown is None:
                shown = PortItem(key, self.theme, self)
                self.ports[key] = shown
            shown.set_view(label, kind, addresses)
        self.ports = {key: self.ports[key] for key in wanted}
        self._relayout()

    def _relayout(self) -> None:
        height = namespace_height(len(self.ports))
        rect = QRectF(-NAMESPACE_WIDTH / 2, -height / 2, NAMESPACE_WIDTH, height)
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect
        y = rect.top() + HEADER_HEIGHT
        for port in self.ports.values():
            port.setPos(0, y + PORT_HEIGHT / 2)
            y += PORT_HEIGHT + PORT_GAP

    def port_keys(self) -> list[str]:
        return list(self.ports)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        theme = self.theme
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        edge = theme.selection if selected else theme.box_edge
        painter.setPen(QPen(edge, 2.5 if selected else 1.2))
        painter.setBrush(theme.box)
        lod = level_of_detail(option, painter)
        if lod < DETAIL_LOD:
            painter.drawRect(self._rect)
            return
        painter.drawRoundedRect(self._rect, 6, 6)
        header = QRectF(self._rect.left(), self._rect.top(), self._rect.width(), HEADER_HEIGHT)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.kind(self.kind))
        path = QPainterPath()
        path.addRoundedRect(header, 6, 6)
        path.addRect(header.adjusted(0, HEADER_HEIGHT / 2, 0, 0))
        painter.drawPath(path.simplified())
        painter.setPen(theme.text)
        painter.setFont(_TITLE_FONT)
        inside = header.adjusted(10, 0, -10, 0)
        painter.drawText(inside, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         self.label)
        painter.setFont(_SMALL_FONT)
        painter.setPen(theme.muted if not theme.dark else theme.text)
        painter.drawText(inside, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                         self.caption)
        if self.addresses:
            title = QFontMetricsF(_TITLE_FONT).horizontalAdvance(self.label) + 8
            room = inside.width() - title - QFontMetricsF(_SMALL_FONT).horizontalAdvance(
                self.caption) - 8
            painter.drawText(inside.adjusted(title, 0, 0, 0),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                             QFontMetricsF(_SMALL_FONT).elidedText(
                                 ", ".join(self.addresses), Qt.TextElideMode.ElideRight, room))
        if not self.ports:
            painter.drawText(self._rect.adjusted(0, HEADER_HEIGHT, 0, 0),
                             Qt.AlignmentFlag.AlignCenter, self.empty_text)
        if self.badge:
            paint_badge(painter, theme, self._rect.topRight(), self.badge)


class NamespaceItem(BoxItem):
    """A network namespace: a box whose interfaces are ports inside it."""

    caption = "netns"
    empty_text = "drop interfaces here"

    def __init__(self, key: str, theme: Theme) -> None:
        super().__init__(key, theme)
        self.kind = "namespace"


class BridgeItem(BoxItem, Endpoint):
    """A bridge in the host's own namespace, drawn with its ports inside it (a switch): a
    veth end that is one of its ports is a row of the box, so a pair runs port to port."""

    caption = "bridge"
    empty_text = "no ports: wire an interface to the bridge"

    def attach(self, target: QPointF, side: int = 0) -> tuple[QPointF, QPointF]:
        rect = self.shape().boundingRect()
        y = rect.top() + HEADER_HEIGHT / 2
        right = side > 0 or (side == 0 and target.x() >= self.scenePos().x())
        point = self.mapToScene(QPointF(rect.right() if right else rect.left(), y))
        return point, QPointF(1.0 if right else -1.0, 0.0)


class PortItem(KeyedItem, Endpoint):
    """An interface inside a namespace. Drag its body to move it to another namespace; drag
    from its connector dot to wire it."""

    def __init__(self, key: str, theme: Theme, parent: BoxItem) -> None:
        super().__init__(key, theme, parent)
        self.setZValue(2)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._rect = QRectF(-NAMESPACE_WIDTH / 2 + 8, -PORT_HEIGHT / 2,
                            NAMESPACE_WIDTH - 16, PORT_HEIGHT)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect.adjusted(-10, -10, 10, 10)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(self._rect.adjusted(0, 0, CONNECTOR_RADIUS + 2, 0))
        return path

    def connector(self) -> QPointF:
        return QPointF(self._rect.right(), 0)

    def on_connector(self, local: QPointF) -> bool:
        return QLineF(local, self.connector()).length() <= CONNECTOR_RADIUS + 4

    def attach(self, target: QPointF, side: int = 0) -> tuple[QPointF, QPointF]:
        """Wires leave a port sideways from its own connector dot, on the side facing the
        other end (both on the right for two ports of one box)."""
        box = self.parentItem()
        centre = box.scenePos().x() if box is not None else self.scenePos().x()
        right = side > 0 or (side == 0 and target.x() >= centre)
        x = self._rect.right() if right else self._rect.left()
        return self.mapToScene(QPointF(x, 0)), QPointF(1.0 if right else -1.0, 0.0)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        scene = _scene(self)
        if event.button() == Qt.MouseButton.LeftButton and scene is not None:
            if self.on_connector(event.pos()):
                scene.begin_wire(self, event.scenePos())
            else:
                scene.begin_port_drag(self, event.scenePos())
        super().mousePressEvent(event)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        if level_of_detail(option, painter) < DETAIL_LOD:
            return
        paint_interface(painter, self.theme, self._rect, kind=self.kind, label=self.label,
                        addresses=self.addresses, badge=self.badge,
                        selected=bool(option.state & QStyle.StateFlag.State_Selected),
                        lease=self.shown_lease())
        painter.setPen(QPen(self.theme.kind_edge(self.kind), 1.2))
        painter.setBrush(self.theme.box)
        painter.drawEllipse(self.connector(), CONNECTOR_RADIUS, CONNECTOR_RADIUS)
        painter.drawEllipse(QPointF(self._rect.left(), 0), CONNECTOR_RADIUS - 1.5,
                            CONNECTOR_RADIUS - 1.5)


def paint_interface(painter: QPainter, theme: Theme, rect: QRectF, *, kind: str, label: str,
                    addresses: list[str], selected: bool, badge: str | None,
                    lease: LeaseInfo | None = None) -> None:
    """A rounded pill on two lines: the name and kind tag, then the addresses (a ``dhcp``
    address as its lease, in the lease's colour, once a deployment reports one)."""
    painter.setPen(QPen(theme.selection if selected else theme.kind_edge(kind),
                        2.2 if selected else 1.0))
    painter.setBrush(theme.kind(kind))
    painter.drawRoundedRect(rect, 5, 5)
    top, bottom = _interface_lines(rect)
    painter.setFont(_SMALL_FONT)
    painter.setPen(theme.muted if not theme.dark else theme.text)
    tag_width = QFontMetricsF(_SMALL_FONT).horizontalAdvance(kind) + 4
    painter.drawText(top, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, kind)
    painter.setPen(theme.text)
    painter.setFont(_LABEL_BOLD_FONT)
    name = QFontMetricsF(_LABEL_BOLD_FONT).elidedText(
        label, Qt.TextElideMode.ElideRight, top.width() - tag_width)
    painter.drawText(top, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, name)
    painter.setFont(_SMALL_FONT)
    room = bottom.adjusted(0, 0, -(2 * INTERFACE_BADGE_RADIUS + 4), 0) if badge else bottom
    paint_address_line(painter, theme, room, addresses, lease)
    if badge:
        paint_badge(painter, theme, interface_badge_centre(rect), badge,
                    INTERFACE_BADGE_RADIUS)


def lease_colour(theme: Theme, tone: Tone) -> QColor:
    if tone == "ok":
        return theme.reachable
    return theme.warning if tone == "pending" else theme.error


def address_line(addresses: list[str], lease: LeaseInfo | None) -> tuple[str, str]:
    """The address line as (fixed addresses, lease words): the ``dhcp`` entry becomes the
    lease's words when there is a lease to show."""
    if lease is None or "dhcp" not in addresses:
        return (", ".join(addresses) if addresses else "no address"), ""
    fixed = ", ".join(a for a in addresses if a != "dhcp")
    return (f"{fixed}, " if fixed else ""), lease.canvas_text()


def paint_address_line(painter: QPainter, theme: Theme, rect: QRectF, addresses: list[str],
                       lease: LeaseInfo | None) -> None:
    metrics = QFontMetricsF(_SMALL_FONT)
    fixed, leased = address_line(addresses, lease)
    align = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
    shown = metrics.elidedText(fixed, Qt.TextElideMode.ElideRight, rect.width())
    painter.drawText(rect, align, shown)
    if not leased or lease is None:
        return
    rest = rect.adjusted(metrics.horizontalAdvance(shown), 0, 0, 0)
    painter.setPen(lease_colour(theme, lease.tone))
    painter.drawText(rest, align, metrics.elidedText(leased, Qt.TextElideMode.ElideRight,
                                                     rest.width()))


class DeviceItem(NodeItem, Endpoint):
    """A host NIC (referenced, never changed) or an interface in the host's own namespace."""

    def __init__(self, key: str, theme: Theme, kind: str) -> None:
        super().__init__(key, theme)
        self.kind = kind
        self.setZValue(1)
        self._rect = QRectF(-NODE_WIDTH / 2, -NODE_HEIGHT / 2, NODE_WIDTH, NODE_HEIGHT)

    def attach(self, target: QPointF, side: int = 0) -> tuple[QPointF, QPointF]:
        centre = self.scenePos()
        dx, dy = target.x() - centre.x(), target.y() - centre.y()
        half_w, half_h = self._rect.width() / 2, self._rect.height() / 2
        if side:  # forced to the right (+1) or left (-1) edge
            return QPointF(centre.x() + side * half_w, centre.y()), QPointF(float(side), 0.0)
        # Sideways when the gap to the other end is wider than it is tall (dot's left-to-right
        # layers), else from the top or bottom (a NIC drawn above its children).
        if abs(dx) - half_w >= abs(dy) - half_h:
            sign = math.copysign(1.0, dx)
            return QPointF(centre.x() + sign * half_w, centre.y()), QPointF(sign, 0.0)
        sign = math.copysign(1.0, dy or 1)
        return QPointF(centre.x(), centre.y() + sign * half_h), QPointF(0.0, sign)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        scene = _scene(self)
        wire_gesture = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        if event.button() == Qt.MouseButton.LeftButton and scene is not None and wire_gesture:
            scene.begin_wire(self, event.scenePos())
            event.accept()
            return
        super().mousePressEvent(event)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if level_of_detail(option, painter) < DETAIL_LOD:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme_fill(self.theme, self.kind))
            painter.drawRect(self._rect)
            return
        if self.kind == "nic":
            painter.setPen(QPen(self.theme.selection if selected else self.theme.kind_edge("nic"),
                                2.5 if selected else 2.0))
            painter.setBrush(self.theme.kind("nic"))
            painter.drawRect(self._rect)
            inner = self._rect.adjusted(8, 3, -8, -3)
            painter.setPen(self.theme.text)
            painter.setFont(_TITLE_FONT)
            painter.drawText(inner, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft,
                             self.label)
            painter.setFont(_SMALL_FONT)
            painter.setPen(self.theme.muted if not self.theme.dark else self.theme.text)
            painter.drawText(inner, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight,
                             "host NIC")
            painter.setPen(self.theme.text)
            shown = ", ".join(self.addresses) if self.addresses else "no address"
            painter.drawText(inner, Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignLeft,
                             shown)
            if self.badge:
                paint_badge(painter, self.theme, self._rect.topRight(), self.badge)
            return
        paint_interface(painter, self.theme, self._rect, kind=self.kind, label=self.label,
                        addresses=self.addresses, selected=selected, badge=self.badge,
                        lease=self.shown_lease())


def theme_fill(theme: Theme, kind: str) -> QColor:
    return theme.kind(kind)


class HostFrameItem(QGraphicsItem):
    """The host: a frame around everything, with the machine's name in its corner."""

    MARGIN = 60.0

    def __init__(self, theme: Theme) -> None:
        super().__init__()
        self.theme = theme
        self.title = "host"
        self._rect = QRectF(-300, -200, 600, 400)
        self.setZValue(-10)

    def set_rect(self, rect: QRectF) -> None:
        rect = rect.adjusted(-self.MARGIN, -self.MARGIN - 20, self.MARGIN, self.MARGIN)
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect

    def rect(self) -> QRectF:
        return QRectF(self._rect)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect.adjusted(-2, -2, 2, 2)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        pen = QPen(self.theme.frame, 1.5)  # solid: a dash pattern on a huge frame costs ~1 s
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(self._rect, 14, 14)
        if level_of_detail(option, painter) >= DETAIL_LOD * 0.5:
            painter.setPen(self.theme.muted)
            painter.setFont(_TITLE_FONT)
            painter.drawText(self._rect.adjusted(16, 8, -16, 0),
                             Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft, self.title)
