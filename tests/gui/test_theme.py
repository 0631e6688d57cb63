"""The canvas follows the system palette: a dark desktop gets dark boxes and background."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from netwright.gui.window.main import MainWindow


def test_switching_to_a_dark_palette_repaints_the_canvas_dark(window: MainWindow,
                                                             qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    original = app.palette()
    assert not window.theme.dark
    dark = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, QColor(0x2b, 0x2b, 0x2b)),
                         (QPalette.ColorRole.WindowText, QColor("white")),
                         (QPalette.ColorRole.Base, QColor(0x20, 0x20, 0x20)),
                         (QPalette.ColorRole.Text, QColor("white"))):
        dark.setColor(role, colour)
    try:
        app.setPalette(dark)
        qtbot.waitUntil(lambda: window.theme.dark, timeout=2000)
        assert window.scene.theme.dark
        assert window.view.backgroundBrush().color().lightness() < 80
    finally:
        app.setPalette(original)
    qtbot.waitUntil(lambda: not window.theme.dark, timeout=2000)


def test_the_application_has_its_icon_and_app_id(qapp) -> None:  # type: ignore[no-untyped-def]
    from netwright.gui.app import APP_ID, ICON_FILE, application_icon

    assert ICON_FILE.is_file() and APP_ID == "io.netwright.Netwright"
    icon = application_icon()
    assert not icon.isNull() and not icon.pixmap(48, 48).isNull()
