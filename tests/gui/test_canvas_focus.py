"""Where the keys go, seen: a ring round the canvas while it has the keyboard focus (in the
palette's highlight colour, so a high-contrast theme's own), and an item the keys move or
bring back stays in sight. Read from the pixels the view shows, and from real key presses."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from netwright.gui.window.main import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier


def _edge_colours(window: MainWindow) -> set[str]:
    """The colours of the view's pixels just inside the viewport's left and top edges."""
    view = window.view
    image = view.grab().toImage()
    box = view.viewport().geometry()
    points = [QPoint(box.left(), box.center().y()), QPoint(box.center().x(), box.top()),
              QPoint(box.right(), box.center().y()), QPoint(box.center().x(), box.bottom())]
    return {QColor(image.pixel(p)).name() for p in points}


def _in_sight(window: MainWindow, key: str) -> bool:
    view = window.view
    item = window.scene.item_for(key)
    assert item is not None
    return view.viewport().rect().contains(
        view.mapFromScene(item.sceneBoundingRect()).boundingRect())


def test_the_canvas_shows_a_ring_while_it_has_the_focus(window: MainWindow,
                                                        seed: Path) -> None:
    assert window.open_path(seed)
    window.activateWindow()
    window.palette_list.setFocus(Qt.FocusReason.TabFocusReason)
    highlight = window.view.palette().color(QPalette.ColorRole.Highlight).name()
    assert highlight not in _edge_colours(window)
    window.view.setFocus(Qt.FocusReason.TabFocusReason)
    assert window.view.hasFocus()
    assert _edge_colours(window) == {highlight}
    # a high-contrast palette's highlight is the ring's colour
    contrast = QPalette(window.view.palette())
    contrast.setColor(QPalette.ColorRole.Highlight, QColor("#ffff00"))
    window.view.setPalette(contrast)
    assert _edge_colours(window) == {"#ffff00"}
    window.palette_list.setFocus(Qt.FocusReason.TabFocusReason)
    assert "#ffff00" not in _edge_colours(window)
    # the ring takes no clicks: a click on the edge of the canvas reaches the canvas
    window.view.setFocus()
    ring = window.view.focus_ring
    assert ring.isVisible() and ring.geometry() == window.view.viewport().geometry()
    assert window.view.viewport().childAt(QPoint(1, 1)) is None


def test_nudged_with_the_arrows_the_item_stays_in_sight(window: MainWindow,
                                                        seed: Path) -> None:
    assert window.open_path(seed)
    view = window.view
    view.reset_zoom()
    window.scene.select_keys(["net2"])
    box = window.scene.nodes["net2"].sceneBoundingRect()
    view.centerOn(box.center() - QPointF(view.viewport().width() / 2 - box.width(), 0))
    assert _in_sight(window, "net2")
    view.setFocus()
    for _ in range(30):  # 30 grid steps to the right: past the right edge
        QTest.keyClick(view, Qt.Key.Key_Right)
    assert window.scene.nodes["net2"].sceneBoundingRect().left() > box.left() + 200
    assert _in_sight(window, "net2")


def test_what_undo_brings_back_is_scrolled_into_sight(window: MainWindow, seed: Path) -> None:
    assert window.open_path(seed)
    view = window.view
    view.reset_zoom()
    window.scene.select_keys(["net1"])
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Delete)
    view.centerOn(window.scene.sceneRect().topLeft())  # looking elsewhere
    QTest.keyClick(view, Qt.Key.Key_Z, CTRL)
    assert window.scene.selected_keys() == ["net1"]
    assert _in_sight(window, "net1")


def test_a_ring_whose_python_side_is_cleared_lets_events_pass(qtbot: QtBot) -> None:
    """A closed window's ring can lose its Python side first (the garbage collector clears a
    cycle's objects while Qt still holds the widgets) and still filter its view's events: an
    AttributeError in Qt's event loop then failed the next benchmark. The ring's dict is
    cleared here as the collector clears it; the view's events must pass untouched."""
    from PySide6.QtWidgets import QGraphicsView

    from netwright.gui.canvas.focus_ring import FocusRing

    view = QGraphicsView()
    qtbot.addWidget(view)
    ring = FocusRing(view)
    view.show()
    ring.__dict__.clear()
    view.resize(321, 222)  # a Resize through the ring's filter
    view.setFocus()
    view.clearFocus()
    QTest.qWait(20)
    assert view.size().width() == 321


def _palette_edge_colours(window: MainWindow) -> set[str]:
    """The palette's pixels just inside its viewport's edges, below its entries (the current
    entry is highlighted whether the list has the keys or not)."""
    palette = window.palette_list
    image = palette.grab().toImage()
    box = palette.viewport().geometry()
    low = box.bottom() - 4
    points = [QPoint(box.left(), low), QPoint(box.center().x(), box.bottom()),
              QPoint(box.right(), low)]
    return {QColor(image.pixel(p)).name() for p in points}


def test_the_palette_shows_the_ring_while_it_has_the_focus(window: MainWindow) -> None:
    """Tab from the canvas to the palette showed nothing: its current entry is highlighted
    all the time, so a keyboard user could not tell the keys had gone there."""
    window.activateWindow()
    window.view.setFocus(Qt.FocusReason.TabFocusReason)
    highlight = window.palette_list.palette().color(QPalette.ColorRole.Highlight).name()
    assert highlight not in _palette_edge_colours(window)
    window.palette_list.setFocus(Qt.FocusReason.TabFocusReason)
    assert window.palette_list.hasFocus()
    assert _palette_edge_colours(window) == {highlight}
    window.view.setFocus(Qt.FocusReason.TabFocusReason)
    assert highlight not in _palette_edge_colours(window)


def test_escape_lets_go_of_the_selection(window: MainWindow, seed: Path) -> None:
    """Escape on the canvas clears the selection, as in other drawing programs (it did
    nothing); the Inspector shows the topology again."""
    assert window.open_path(seed)
    window.view.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(window.view, Qt.Key.Key_A, CTRL)
    assert len(window.scene.selected_keys()) > 1
    QTest.keyClick(window.view, Qt.Key.Key_Escape)
    assert window.scene.selectedItems() == []
    assert window.inspector.key is None
    window.go_to_key("net1")
    assert window.inspector.key == "net1"
    window.view.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(window.view, Qt.Key.Key_Escape)
    assert window.scene.selected_keys() == [] and window.inspector.key is None
