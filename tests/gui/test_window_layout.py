"""At 1024×700 the canvas keeps most of the window; the palette needs no scrolling; a fitted
drawing stays fitted when the window changes size."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow


@pytest.mark.parametrize(("width", "height"), [(1024, 700), (1600, 1000)])
def test_the_canvas_gets_the_room(window: MainWindow, seed: Path, width: int,
                                  height: int) -> None:
    window.resize(width, height)
    assert window.open_path(seed)
    QApplication.processEvents()
    viewport = window.view.viewport().size()
    assert viewport.width() >= 0.5 * width, viewport
    assert viewport.height() >= 0.62 * height, viewport
    palette = window.palette_list
    assert palette.isVisible()
    assert palette.verticalScrollBar().maximum() == 0, "the palette needs scrolling"
    assert window.host_dock in window.tabifiedDockWidgets(window.palette_dock)


def test_a_fitted_drawing_stays_fitted_when_the_window_shrinks(window: MainWindow,
                                                               seed: Path) -> None:
    window.resize(1400, 880)
    assert window.open_path(seed)
    QApplication.processEvents()
    window.view.fit_all()
    window.resize(1024, 700)
    QApplication.processEvents()
    view = window.view
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    assert shown.contains(window.scene.frame.rect())
    view.zoom_in()  # zoomed by hand: a resize leaves the zoom alone
    zoom = view.zoom()
    window.resize(1300, 800)
    QApplication.processEvents()
    assert view.zoom() == zoom
