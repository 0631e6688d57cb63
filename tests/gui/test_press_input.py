"""A press and release without moving only selects, even when the window's docks change size
under the pressed button (the Inspector growing for the selected item shifted the canvas; the
press became a drag and moved ipvlan2 out of net2, or net1 onto wlp2s0).

Real events go through the viewport; the window is the real one at 1024×700, with a dock that
grows whenever the selection changes, so the view under the pointer is resized and scrolled
between the press and the release as it was for the user.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from gestures import LEFT, NO_MODIFIER, mouse_drag
from PySide6.QtCore import QPoint, QPointF
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow

GROWTH = 240  # px the dock gains on each selection: far beyond any drag distance


def _docks_grow_on_selection(window: MainWindow) -> list[int]:
    """Make the Inspector dock much wider on every selection change; returns the widths."""
    widths: list[int] = []

    def grow() -> None:
        widget = window.inspector_dock.widget()
        widget.setMinimumWidth(widget.width() + GROWTH)
        widths.append(widget.minimumWidth())

    window.scene.selectionChanged.connect(grow)
    return widths


def _hold(qtbot, view, point: QPoint, ms: int = 300) -> None:  # type: ignore[no-untyped-def]
    """Press, hold ``ms`` while layouts settle (the scene shifts meanwhile), release."""
    viewport = view.viewport()
    QTest.mousePress(viewport, LEFT, NO_MODIFIER, point)
    qtbot.wait(ms)
    QTest.mouseRelease(viewport, LEFT, NO_MODIFIER, point)
    qtbot.wait(50)


@pytest.fixture
def small_seed(window: MainWindow, seed: Path) -> MainWindow:
    window.resize(1024, 700)
    assert window.open_path(seed)
    QApplication.processEvents()
    window.view.fit_all()
    QApplication.processEvents()
    return window


@pytest.mark.parametrize("key", ["ipvlan2", "net1", "wlp2s0"])
def test_press_and_hold_without_moving_only_selects(qtbot, small_seed: MainWindow,  # type: ignore[no-untyped-def]
                                                    key: str) -> None:
    window = small_seed
    _docks_grow_on_selection(window)
    before = window.document.render()
    item = window.scene.item_for(key)
    assert item is not None
    spot = item.sceneBoundingRect().center()
    if key == "ipvlan2":
        spot -= QPointF(30, 0)  # the port's body, not its wire connector
    if key == "net1":
        spot = item.sceneBoundingRect().topLeft() + QPointF(60, 16)  # its title, not a port
    point = window.view.mapFromScene(spot)
    width = window.view.width()
    screen = window.view.viewport().mapToGlobal(point)
    _hold(qtbot, window.view, point)
    # the test is only worth something if the view really changed size under the pointer
    assert window.view.width() <= width - GROWTH // 2
    # … and the scene stayed put under it
    under = window.view.mapToScene(window.view.viewport().mapFromGlobal(screen))
    assert abs(under.x() - spot.x()) < 2 and abs(under.y() - spot.y()) < 2
    assert window.scene.selected_keys() == [key]
    assert window.document.undo_stack.count() == 0, window.document.undo_stack.text(0)
    assert not window.document.is_modified()
    assert window.document.render() == before
    assert window.document.snapshot.namespace_of("ipvlan2") == "net2"
    node = window.scene.nodes.get(key)
    if node is not None:  # what is drawn is what the document says
        assert (node.x(), node.y()) == window.document.snapshot.layout[key]


def test_a_real_drag_after_the_canvas_shifted_moves_by_the_pointer_only(
        qtbot, small_seed: MainWindow) -> None:  # type: ignore[no-untyped-def]
    """The scene is held under a pressed button: a drag moves the item by exactly what the
    pointer moved on the screen, not by the dock's growth as well."""
    window = small_seed
    _docks_grow_on_selection(window)
    view = window.view
    start = window.document.snapshot.layout["net1"]
    header = window.scene.nodes["net1"].sceneBoundingRect().topLeft() + QPointF(60, 16)
    press = view.mapFromScene(header)
    QTest.mousePress(view.viewport(), LEFT, NO_MODIFIER, press)
    qtbot.wait(300)  # the dock grows, the view shrinks
    zoom = view.zoom()
    mouse_drag_from_held(view, press, QPoint(press.x() + round(100 * zoom), press.y()))
    stack = window.document.undo_stack
    assert stack.count() == 1 and stack.undoText() == "Move net1"
    end = window.document.snapshot.layout["net1"]
    assert end == (start[0] + 100, start[1])
    assert window.document.is_modified()


def mouse_drag_from_held(view, start: QPoint, end: QPoint, steps: int = 8) -> None:  # type: ignore[no-untyped-def]
    """Move with the button already held (pressed at ``start``), then release at ``end``."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QMouseEvent

    viewport = view.viewport()
    for step in range(1, steps + 1):
        point = QPointF(start) + QPointF(end - start) * (step / steps)
        event = QMouseEvent(QMouseEvent.Type.MouseMove, point,
                            QPointF(viewport.mapToGlobal(point)), Qt.MouseButton.NoButton,
                            LEFT, NO_MODIFIER)
        QApplication.sendEvent(viewport, event)
    QTest.mouseRelease(viewport, LEFT, NO_MODIFIER, end)


_ = mouse_drag  # the ordinary drag stays covered in test_canvas.py


def test_selecting_any_item_keeps_the_canvas_where_it_is(qtbot, small_seed: MainWindow) -> None:  # type: ignore[no-untyped-def]
    """The real Inspector, whatever it shows (the fill button's long label, a routes table),
    does not resize its dock: the canvas keeps its place and size on every selection."""
    window = small_seed
    geometry = window.view.geometry()
    for key in ("ipvlan2", "net1", "wlp2s0", "ipvlan1"):
        window.scene.select_keys([key])
        qtbot.wait(30)
        assert window.inspector.key == key
        assert window.view.geometry() == geometry, key
