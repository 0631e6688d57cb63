"""Stop Comparing gives the bottom panel back as it was before Compare with Design: the tab
the user was reading on top, or the panel closed if it was. Before, hiding the Compare tab
left Qt to pick the tab on top, and it brought the Leases to the front."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lab_waits import idle
from live_view import compare_live_host
from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow


def test_stop_comparing_puts_back_the_tab_the_user_was_reading(
        window: MainWindow, seed: Path, loop: asyncio.AbstractEventLoop) -> None:
    assert window.open_path(seed)
    panel = window.bottom_panel
    panel.open(window.checks_dock)
    QApplication.processEvents()
    assert panel.current() is window.checks_dock
    compare_live_host(window, loop)
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
    compare_live_host(window, loop)
    assert panel.is_open()
    window.live.compare()
    loop.run_until_complete(idle(window))
    QApplication.processEvents()
    assert not panel.is_open()
