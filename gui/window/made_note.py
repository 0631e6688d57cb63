"""What Paste and Duplicate made: shown, and said in a sentence that fits the status bar.

A copy placed beside an original near the view's edge landed off-screen (half of it, at
1024x700, until Fit); and the sentence naming what was made ran under the problems and
deployment labels at that width. The copy is scrolled into view (the zoom stays), the full
sentence goes to the Plan / Log dock, and the status bar shows it whole or a shorter one.
Scrolled only as far as the copy needs: the design beside it stays in view where it can.
When the host frame grew up or left to hold what was made, that new edge is scrolled in
too: a NIC dropped above the frame came in by its own box, the frame's top edge 80 units
over it left out of view, so the NIC seemed to sit outside the host.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QPoint, QRectF, Qt
from PySide6.QtWidgets import QSizeGrip, QStatusBar, QWidget

if TYPE_CHECKING:
    from netwright.gui.window.parts import WindowBase

MARGIN = 40  # px of canvas kept around the copy, as a new item from the palette gets
SHOWN_MS = 8000


def message_width(bar: QStatusBar) -> int:
    """The width QStatusBar draws a message in: from its left padding (6) to 2 px before
    the first lasting widget that shows (Qt's QStatusBarPrivate::messageRect)."""
    right = bar.width() - 12
    lasting = bar.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
    shown = [w.x() for w in lasting if w.isVisible() and not isinstance(w, QSizeGrip)]
    if shown:
        right = min(right, min(shown) - 2)
    return right - 6


def say_made(window: WindowBase, full: str, short: str) -> None:
    """``full`` in the log; in the status bar ``full`` if it fits, else ``short`` (cut with
    an ellipsis only if even that does not fit)."""
    window.log.appendPlainText(full)
    bar = window.statusBar()
    room = message_width(bar)
    metrics = bar.fontMetrics()
    text = full if metrics.horizontalAdvance(full) <= room else short
    if metrics.horizontalAdvance(text) > room:
        text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
    bar.showMessage(text, SHOWN_MS)


class CanvasBefore(NamedTuple):
    """The canvas as it was before something was made: its scroll bars' values and the host
    frame's rectangle (scene units)."""

    scroll: QPoint
    frame: QRectF


def canvas_before(window: WindowBase) -> CanvasBefore:
    """The canvas now, to hand to ``show_made`` or ``show_rect`` after the copy is made."""
    view = window.view
    window.scene.update_frame()  # the frame as drawn now, not as last scheduled
    return CanvasBefore(QPoint(view.horizontalScrollBar().value(),
                               view.verticalScrollBar().value()), window.scene.frame.rect())


def grown_edges(made: QRectF, before: QRectF, after: QRectF) -> QRectF:
    """``made`` stretched to the host frame's top and left edges where they moved out from
    ``before`` to ``after`` (the frame grew to hold what was made), so they are scrolled in
    with it. Only the near edges, where the host's title is: the reveal already keeps the
    design's near side in view before the far one, and a far edge that grew (a copy to the
    right) would push that side out for a margin.

    >>> grown_edges(QRectF(0, 0, 10, 10), QRectF(-50, 20, 100, 100), QRectF(-50, -80, 100, 200))
    PySide6.QtCore.QRectF(0.000000, -80.000000, 10.000000, 90.000000)
    """
    shown = QRectF(made)
    if after.top() < before.top():
        shown.setTop(min(shown.top(), after.top()))
    if after.left() < before.left():
        shown.setLeft(min(shown.left(), after.left()))
    return shown


def show_made(window: WindowBase, keys: list[str], scrolled: CanvasBefore) -> None:
    """Scroll the canvas, at the same zoom, so the boxes made (``keys``' items) show, from
    where it was before they were (``scrolled``; selecting them scrolled already, with
    Qt's margin), only as far as that needs and keeping as much of the design in view as
    it can (``CanvasView.reveal``): at 1024x700 the copy's margin took the design's left
    side out of view."""
    boxes = QRectF()
    for key in keys:
        node = window.scene.nodes.get(key)
        if node is not None:
            boxes = boxes.united(node.sceneBoundingRect())
    show_rect(window, boxes, scrolled)


def show_rect(window: WindowBase, made: QRectF, scrolled: CanvasBefore) -> None:
    """``show_made`` for a scene rectangle (an item added from the palette, a port among
    them): from where the canvas was (``scrolled``), once the host frame and the scene's
    room have grown with what was made; the frame's edges that grew for it come in too."""
    window.scene.update_frame()  # the scene's room grows with the copy now, not later
    if not made.isNull():
        view = window.view
        view.horizontalScrollBar().setValue(scrolled.scroll.x())
        view.verticalScrollBar().setValue(scrolled.scroll.y())
        view.reveal(grown_edges(made, scrolled.frame, window.scene.frame.rect()), MARGIN)
