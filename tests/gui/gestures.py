"""Real input events for the canvas: drag-and-drop from the palette, mouse drags, keys.

Events are sent to the view's viewport exactly as the windowing system would deliver them,
so the view's own translation to scene events (and the scene's handlers) run for real.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import (
    QContextMenuEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QMouseEvent,
)
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QGraphicsView,
    QMenu,
)

from netwright.gui.canvas.scene import kind_mime
from netwright.gui.docks.checks import CheckMatrix

LEFT = Qt.MouseButton.LeftButton
NO_MODIFIER = Qt.KeyboardModifier.NoModifier


def view_point(view: QGraphicsView, scene_pos: QPointF) -> QPoint:
    return view.mapFromScene(scene_pos)


def drop_mime(view: QGraphicsView, mime, scene_pos: QPointF) -> bool:  # type: ignore[no-untyped-def]
    """Drag enter, move and drop of ``mime`` at ``scene_pos``; True if the drop was accepted."""
    viewport = view.viewport()
    point = QPointF(view_point(view, scene_pos))
    action = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(point.toPoint(), action, mime, LEFT, NO_MODIFIER)
    QApplication.sendEvent(viewport, enter)
    move = QDragMoveEvent(point.toPoint(), action, mime, LEFT, NO_MODIFIER)
    QApplication.sendEvent(viewport, move)
    drop = QDropEvent(point, action, mime, LEFT, NO_MODIFIER)
    QApplication.sendEvent(viewport, drop)
    return drop.isAccepted()


def drop_kind(view: QGraphicsView, kind: str, scene_pos: QPointF) -> bool:
    return drop_mime(view, kind_mime(kind), scene_pos)


def mouse_drag(view: QGraphicsView, start: QPointF, end: QPointF, steps: int = 6,
               modifiers: Qt.KeyboardModifier = NO_MODIFIER) -> None:
    """Press at ``start``, move in ``steps`` with the button held, release at ``end``."""
    viewport = view.viewport()
    a, b = QPointF(view_point(view, start)), QPointF(view_point(view, end))
    QTest.mousePress(viewport, LEFT, modifiers, a.toPoint())
    for step in range(1, steps + 1):
        point = a + (b - a) * (step / steps)
        event = QMouseEvent(QMouseEvent.Type.MouseMove, point, QPointF(viewport.mapToGlobal(point)),
                            Qt.MouseButton.NoButton, LEFT, modifiers)
        QApplication.sendEvent(viewport, event)
    QTest.mouseRelease(viewport, LEFT, modifiers, b.toPoint())


def click(view: QGraphicsView, scene_pos: QPointF,
          modifiers: Qt.KeyboardModifier = NO_MODIFIER) -> None:
    QTest.mouseClick(view.viewport(), LEFT, modifiers, view_point(view, scene_pos))


def double_click(area: QAbstractScrollArea, point: QPoint) -> None:
    """A user's double click at ``point`` of a view's viewport: press/release, then the second
    press (delivered as a double click) and its release.

    QTest's ``mouseDClick`` alone sends only the double-click event and leaves the button
    recorded as held (``QGuiApplication.mouseButtons()``) for every later test; item views
    also need the first press.
    """
    viewport = area.viewport()
    QTest.mouseClick(viewport, LEFT, NO_MODIFIER, point)
    QTest.mouseDClick(viewport, LEFT, NO_MODIFIER, point)
    QTest.mouseRelease(viewport, LEFT, NO_MODIFIER, point)


def select_check_cell(checks, pair) -> None:  # type: ignore[no-untyped-def]
    """Make the Checks matrix cell that shows ``pair`` the current one (as a click does)."""
    for row in range(checks.matrix.rowCount()):
        for column in range(checks.matrix.columnCount()):
            if checks.matrix.pair_at(row, column) == pair:
                checks.matrix.setCurrentCell(row, column)
                return
    raise AssertionError(f"no cell shows {pair.get('source')} → {pair.get('target_name')}")


def select_unrouted_cell(qtbot, window, source: str) -> None:  # type: ignore[no-untyped-def]
    """Once the predictions are in, the Checks dock in front with the cell of ``source``'s
    first pair that has no route current (the seed's net2: its fix adds a default route)."""
    checks = window.checks
    qtbot.waitUntil(lambda: bool(checks.result.get("pairs")), timeout=5000)
    window.checks_dock.raise_()
    select_check_cell(checks, next(
        p for p in checks.result["pairs"]
        if p["source"] == source and p["predicted"].get("disposition") == "no_route"))


def right_click(area: QAbstractScrollArea, point: QPoint) -> None:
    """A right-click at ``point`` of a view's viewport, with the context-menu event the
    windowing system sends after it (QTest does not synthesize that one)."""
    viewport = area.viewport()
    QTest.mouseClick(viewport, Qt.MouseButton.RightButton, NO_MODIFIER, point)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point, viewport.mapToGlobal(point))
    QApplication.sendEvent(viewport, event)
    QApplication.processEvents()


def menu_entries(menu: QMenu | None) -> list[str]:
    assert menu is not None, "no menu opened"
    return [action.text() for action in menu.actions() if not action.isSeparator()]


def choose(menu: QMenu | None, text: str) -> None:
    """Pick the entry ``text`` of an open menu, as a click on it does."""
    assert menu is not None, "no menu opened"
    action = next(a for a in menu.actions() if a.text() == text)
    menu.hide()
    action.trigger()
    QApplication.processEvents()


def right_click_cell(matrix: CheckMatrix, row_header: str, column_prefix: str) -> None:
    """Right-click the Checks matrix's cell of the row headed ``row_header`` and the first
    column whose header starts with ``column_prefix``."""
    row = next(r for r in range(matrix.rowCount()) if matrix.source(r) == row_header)
    column = next(c for c in range(matrix.columnCount())
                  if matrix.target(c).startswith(column_prefix))
    right_click(matrix, matrix.cell_rect(row, column).center())
