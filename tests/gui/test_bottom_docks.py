"""The bottom docks stay usable on a 1024×700 screen: the Problems fix sits beside the list
(not under it), a row chosen with the keyboard is always wholly in sight, and the Checks
matrix keeps the dock's height with its fix under the explanation, in compact rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from gestures import select_unrouted_cell
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from netwright.gui.window.main import MainWindow


@pytest.fixture
def small(window: MainWindow, seed: Path) -> MainWindow:
    window.resize(1024, 700)
    assert window.open_path(seed)
    QApplication.processEvents()
    return window


def _wholly_in_sight(window: MainWindow) -> bool:
    view = window.problems
    row = view.visualItemRect(view.currentItem())
    return view.viewport().rect().contains(row)


def test_a_problem_chosen_by_keys_is_wholly_in_sight_with_its_fix_beside(
        small: MainWindow) -> None:
    window = small
    window.problems_dock.raise_()
    view = window.problems
    assert view.topLevelItemCount() >= 4
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_End)
    QApplication.processEvents()
    assert _wholly_in_sight(window)
    with_fix = 0
    for key in [Qt.Key.Key_Up] * (view.topLevelItemCount() - 1) + [Qt.Key.Key_Down] * 3:
        QTest.keyClick(view, key)
        QApplication.processEvents()
        assert _wholly_in_sight(window), view.currentItem().text(1)
        bar = window.problems_fix
        if bar.isVisible():
            with_fix += 1
            # beside the list, as tall as the dock: the list keeps its rows
            assert bar.geometry().left() >= view.geometry().right()
            assert view.height() >= bar.height()
    assert with_fix >= 2  # net1 and net2 have no default route: a fix each
    # at least two rows of wrapped sentences in sight, the canvas still the largest area
    assert view.viewport().height() >= 2 * view.visualItemRect(view.topLevelItem(0)).height()
    assert window.view.height() > 2 * window.problems_dock.height()


def test_the_checks_matrix_keeps_its_rows_with_a_fix_shown(qtbot: QtBot,
                                                         small: MainWindow) -> None:
    window = small
    checks = window.checks
    select_unrouted_cell(qtbot, window, "net2")
    QApplication.processEvents()
    assert checks.fix_bar.isVisible()
    matrix = checks.matrix
    # the fix is under the explanation, beside the matrix
    assert checks.fix_bar.mapTo(checks, checks.fix_bar.rect().topLeft()).x() >= \
        matrix.mapTo(checks, matrix.rect().topRight()).x()
    row = matrix.rowHeight(0)
    assert row <= matrix.fontMetrics().height() + 10  # compact, not the style's ~30 px
    assert matrix.viewport().height() >= 3 * row, (matrix.viewport().height(), row)
