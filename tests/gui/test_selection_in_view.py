"""What Undo, Redo or a zoom selects is scrolled into view only as far as it needs, keeping
as much of the design in view as that allows (``CanvasView.reveal``, as for a paste): with
``ensureVisible``'s 20 px margin, a box brought back at the right edge of a design that just
fits took the design's left edge out of view (1024x700)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow

DOCKER = Path(__file__).resolve().parents[2] / "examples" / "docker-bridge.yaml"
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ROOM = 6  # viewport pixels left of and right of the design: less than the margin


def _on_screen(window: MainWindow, key: str) -> QRect:
    return window.view.mapFromScene(window.scene.nodes[key].sceneBoundingRect()).boundingRect()


def _drawing(window: MainWindow) -> QRect:
    """Every box on the canvas, in viewport pixels."""
    rect = QRect()
    for key in window.scene.nodes:
        rect = rect.united(_on_screen(window, key))
    return rect


def _just_fitting(window: MainWindow, larger: float = 1.0) -> None:
    """Zoom so the design is ``2 * ROOM`` px narrower than the view (times ``larger``),
    centred in it: whole, with ``ROOM`` px either side (``larger`` 1)."""
    view = window.view
    width = view.viewport().width()
    view.zoom_by((width - 2 * ROOM) * larger / _drawing(window).width())
    bar = view.horizontalScrollBar()
    bar.setValue(bar.value() + round(_drawing(window).center().x() - width / 2))
    QApplication.processEvents()
    if larger == 1.0:
        assert ROOM - 2 <= _drawing(window).left() <= ROOM + 2, _drawing(window)
        assert view.viewport().rect().contains(_drawing(window))


def _press(window: MainWindow, key: Qt.Key, modifiers: Qt.KeyboardModifier = CTRL) -> None:
    QTest.keyClick(window.view.viewport(), key, modifiers)
    QApplication.processEvents()


def _design_in_view(window: MainWindow, key: str) -> None:
    shown = window.view.viewport().rect()
    assert window.scene.selected_keys() == [key]
    assert shown.contains(_on_screen(window, key)), (_on_screen(window, key), shown)
    assert shown.contains(_drawing(window)), (_drawing(window), shown)


def test_what_undo_brings_back_keeps_the_design_in_view(started: Any) -> None:
    """c1, at the design's right edge, deleted and brought back by Undo."""
    window = started(1024, 700, DOCKER)
    _just_fitting(window)
    window.scene.select_keys(["c1"])
    window.view.setFocus()
    _press(window, Qt.Key.Key_Delete, Qt.KeyboardModifier.NoModifier)
    _press(window, Qt.Key.Key_Z)
    _design_in_view(window, "c1")


def test_what_redo_brings_back_keeps_the_design_in_view(started: Any) -> None:
    """A copy of c1, pasted at the design's right edge, taken back and pasted again by
    Redo."""
    window = started(1024, 700, DOCKER)
    window.scene.select_keys(["c1"])
    window.view.setFocus()
    _press(window, Qt.Key.Key_C)
    _press(window, Qt.Key.Key_V)
    [copy] = window.scene.selected_keys()
    _just_fitting(window)
    _press(window, Qt.Key.Key_Z)
    assert copy not in window.scene.nodes
    _press(window, Qt.Key.Key_Z, CTRL | SHIFT)
    _design_in_view(window, copy)


def test_a_zoom_out_to_the_whole_design_keeps_it_in_view(started: Any) -> None:
    """Zoomed out a step around c1 (in sight, at the right edge), the design fits the view
    with a few pixels to spare, but c1 came out past the edge a little: scrolled in with
    a 20 px margin it took the design's left edge out of view."""
    window = started(1024, 700, DOCKER)
    _just_fitting(window, larger=1.2)  # a step (ZOOM_STEP) out: it just fits
    window.scene.select_keys(["c1"])
    assert window.view.viewport().rect().contains(_on_screen(window, "c1").center())
    window.zoom_out_action.trigger()
    QApplication.processEvents()
    _design_in_view(window, "c1")
