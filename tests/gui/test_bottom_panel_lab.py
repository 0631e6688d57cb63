"""The closed bottom panel opens by itself when something there must be seen, against a real
lab backend: an apply's log (its steps as they are taken), a check's results, a file opened
with errors, a failed apply. One lab for all four (~10 s: a lab's start, an apply and a
check cost seconds, and the steps share them).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path

from lab_waits import idle
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _close_panel(window: MainWindow) -> None:
    QTest.keyClick(window, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    assert not window.bottom_panel.is_open()


def test_an_apply_a_check_and_a_failure_open_the_panel_on_their_dock(
        started: Callable[[int, int], MainWindow], own_lab: Path, seed: Path,
        loop: asyncio.AbstractEventLoop) -> None:
    window = started(1024, 700)
    panel = window.bottom_panel
    assert window.open_path(EXAMPLES / "macvlan-bridge.yaml")
    assert loop.run_until_complete(window.connect_backend()), window.backend_label.text()
    loop.run_until_complete(idle(window))
    assert not panel.is_open()  # connecting is nothing to see there

    window.apply_action.trigger()  # only creations: it runs without asking
    loop.run_until_complete(idle(window))
    assert "Apply: done" in window.log.toPlainText(), window.log.toPlainText()
    assert panel.is_open() and panel.current() is window.log_dock
    _close_panel(window)

    said: list[str] = []  # the status bar's messages
    window.statusBar().messageChanged.connect(said.append)
    window.check_action.trigger()
    loop.run_until_complete(idle(window))
    assert window.checks.heading.text().startswith("Measured"), window.log.toPlainText()
    # before the matrix is drawn (a moment at 40,000 pairs) the window says so; the log
    # says how long the check took, as Apply's line does
    pairs = len(window.checks.result["pairs"])
    assert said[:1] == [f"Check: drawing {pairs:,} pairs…"], said
    assert re.search(r"^Check: done in \d+\.\d\d s$", window.log.toPlainText(), re.M), \
        window.log.toPlainText()
    assert panel.is_open() and panel.current() is window.checks_dock
    _close_panel(window)

    assert window.open_path(seed)  # ipvlan, which this machine's kernel lacks: errors
    QApplication.processEvents()
    assert window.problems.counts()[0] == 2
    assert panel.is_open() and panel.current() is window.problems_dock
    _close_panel(window)
    window.apply_action.trigger()
    loop.run_until_complete(idle(window))
    failure = window.log.toPlainText().split("Check: done")[-1]
    assert " failed: " in failure, failure
    assert panel.is_open() and panel.current() is window.log_dock
