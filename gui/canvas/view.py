"""The canvas view: zoom (Ctrl+wheel, +/−), pan (middle button or Space+drag), fit, rubber band.

Zoom keeps a point still, and says which: Ctrl+wheel the scene point under the pointer (the
wheel event's own position, not Qt's AnchorUnderMouse, which takes the last mouse move's
scene point and drifted after a plain-wheel scroll); the keys and the toolbar the selection's
centre when it is in sight, else the view's centre, and a selection that grew past an edge is
scrolled back into sight.

Rendering settings are chosen for big scenes: antialiasing, a cached background grid,
``MinimalViewportUpdate`` so a moving item repaints only what it touched, and items that paint
less when zoomed out (see ``canvas_items``).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QContextMenuEvent,
    QKeyEvent,
    QMouseEvent,
    QMoveEvent,
    QPainter,
    QPen,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsView, QWidget

from netwright.gui.canvas.focus_ring import FocusRing
from netwright.gui.canvas.items import DETAIL_LOD
from netwright.gui.canvas.reveal import SELECTION_MARGIN, reveal_in
from netwright.gui.canvas.scene import GRID, TopologyScene

MIN_ZOOM = 0.05
MAX_ZOOM = 4.0
ZOOM_STEP = 1.2
MAX_FIT_ZOOM = 1.5
NUDGE_KEYS = (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down)


@dataclass(frozen=True)
class ViewPlace:
    """Where a view was: its zoom, the scene point at its centre, and whether Fit left it
    so (then a window resized since fits again)."""

    zoom: float
    centre: QPointF
    fitted: bool


class CanvasView(QGraphicsView):
    def __init__(self, scene: TopologyScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)  # see zoom_by
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.setAcceptDrops(True)
        self.setBackgroundBrush(scene.theme.background)
        self.setAccessibleName("Canvas")  # a screen reader's name for where the keys go
        self._panning = False
        self._space = False
        self._grid_brush: QBrush | None = None
        self._grid_colour = QColor()
        self._pan_from = QPointF()
        self._held: tuple[QPointF, QPointF] | None = None  # pressed: (screen, scene) point
        self._fitted: tuple[float, QPointF] | None = None  # (zoom, centre) as Fit left them
        # the last zoom's viewport point, the scene point shown there after it (rounded to
        # whole scroll steps) and the exact one it held: the next notch there, nothing
        # scrolled or moved since, holds the exact one again
        self._anchored: tuple[QPointF, QPointF, QPointF] | None = None
        self.focus_ring = FocusRing(self)  # where the keys go, seen

    @property
    def topology_scene(self) -> TopologyScene:
        scene = self.scene()
        assert isinstance(scene, TopologyScene)
        return scene

    def zoom(self) -> float:
        return float(self.transform().m11())

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        """Zoom by ``factor`` keeping the scene point at viewport point ``anchor`` (the
        viewport's centre if None) where it is on the screen."""
        target = min(MAX_ZOOM, max(MIN_ZOOM, self.zoom() * factor))
        factor = target / self.zoom()
        if abs(factor - 1.0) > 1e-6:
            place = QPointF(self.viewport().rect().center()) if anchor is None else anchor
            fixed = self.mapToScene(place.toPoint())
            if self._anchored is not None and self._anchored[:2] == (place, fixed):
                fixed = self._anchored[2]  # the same zoom gesture: no rounding piles up
            self.scale(factor, factor)
            moved = (self.mapToScene(place.toPoint()) - fixed) * self.zoom()
            self.pan_by(round(-moved.x()), round(-moved.y()))
            self._anchored = (place, self.mapToScene(place.toPoint()), fixed)
        self._zoom_changed()

    def _zoom_changed(self) -> None:
        self.topology_scene.set_detail(self.zoom())

    def zoom_in(self) -> None:
        self._zoom_on_selection(ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom_on_selection(1 / ZOOM_STEP)

    def _zoom_on_selection(self, factor: float) -> None:
        """The keys' zoom: around the selection's centre when it is in sight (it stays where
        it is), else around the view's centre; then the selection is scrolled into sight."""
        shown = self._selection_rect()
        anchor = None
        if shown is not None:
            centre = self.mapFromScene(shown.center())
            if self.viewport().rect().contains(centre):
                anchor = QPointF(centre)
        self.zoom_by(factor, anchor)
        self.show_selection()

    def _selection_rect(self) -> QRectF | None:
        """The scene rectangle of the selected items, None when nothing is selected."""
        rect = QRectF()
        for item in self.topology_scene.selectedItems():
            rect = rect.united(item.sceneBoundingRect())
        return None if rect.isNull() else rect

    def show_selection(self) -> None:
        """Scroll so the selection is in sight (its centre, when it is larger than the view),
        only as far as that needs, keeping as much of the drawing in view as it can
        (``reveal``, as for a paste): ``ensureVisible``'s margin took the design's far side
        out of view after an Undo, a Redo or a zoom."""
        rect = self._selection_rect()
        if rect is None:
            return
        if rect.width() * self.zoom() < self.viewport().width() - 2 * SELECTION_MARGIN and \
                rect.height() * self.zoom() < self.viewport().height() - 2 * SELECTION_MARGIN:
            self.reveal(rect, SELECTION_MARGIN)
        else:
            self.reveal(QRectF(rect.center(), QSizeF(1, 1)), SELECTION_MARGIN)

    def reset_zoom(self) -> None:
        """Actual size, around the view's centre."""
        centre = self._centre()
        self.resetTransform()
        self.centerOn(centre)
        self._zoom_changed()

    def fit_all(self) -> None:
        """Fit the host frame (everything) into the window, enlarging at most to 150 %."""
        scene = self.topology_scene
        scene.update_frame()
        rect = scene.frame.rect().adjusted(-20, -20, 20, 20)
        for _ in range(2):  # again once scroll bars have come or gone with the first fit
            self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > MAX_FIT_ZOOM:
            self.resetTransform()
            self.scale(MAX_FIT_ZOOM, MAX_FIT_ZOOM)
            self.centerOn(rect.center())
        self._zoom_changed()
        self._fitted = (self.zoom(), self._centre())

    def first_view(self) -> None:
        """What a file opened or arranged shows first: Fit, unless Fit draws the boxes too
        small for their ports (under DETAIL_LOD) where fitting the width alone would not: a
        tall, narrow drawing (a bridge of 300 ports with its namespaces beside it) then
        shows its whole width, at most at 100 %, from its top, and scrolls down."""
        self.fit_all()
        if self.zoom() >= DETAIL_LOD:
            return
        rect = self.topology_scene.frame.rect().adjusted(-20, -20, 20, 20)
        for _ in range(2):  # again once the vertical scroll bar has come
            zoom = min(1.0, self.viewport().width() / rect.width())
            if zoom < DETAIL_LOD:
                return  # wide as well as tall: Fit it is
            self.resetTransform()
            self.scale(zoom, zoom)
            self.centerOn(rect.center().x(), rect.top() + self.viewport().height() / zoom / 2)
        self._zoom_changed()
        self._fitted = None  # not fitted: a resize keeps this zoom

    def place(self) -> ViewPlace:
        """Where the view is now, to come back to (``go_to_place``)."""
        return ViewPlace(self.zoom(), self._centre(), self._still_fitted(self.viewport().size()))

    def go_to_place(self, place: ViewPlace | None) -> None:
        """Back where ``place`` says (the design as the user left it for the live host);
        the first view of the scene when there is none, or Fit when Fit left it."""
        if place is None or place.fitted:
            self.first_view() if place is None else self.fit_all()
            return
        self.resetTransform()
        self.scale(place.zoom, place.zoom)
        self.centerOn(place.centre)
        self._zoom_changed()
        self._fitted = None

    def reveal(self, made: QRectF, margin: int) -> None:
        """Scroll, at the same zoom, so ``made`` (a scene rectangle: a copy just placed, the
        selection) shows whole, keeping as much of the drawing in view as that allows
        (``reveal``)."""
        reveal_in(self, made, self.topology_scene.nodes.values(), margin)

    def centre_on_key(self, key: str) -> bool:
        item = self.topology_scene.item_for(key)
        if item is None:
            return False
        self.centerOn(item)
        return True

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120.0
            if steps:
                self.zoom_by(ZOOM_STEP ** steps, event.position())  # the point under it
            event.accept()
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_F10 and \
                event.modifiers() == Qt.KeyboardModifier.ShiftModifier:
            # the desktops' other menu key, which Qt leaves to the widget; the scene offers
            # the selection as it does for the Menu key
            corner = QPoint(0, 0)
            self.contextMenuEvent(QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, corner,
                                                    self.viewport().mapToGlobal(corner)))
            event.accept()
            return
        if event.key() == Qt.Key.Key_Escape and event.modifiers() == \
                Qt.KeyboardModifier.NoModifier and self.topology_scene.selectedItems():
            # as in other drawing programs: Escape lets go of the selection (the Inspector
            # shows the topology again); it did nothing
            self.topology_scene.clearSelection()
            event.accept()
            return
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
            return
        super().keyPressEvent(event)
        if event.isAccepted() and event.key() in NUDGE_KEYS:
            self.show_selection()  # nudged past the edge: it stays in sight

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
            return
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._hold(event)
        if event.button() == Qt.MouseButton.MiddleButton:
            self._panning = True
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._held is not None:
            self._hold(event)
        if self._panning:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.pan_by(-delta.x(), -delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.buttons() == Qt.MouseButton.NoButton:
            self._held = None
        if self._panning and event.button() == Qt.MouseButton.MiddleButton:
            self._panning = False
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    # -- the scene stays under a pressed button ------------------------------------------

    def _hold(self, event: QMouseEvent) -> None:
        """Remember which scene point is under the pointer, on the screen, while pressed."""
        self._held = (QPointF(event.globalPosition()),
                      self.mapToScene(event.position().toPoint()))

    def _centre(self, size: QSize | None = None) -> QPointF:
        """The scene point at the centre of the viewport (of this size: the one before a
        resize, when the viewport already has the new one)."""
        return self.mapToScene(QRect(QPoint(0, 0), size or self.viewport().size()).center())

    def _still_fitted(self, size: QSize) -> bool:
        """Nobody zoomed or scrolled since the last Fit."""
        if self._fitted is None or not size.isValid():
            return False
        zoom, centre = self._fitted
        return abs(self.zoom() - zoom) < 1e-9 and \
            (self._centre(size) - centre).manhattanLength() * zoom < 3

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        fitted = self._still_fitted(event.oldSize())
        super().resizeEvent(event)
        if self._held is None and fitted:
            self.fit_all()  # the window changed size: a fitted drawing stays fitted
        self._keep_held_point()

    def moveEvent(self, event: QMoveEvent) -> None:  # noqa: N802
        super().moveEvent(event)
        self._keep_held_point()

    def _keep_held_point(self) -> None:
        """A layout change (a dock growing as the selection changed) resized or moved the view
        while a button is pressed: scroll so the same scene point is under the pointer again,
        so the press is not turned into a drag by the window's own layout."""
        if self._held is None:
            return
        screen, scene_point = self._held
        now = self.mapToScene(self.viewport().mapFromGlobal(screen.toPoint()))
        delta = (now - scene_point) * self.zoom()
        if abs(delta.x()) >= 1 or abs(delta.y()) >= 1:
            self.pan_by(-delta.x(), -delta.y())

    def pan_by(self, dx: float, dy: float) -> None:
        """Scroll by view pixels (the benchmark pans with this)."""
        self.horizontalScrollBar().setValue(int(self.horizontalScrollBar().value() + dx))
        self.verticalScrollBar().setValue(int(self.verticalScrollBar().value() + dy))

    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:  # noqa: N802
        """A dot grid at snap spacing (one textured fill), none when zoomed out too far."""
        painter.fillRect(rect, self.backgroundBrush())
        if self.zoom() < 0.5:
            return
        if self._grid_brush is None or self._grid_colour != self.topology_scene.theme.grid:
            self._grid_colour = QColor(self.topology_scene.theme.grid)
            self._grid_brush = grid_brush(self._grid_colour)
        painter.fillRect(rect, self._grid_brush)


def grid_brush(colour: QColor) -> QBrush:
    """A texture of one dot per grid cell, in scene units (the painter scales it)."""
    tile = QPixmap(int(GRID) * 4, int(GRID) * 4)
    tile.fill(Qt.GlobalColor.transparent)
    painter = QPainter(tile)
    painter.setPen(QPen(colour, 1.5))
    for x in range(4):
        for y in range(4):
            painter.drawPoint(QPointF(x * GRID, y * GRID))
    painter.end()
    return QBrush(tile)
