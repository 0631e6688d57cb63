"""What the screenshot child processes share: a designer window on the X server, with
settings of its own, and saving what the screen shows of it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
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


def close_window(window: Any, settings_folder: QTemporaryDir) -> None:
    """Close without the unsaved-changes question, then remove the settings' folder.

    The window writes its state on close; written now (sync), nothing is left for QSettings
    to write when it is destroyed at exit, which would make the folder again (a hundred
    /tmp/Netwright-XXXXXX folders were found after some runs)."""
    window.document.undo_stack.setClean()
    window.close()
    window.settings.sync()
    settings_folder.remove()


async def idle(window: Any, timeout: float = 120) -> None:
    """Until the window's backend work (the main operation and side tasks) has ended."""
    deadline = time.monotonic() + timeout
    while window.runner.busy() or window._side_tasks:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{window.runner.operation} did not finish")
        await asyncio.sleep(0.05)


def run_scenario(scenario: Callable[[Any], Coroutine[Any, Any, int]],
                 prepare: Callable[[Any], bool] = lambda _window: True) -> int:
    """A QApplication on the qasync loop, a new window, ``prepare(window)`` (False: exit 1),
    then ``scenario(window)`` to its end; the window closed; the scenario's exit code."""
    import qasync
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    app = QApplication(["netwright"])
    app.setApplicationName("Netwright")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window, settings_folder = new_window()
    QTest.qWait(100)
    if not prepare(window):
        close_window(window, settings_folder)
        return 1
    code = loop.run_until_complete(scenario(window))
    close_window(window, settings_folder)
    return code
