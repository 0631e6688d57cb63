"""Zoom keeps a point still: Ctrl+wheel the point under the pointer, the keys the selection
(or the view's centre). The wheel events are the ones a mouse sends, at a place in the
viewport; the keys are pressed on the canvas."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netwright.gui.canvas.view import CanvasView
from netwright.gui.window.main import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier


def _wheel(view: CanvasView, at: QPoint, notches: int,
           modifiers: Qt.KeyboardModifier = CTRL) -> None:
    viewport = view.viewport()
    event = QWheelEvent(QPointF(at), QPointF(viewport.mapToGlobal(at)), QPoint(0, 0),
                        QPoint(0, 120 * notches), Qt.MouseButton.NoButton, modifiers,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(viewport, event)


def _under(view: CanvasView, at: QPoint) -> QPointF:
    return view.mapToScene(at)


def _close(a: QPointF, b: QPointF, view: CanvasView) -> bool:
    """Within two screen pixels (the scroll bars move by whole pixels)."""
    return (a - b).manhattanLength() * view.zoom() <= 2.5


def test_ctrl_wheel_keeps_the_point_under_the_pointer(window: MainWindow, seed: Path) -> None:
    assert window.open_path(seed)
    view = window.view
    view.reset_zoom()
    view.centerOn(0, 0)
    at = QPoint(view.viewport().width() // 5, view.viewport().height() // 4)  # off centre
    before = _under(view, at)
    _wheel(view, at, 1)
    assert view.zoom() == pytest.approx(1.2)
    assert _close(_under(view, at), before, view), (_under(view, at), before)
    _wheel(view, at, 0, Qt.KeyboardModifier.NoModifier)  # nothing: no notch
    _wheel(view, at, -1, Qt.KeyboardModifier.NoModifier)  # a plain scroll moves the drawing
    elsewhere = QPoint(view.viewport().width() * 3 // 4, view.viewport().height() // 2)
    before = _under(view, elsewhere)
    for notches in (-1, -1, 2, 1):
        _wheel(view, elsewhere, notches)
        assert _close(_under(view, elsewhere), before, view), notches
    assert view.zoom() == pytest.approx(1.2 ** 2)


def test_zoom_keys_keep_the_selection_in_sight(window: MainWindow, seed: Path) -> None:
    assert window.open_path(seed)
    view = window.view
    view.reset_zoom()
    item = window.scene.item_for("ipvlan2")
    assert item is not None
    window.scene.select_keys(["ipvlan2"])
    # the selection near the right edge: zooming in around the view's centre pushed it out
    rect = item.sceneBoundingRect()
    view.centerOn(rect.center() - QPointF(view.viewport().width() / 2 - 60, 0))
    view.setFocus()
    for _ in range(5):
        QTest.keyClick(view, Qt.Key.Key_Plus, CTRL)
        shown = view.mapFromScene(item.sceneBoundingRect()).boundingRect()
        assert view.viewport().rect().contains(shown), (view.zoom(), shown)
    assert view.zoom() == pytest.approx(1.2 ** 5)
    # nothing selected: the view's centre stays where it is
    window.scene.clearSelection()
    centre = view.viewport().rect().center()
    before = _under(view, centre)
    QTest.keyClick(view, Qt.Key.Key_Minus, CTRL)
    assert _close(_under(view, centre), before, view)
    assert QRect(QPoint(0, 0), view.viewport().size()).contains(centre)
