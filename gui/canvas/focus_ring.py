"""A focus frame: a ring round a scroll area's viewport while the area has the keyboard focus.

The keys (Delete, arrows, Ctrl+C, the zoom keys) act on the canvas only when it has the
focus, and nothing showed when it had: a keyboard user could not tell where the keys went.
The bottom panel's log and check matrix showed nothing either (a read-only log has no caret,
the matrix selects nothing), so they wear the same ring.
The ring is the palette's highlight colour (a high-contrast theme's own), drawn by a widget
laid over the viewport rather than by the scene: the viewport scrolls by moving its pixels,
which would carry a frame painted into it along. The widget takes no mouse events (clicks,
drags and drops reach the canvas beneath) and paints only its border.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

RING_WIDTH = 2.0


class FocusRing(QWidget):
    """Shown over ``area``'s viewport while ``area`` has the focus."""

    def __init__(self, area: QAbstractScrollArea) -> None:
        super().__init__(area)
        self.area = area
        self.setObjectName("canvas-focus-ring")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        area.viewport().installEventFilter(self)
        area.installEventFilter(self)  # its focus coming and going
        self.follow()

    def follow(self) -> None:
        """Cover the viewport; shown exactly while the area has the focus."""
        self.setGeometry(self.area.viewport().geometry())
        self.setVisible(self.area.hasFocus())
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        # A closed window's ring can lose its Python side first (the garbage collector
        # clears a cycle's objects while Qt still holds the widgets) and still be asked to
        # filter an event of the view it watched: "AttributeError … 'area'" in Qt's event
        # loop, which ended a run of the designer's benchmarks. Nothing is left to follow.
        area = getattr(self, "area", None)
        if area is None:
            return False
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Move):
            self.setGeometry(area.viewport().geometry())
        elif watched is area and event.type() in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
            self.follow()
        return False

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        pen = QPen(self.palette().color(QPalette.ColorRole.Highlight), RING_WIDTH)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        half = RING_WIDTH / 2
        painter.drawRect(QRectF(self.rect()).adjusted(half, half, -half, -half))
        painter.end()
