"""What the screenshot child processes share: a designer window on the X server, with
settings of its own, and saving what the screen shows of it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings, QTemporaryDir

SIZE = (1600, 1000)


def new_window() -> tuple[Any, QTemporaryDir]:
    """A shown 1600×1000 main window whose settings live in a temporary folder (keep the
    returned folder alive as long as the window)."""
    from netwright.gui.window.main import MainWindow

    folder = QTemporaryDir()
    settings = QSettings(folder.filePath("netwright.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    window.resize(*SIZE)
    window.show()
    return window, folder


def save_window(window: Any, output: str) -> tuple[bool, int, int]:
    """Grab the window as the X server shows it; (saved, width, height)."""
    image = window.screen().grabWindow(window.winId())
    saved = not image.isNull() and image.save(output, "PNG")
    return saved, image.width(), image.height()


def close_window(window: Any) -> None:
    """Close without the unsaved-changes question."""
    window.document.undo_stack.setClean()
    window.close()
