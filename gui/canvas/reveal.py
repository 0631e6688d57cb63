"""How far to scroll so that items just made are seen, with as much of the rest as can be.

``QGraphicsView.ensureVisible`` scrolls a rectangle in with its margin, whatever that pushes
out on the other side: a copy made beside a design as wide as a 1024x700 window's canvas took
the design's left side out of view, margin included. Here, along each axis, the made items
are shown whole, and of the ways to do that the scroll is the smallest that also keeps the
drawing's near edge (left, top) in view, with the margin both sides when there is room for
it, an equal share of what room there is when not; when the two do not fit together, the
made items go just inside the far edge. ``reveal_scroll`` is pure arithmetic in viewport
pixels; ``reveal_in`` applies it to a view: the canvas view's ``reveal`` (a copy, what Undo,
Redo or a zoom selects, an item from the palette) and the scene's Menu key, which has no
canvas view type to import.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView

SELECTION_MARGIN = 20  # px kept around a selection scrolled into sight, where there is room

EDGE = 4.0
"""Pixels kept around the made items and the drawing's edge even when room is short: their
outlines, rounded to whole pixels, stay inside the view."""


def reveal_scroll(size: float, made: tuple[float, float], drawing: tuple[float, float],
                  margin: float) -> float:
    """How far to scroll (viewport pixels; positive: right or down) a viewport spanning
    ``0..size`` so that ``made`` (start, end) shows whole, keeping what it can of
    ``drawing`` (start, end: every item, the made ones too).

    >>> reveal_scroll(700, (650, 750), (200, 750), 40)  # both fit, margins and all
    90.0
    >>> reveal_scroll(700, (650, 750), (100, 750), 40)  # just fit: the room shared
    75.0
    >>> reveal_scroll(600, (650, 750), (100, 750), 40)  # too wide: the copy at the edge
    154.0
    >>> reveal_scroll(700, (100, 200), (100, 750), 40)  # already in view
    0
    """
    start, end = made[0] - EDGE, made[1] + EDGE
    near, far = drawing[0] - EDGE, drawing[1] + EDGE
    margin -= EDGE
    if end - start > size:  # larger than the view: its start is shown
        return start - margin
    if end + margin > size:
        return max(0, _forward(size, start, end, near, margin))
    if start - margin < 0:  # the mirror image: backwards, keeping the drawing's far edge
        return min(0, -_forward(size, size - end, size - start, size - far, margin))
    return 0


def _forward(size: float, start: float, end: float, near: float, margin: float) -> float:
    """``reveal_scroll`` for ``made`` ending past (or within ``margin`` of) the far edge;
    ``near``: where the drawing starts."""
    wanted = end + margin - size  # the made items with their margin
    if wanted <= near - margin:  # the drawing's start keeps its margin too
        return wanted
    least = end - size  # the made items just inside the far edge
    room = near - least  # what is left around both, when both are shown
    if room >= 0:
        return least + room / 2
    return least


def reveal_in(view: QGraphicsView, made: QRectF, drawing: Iterable[QGraphicsItem],
              margin: int) -> None:
    """Scroll ``view``, at the same zoom, so ``made`` (a scene rectangle) shows whole,
    keeping as much of ``drawing`` (the design's boxes) in view as that allows."""
    whole_scene = QRectF(made)
    for item in drawing:
        whole_scene = whole_scene.united(item.sceneBoundingRect())
    to_viewport = view.viewportTransform()
    shown, whole = to_viewport.mapRect(made), to_viewport.mapRect(whole_scene)
    size = view.viewport().size()
    across = reveal_scroll(size.width(), (shown.left(), shown.right()),
                           (whole.left(), whole.right()), margin)
    down = reveal_scroll(size.height(), (shown.top(), shown.bottom()),
                         (whole.top(), whole.bottom()), margin)
    for bar, by in ((view.horizontalScrollBar(), across), (view.verticalScrollBar(), down)):
        bar.setValue(bar.value() + round(by))
