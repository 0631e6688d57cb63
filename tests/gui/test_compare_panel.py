"""Stop Comparing gives the bottom panel back as it was before Compare with Design: the tab
the user was reading on top, or the panel closed if it was. Before, hiding the Compare tab
left Qt to pick the tab on top, and it brought the Leases to the front."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from lab_waits import idle
from PySide6.QtWidgets import QApplication
from test_undo_selection import LIVE_HOST

from netwright.gui.link.live import Observation
from netwright.gui.window.main import MainWindow


def _compare(window: MainWindow, loop: asyncio.AbstractEventLoop) -> None:
    live = window.live
    live.show_live()
    loop.run_until_complete(live.show_observation(
        Observation(LIVE_HOST, [], datetime.now(), False)))
    live.compare()
    loop.run_until_complete(idle(window))
    QApplication.processEvents()


def test_stop_comparing_puts_back_the_tab_the_user_was_reading(
        window: MainWindow, seed: Path, loop: asyncio.AbstractEventLoop) -> None:
    assert window.open_path(seed)
    panel = window.bottom_panel
    panel.open(window.checks_dock)
    QApplication.processEvents()
    assert panel.current() is window.checks_dock
    _compare(window, loop)
    assert panel.current() is window.live.compare_dock
    window.live.compare()  # Stop Comparing
    loop.run_until_complete(idle(window))
    QApplication.processEvents()
    assert window.live.compare_dock.isHidden()
    assert panel.current() is window.checks_dock  # not the Leases


def test_stop_comparing_closes_the_panel_it_opened(
        window: MainWindow, seed: Path, loop: asyncio.AbstractEventLoop) -> None:
    assert window.open_path(seed)
    panel = window.bottom_panel
    panel.close()
    _compare(window, loop)
    assert panel.is_open()
    window.live.compare()
    loop.run_until_complete(idle(window))
    QApplication.processEvents()
    assert not panel.is_open()
