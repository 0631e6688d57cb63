"""The live host on the canvas: drawn like a design, but read-only, with comparison marks.

``LiveScene`` is a ``TopologyScene`` of the observed host whose gestures that would edit
(dragging a box, wiring from a port, moving a port to another namespace, dropping from the
palette, arrow-key nudges) are refused with a sentence instead: what is drawn is what the
kernel holds, and it only changes by observing again. Selection, context menus, zoom and
panning work as in a design. Validation badges are not drawn: the host is not the user's
file to fix. ``set_marks`` outlines each object of a comparison in its colour (missing on
the host dashed red, extra on the host blue, drifted amber) with the word beside it.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QKeyEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSceneDragDropEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

from netwright.backend.topology.problems import Problem
from netwright.gui.canvas.items import (
    NAMESPACE_WIDTH,
    Endpoint,
    KeyedItem,
    NamespaceItem,
    PortItem,
    take_out,
)
from netwright.gui.canvas.scene import TopologyScene
from netwright.gui.canvas.theme import Theme
from netwright.gui.model.document import TopologyDocument
from netwright.gui.model.live_compare import DRIFTED, EXTRA, MISSING

READ_ONLY = "the live host is read-only: copy objects into the design to change them"
MARK_HUES = {MISSING: 0, EXTRA: 215, DRIFTED: 38}


def mark_colour(theme: Theme, kind: str) -> QColor:
    """The colour of a comparison mark, also used by the list of differences."""
    return QColor.fromHsl(MARK_HUES.get(kind, 0), 200, 150 if theme.dark else 105)


class CompareMark(QGraphicsItem):
    """An outline around an item (a child of it, so it moves with it), and its word."""

    def __init__(self, kind: str, theme: Theme, parent: KeyedItem) -> None:
        super().__init__(parent)
        self.kind = kind
        self.theme = theme
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(5)
        inner = parent.shape().boundingRect()
        self._outline = inner.adjusted(-4, -4, 4, 4)

        self._word = self._word_rect(isinstance(parent, PortItem))

    def _word_rect(self, beside: bool) -> QRectF:
        """Where the word goes: right of a port (its box's header is above it), above the
        top-right corner of anything else."""
        width, height = 50.0, 13.0
        if beside:
            return QRectF(self._outline.right() + 4, self._outline.center().y() - height / 2,
                          width, height)
        return QRectF(self._outline.right() - width, self._outline.top() - height - 2, width,
                      height)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._outline.united(self._word).adjusted(-3, -3, 3, 3)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        colour = mark_colour(self.theme, self.kind)
        style = Qt.PenStyle.DashLine if self.kind == MISSING else Qt.PenStyle.SolidLine
        painter.setPen(QPen(colour, 2.5, style))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(self._outline, 5, 5)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(self._word, 4, 4)
        font = QFont()
        font.setPointSizeF(7.0)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(self.theme.background)
        painter.drawText(self._word, Qt.AlignmentFlag.AlignCenter, self.kind)


class HolderNote(QGraphicsItem):
    """What holds an anonymous namespace ("held by sleep (pid 4242)"): a tab on its box's
    top edge, at the left (a comparison's word goes above the top-right corner), drawn in
    the box's colours so it reads as the box's, not as a caption of the box above."""

    WIDTH = NAMESPACE_WIDTH - 50  # clear of a CompareMark's word (46 from the right edge)

    def __init__(self, text: str, theme: Theme, parent: KeyedItem) -> None:
        super().__init__(parent)
        self.words = text
        self.theme = theme
        self._font = QFont()
        self._font.setPointSizeF(6.5)
        metrics = QFontMetricsF(self._font)
        self.shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, self.WIDTH - 8)
        box = parent.shape().boundingRect()  # the box's edge (not its badge's room)
        height = metrics.height() + 2
        self._tab = QRectF(box.left() + 4, box.top() - height + 1,
                           metrics.horizontalAdvance(self.shown) + 8, height)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        # behind the box: its header covers the tab's foot, so the two join
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent)

    def text(self) -> str:
        return self.shown

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._tab.adjusted(-1, -1, 1, 1)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        painter.setPen(QPen(self.theme.box_edge, 1.0))
        painter.setBrush(self.theme.box)
        painter.drawRoundedRect(self._tab.adjusted(0, 0, 0, 4), 4, 4)
        painter.setFont(self._font)
        painter.setPen(self.theme.muted if not self.theme.dark else self.theme.text)
        painter.drawText(self._tab, Qt.AlignmentFlag.AlignCenter, self.shown)


class LiveScene(TopologyScene):
    """The observed host: selectable, never editable by a gesture."""

    def __init__(self, document: TopologyDocument, theme: Theme) -> None:
        super().__init__(document, theme)
        self.holders: dict[str, str] = {}  # anonymous namespace key → what holds it

    def set_holders(self, holders: dict[str, str]) -> None:
        """What holds each anonymous namespace (ImportHost's ``holders``), shown on its box;
        the key alone ("sleep-4242") does not say it."""
        self.holders = dict(holders)
        self._note_holders()

    def sync(self) -> None:
        super().sync()
        for node in self.nodes.values():
            node.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable, False)
        self._note_holders()

    def _note_holders(self) -> None:
        for key, node in self.nodes.items():
            words = self.holders.get(key) if isinstance(node, NamespaceItem) else None
            notes = [c for c in node.childItems() if isinstance(c, HolderNote)]
            if notes and notes[0].words == words:
                continue
            for note in notes:
                take_out(note)
            node.setToolTip(words.capitalize() if words else "")
            if words:
                HolderNote(words, self.theme, node)

    def set_problems(self, problems: list[Problem]) -> None:
        super().set_problems([])

    def begin_wire(self, source: Endpoint, pos: QPointF) -> None:
        self.refused.emit(READ_ONLY)

    def begin_port_drag(self, port: PortItem, pos: QPointF) -> None:
        return  # a click on a port selects it; there is nothing to drag it to

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if Qt.Key(event.key()) in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up,
                                   Qt.Key.Key_Down) and self.selected_keys():
            self.refused.emit(READ_ONLY)
            event.accept()
            return
        super().keyPressEvent(event)

    def dropEvent(self, event: QGraphicsSceneDragDropEvent) -> None:  # noqa: N802
        if self._yaml_files(event.mimeData()):
            super().dropEvent(event)  # a file opens as the design, as anywhere
            return
        event.ignore()
        self.refused.emit(READ_ONLY)

    def set_marks(self, marks: dict[str, str]) -> None:
        """Outline each key of ``marks`` (key → MISSING, EXTRA or DRIFTED); {} clears."""
        for item in self._all_keyed():
            for child in item.childItems():
                if isinstance(child, CompareMark):
                    take_out(child)
            kind = marks.get(item.key)
            if kind is not None:
                CompareMark(kind, self.theme, item)

    def _all_keyed(self) -> list[KeyedItem]:
        """Every keyed item: boxes, devices and the ports of namespaces and bridges."""
        return [item for item in self.items() if isinstance(item, KeyedItem)]

    def marks(self) -> dict[str, str]:
        """What is outlined now (the tests read it)."""
        return {item.key: child.kind for item in self._all_keyed()
                for child in item.childItems() if isinstance(child, CompareMark)}
