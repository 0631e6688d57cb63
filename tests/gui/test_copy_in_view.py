"""A pasted or duplicated copy that lands past the view's edge is scrolled into view, at the
same zoom: beside an original near the right edge it was half off-screen (1024x700) until
Fit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gestures import choose, right_click
from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CTRL = Qt.KeyboardModifier.ControlModifier


def _on_screen(window: MainWindow, key: str) -> QRect:
    return window.view.mapFromScene(window.scene.nodes[key].sceneBoundingRect()).boundingRect()


def _c1_at_the_right_edge(window: MainWindow) -> None:
    """Scroll so c1's right side touches the view's: its copy goes to its right."""
    bar = window.view.horizontalScrollBar()
    bar.setValue(bar.value() + _on_screen(window, "c1").right()
                 - window.view.viewport().width() + 10)
    QApplication.processEvents()
    assert _on_screen(window, "c1").right() > window.view.viewport().width() - 20


def _copy(window: MainWindow) -> str:
    [copy] = [k for k in window.document.snapshot.namespaces if k not in ("c1", "c2")]
    return copy


def _assert_shown(window: MainWindow, key: str, zoom: float) -> None:
    QApplication.processEvents()
    assert window.view.viewport().rect().contains(_on_screen(window, key)), \
        (_on_screen(window, key), window.view.viewport().rect())
    assert window.view.transform().m11() == zoom  # scrolled, not zoomed out


def test_a_duplicate_past_the_edge_is_scrolled_into_view(started: Any) -> None:
    window = started(1024, 700, EXAMPLES / "docker-bridge.yaml")
    _c1_at_the_right_edge(window)
    zoom = window.view.transform().m11()
    header = window.scene.nodes["c1"].sceneBoundingRect().topLeft() + QPointF(40, 12)
    right_click(window.view, window.view.mapFromScene(header))
    choose(window.context_menu, "Duplicate c1")
    _assert_shown(window, _copy(window), zoom)


def test_a_paste_past_the_edge_is_scrolled_into_view(started: Any) -> None:
    window = started(1024, 700, EXAMPLES / "docker-bridge.yaml")
    _c1_at_the_right_edge(window)
    zoom = window.view.transform().m11()
    window.scene.select_keys(["c1"])
    window.view.setFocus()
    for key in (Qt.Key.Key_C, Qt.Key.Key_V):
        QTest.keyClick(window.view.viewport(), key, CTRL)
        QApplication.processEvents()
    _assert_shown(window, _copy(window), zoom)


def _drawing(window: MainWindow) -> QRect:
    """Every box on the canvas (the copy too), in viewport pixels."""
    rect = QRect()
    for node in window.scene.nodes.values():
        rect = rect.united(window.view.mapFromScene(node.sceneBoundingRect()).boundingRect())
    return rect


def test_a_copy_scrolled_into_view_keeps_the_design_in_view(started: Any) -> None:
    """At 1024x700 the copy of c1 goes right of it, past the view's edge; scrolling it in
    with a 40 px margin took the design's left side (docker0's ports, wlp2s0) out of view
    further than the copy needed. Only as far as needed now: the copy just inside."""
    window = started(1024, 700, EXAMPLES / "docker-bridge.yaml")
    zoom = window.view.transform().m11()
    window.scene.select_keys(["c1"])
    window.view.setFocus()
    for key in (Qt.Key.Key_C, Qt.Key.Key_V):
        QTest.keyClick(window.view.viewport(), key, CTRL)
        QApplication.processEvents()
    _assert_shown(window, _copy(window), zoom)
    drawing, width = _drawing(window), window.view.viewport().width()
    assert drawing.width() > width  # the design and its copy cannot both show whole
    assert -drawing.left() <= drawing.width() - width + 6, (drawing, width)  # 4: EDGE


def test_a_copy_that_fits_beside_the_design_keeps_its_left_edge(started: Any) -> None:
    """Zoomed out a step, the design and the copy fit in the view together: both show."""
    window = started(1024, 700, EXAMPLES / "docker-bridge.yaml")
    window.view.zoom_out()
    zoom = window.view.transform().m11()
    _c1_at_the_right_edge(window)
    assert _drawing(window).left() >= 0
    header = window.scene.nodes["c1"].sceneBoundingRect().topLeft() + QPointF(40, 12)
    right_click(window.view, window.view.mapFromScene(header))
    choose(window.context_menu, "Duplicate c1")
    _assert_shown(window, _copy(window), zoom)
    assert window.view.viewport().rect().contains(_drawing(window)), \
        (_drawing(window), window.view.viewport().rect())
