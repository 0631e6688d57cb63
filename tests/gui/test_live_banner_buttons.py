"""The live host's banner lies over the canvas's scroll bars, so its last button (Back to
Design) is whole and takes the click: the vertical scroll bar, shown once the observed host
is drawn, was stacked over the banner's right end and cut the button's last letters off."""

from __future__ import annotations

import asyncio
from datetime import datetime

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication
from test_undo_selection import LIVE_HOST

from netwright.gui.link.live import Observation
from netwright.gui.window.main import MainWindow


def test_the_banners_buttons_lie_over_the_scroll_bar(window: MainWindow,
                                                     loop: asyncio.AbstractEventLoop) -> None:
    window.resize(1024, 700)
    live = window.live
    live.show_live()
    loop.run_until_complete(live.show_observation(
        Observation(LIVE_HOST, [], datetime.now(), False)))
    QApplication.processEvents()
    view = window.view
    assert view.verticalScrollBar().isVisible()  # else there is nothing to be under
    for name, button in live.banner.buttons.items():
        for x in (2, button.width() - 2):
            spot = button.mapTo(view, QPoint(x, button.height() // 2))
            found = view.childAt(spot)
            assert found is not None and (found is button or button.isAncestorOf(found)), \
                f"{name}'s {'right' if x > 2 else 'left'} end is under {found!r}"
