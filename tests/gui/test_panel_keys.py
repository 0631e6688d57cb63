"""Ctrl+J (View › Bottom Panel) takes the keys along: opening the panel puts the keyboard
focus in the dock on top, where it was last in it; closing it with the focus inside gives the
focus back to the canvas, whose focus ring then shows it; a dock with nothing else to show
the keys (a read-only log, the check matrix) wears the same ring. Qt alone left the focus on
a hidden tab bar, where no key did anything. The keys are pressed on the window, as a user
does."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow


def _ctrl_j(window: MainWindow) -> None:
    QTest.keyClick(window, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()


def test_ctrl_j_takes_the_keys_into_the_panel_and_back_to_the_canvas(window: MainWindow,
                                                                     seed: Path) -> None:
    assert window.open_path(seed)
    window.activateWindow()
    panel = window.bottom_panel
    if panel.is_open():
        _ctrl_j(window)
    window.view.setFocus()
    assert not panel.is_open() and window.view.focus_ring.isVisible()

    _ctrl_j(window)  # open: the keys are in Problems, on its first problem
    assert panel.is_open() and panel.current() is window.problems_dock
    assert QApplication.focusWidget() is window.problems
    assert not window.view.focus_ring.isVisible()
    # the row the keys are on is seen (selected, not only a faint frame round its icon), and
    # it is the problem whose fix is beside
    first = window.problems.topLevelItem(0)
    assert window.problems.selectedItems() == [first]
    assert "in net1" in window.problems_fix.label.text()  # row 0: net1 has no default route
    QTest.keyClick(window.problems, Qt.Key.Key_Down)  # the keys act there
    assert window.problems.currentItem() is window.problems.topLevelItem(1)

    _ctrl_j(window)  # closed with the keys inside: back to the canvas, its ring shown
    assert not panel.is_open()
    assert QApplication.focusWidget() is window.view and window.view.focus_ring.isVisible()

    _ctrl_j(window)  # again: where the keys were in that dock
    assert QApplication.focusWidget() is window.problems
    assert window.problems.currentItem() is window.problems.topLevelItem(1)

    # the log on top: the keys go to the log
    window.log_dock.raise_()
    window.view.setFocus()
    _ctrl_j(window)
    _ctrl_j(window)
    assert panel.current() is window.log_dock
    assert QApplication.focusWidget() is window.log
    assert window.log.focus_ring.isVisible()  # read-only, it has no caret to show the keys

    # the checks: the keys in the matrix, its ring shown (it selects nothing)
    window.checks_dock.raise_()
    window.view.setFocus()
    _ctrl_j(window)
    _ctrl_j(window)
    assert panel.current() is window.checks_dock
    assert QApplication.focusWidget() is window.checks.matrix
    assert window.checks.matrix_ring.isVisible() and not window.log.focus_ring.isVisible()

    # focus elsewhere (the palette) when the panel closes: it stays there
    window.palette_list.setFocus()
    _ctrl_j(window)
    assert not panel.is_open() and QApplication.focusWidget() is window.palette_list
