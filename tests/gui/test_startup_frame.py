"""The designer's window is up before the designer is loaded (issue 23), and then behaves as
the designer's own window: its title, its unsaved mark, its questions on close."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QPointF, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from netwright.gui.window.main import MainWindow
from netwright.gui.window.startup import StartupFrame

ROOT = Path(__file__).parents[2]

FIRST_PAINT = """
import json, sys
from netwright.gui.window import startup

shown = startup.StartupFrame.show_now

def show_now(self, app):
    shown(self, app)
    loaded = [m for m in ("netwright.gui.window.main", "pydantic", "asyncio") if m in sys.modules]
    print(json.dumps({"exposed": self.windowHandle().isExposed(), "loaded": loaded}))
    sys.exit(0)

startup.StartupFrame.show_now = show_now
from netwright.gui.app import run
run(["--offline"])
"""


def test_the_window_is_painted_before_the_designer_is_imported(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path)}
    started = subprocess.run([sys.executable, "-c", FIRST_PAINT], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(started.stdout.splitlines()[-1]) == {"exposed": True, "loaded": []}


def _cancel_the_question() -> None:
    question = QApplication.activeModalWidget()
    assert isinstance(question, QMessageBox)
    question.button(QMessageBox.StandardButton.Cancel).click()


def test_the_frame_is_the_designers_window(qtbot: QtBot, settings: QSettings) -> None:
    frame = StartupFrame()
    qtbot.addWidget(frame)
    frame.show_now(QApplication.instance())  # type: ignore[arg-type]
    assert frame.windowHandle().isExposed() and frame.windowTitle() == "Netwright"
    designer = MainWindow(settings)
    frame.hold(designer)
    assert designer.window() is frame and designer.isVisible()
    assert frame.windowTitle() == designer.windowTitle() == "Untitled[*] — Netwright"
    assert not frame.isWindowModified()
    designer.create_at("namespace", None, QPointF(0, 0))
    assert frame.isWindowModified()
    QTimer.singleShot(0, _cancel_the_question)  # "unsaved changes": Cancel keeps it open
    frame.close()
    assert frame.isVisible() and designer.isVisible()
    designer.document.undo_stack.setClean()
    designer.close()  # File → Quit: the designer closes itself, and its frame with it
    assert not frame.isVisible()


def test_the_keys_go_to_the_canvas_once_the_designer_is_in(qtbot: QtBot,
                                                           settings: QSettings) -> None:
    frame = StartupFrame()
    qtbot.addWidget(frame)
    frame.show_now(QApplication.instance())  # type: ignore[arg-type]
    frame.activateWindow()
    designer = MainWindow(settings)
    frame.hold(designer)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is frame)
    assert QApplication.focusWidget() is designer.view  # was None: arrows went nowhere
