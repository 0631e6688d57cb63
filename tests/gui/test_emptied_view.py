"""A design emptied by Undo (or Delete) looks as a new one does: the empty host fitted, the
welcome panel over its frame. The frame stayed where the drawing's zoom and scroll left it,
its title hidden under the panel and its edges sticking out below it."""

from __future__ import annotations

from gestures import drop_kind
from PySide6.QtCore import QPointF, QRect
from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow


def _frame_on_screen(window: MainWindow) -> QRect:
    return window.view.mapFromScene(window.scene.frame.rect()).boundingRect()


def test_undo_to_an_empty_design_shows_it_as_new(window: MainWindow) -> None:
    window.new_action.trigger()  # File ▸ New: how an empty design is shown
    QApplication.processEvents()
    assert window.welcome.isVisible()
    new = _frame_on_screen(window)
    view = window.view
    centre = view.mapToScene(view.viewport().rect().center())
    assert drop_kind(view, "namespace", centre + QPointF(300, 150))
    assert drop_kind(view, "bridge", centre + QPointF(-300, -150))
    view.zoom_out()  # the user looks at the drawing from further away
    stack = window.document.undo_stack
    stack.undo()
    stack.undo()
    QApplication.processEvents()
    assert window.welcome.isVisible()
    shown = _frame_on_screen(window)
    assert abs(shown.top() - new.top()) <= 2 and abs(shown.left() - new.left()) <= 2, \
        (shown, new)
    assert shown.size() == new.size()
