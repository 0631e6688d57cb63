"""View lists a toggle for every dock, the live host's Observed and Compare docks too; a
click on a toggle in the open menu shows or hides its dock."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDockWidget, QMenu
from pytestqt.qtbot import QtBot

from netwright.gui.window.main import MainWindow


def _click_entry(qtbot: QtBot, menu: QMenu, text: str) -> None:
    """Open ``menu`` under the menu bar and click its entry ``text``, as a user does."""
    menu.popup(menu.parentWidget().mapToGlobal(menu.parentWidget().rect().bottomLeft()))
    qtbot.waitExposed(menu)
    action = next(a for a in menu.actions() if a.text() == text)
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())
    QApplication.processEvents()


def test_every_dock_has_a_toggle_in_view(window: MainWindow) -> None:
    toggles = [a.text() for a in window.view_menu.actions() if a.isCheckable()]
    docks = [d.windowTitle() for d in window.findChildren(QDockWidget)]
    assert sorted(docks) == sorted(t for t in toggles if t in docks)
    assert toggles[-2:] == ["Observed", "Compare"]


def test_view_shows_and_hides_the_compare_dock(qtbot: QtBot, window: MainWindow) -> None:
    dock = window.live.compare_dock
    assert not dock.isVisible()
    _click_entry(qtbot, window.view_menu, "Compare")
    assert dock.isVisible()
    _click_entry(qtbot, window.view_menu, "Compare")
    assert not dock.isVisible()
    _click_entry(qtbot, window.view_menu, "Observed")
    assert window.live.inspector_dock.isVisible()
