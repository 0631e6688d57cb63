"""A new window fits the screen it opens on (offscreen: 800x800), whatever its default."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from netwright.gui.window.main import MainWindow
from netwright.gui.window.startup import DEFAULT_SIZE


def test_a_new_window_fits_a_small_screen(qtbot: QtBot, settings: QSettings) -> None:
    window = MainWindow(settings)
    qtbot.addWidget(window)
    area = window.screen().availableGeometry()
    assert area.width() < DEFAULT_SIZE.width()  # the offscreen screen is smaller
    assert window.width() <= area.width() and window.height() <= area.height()
    window.document.undo_stack.setClean()
