"""The live host's banner lies over the canvas's scroll bars, so its last button (Back to
Design) is whole and takes the click: the vertical scroll bar, shown once the observed host
is drawn, was stacked over the banner's right end and cut the button's last letters off."""

from __future__ import annotations

import asyncio

from live_view import show_live_host
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow


def test_the_banners_buttons_lie_over_the_scroll_bar(window: MainWindow,
                                                     loop: asyncio.AbstractEventLoop) -> None:
    window.resize(1024, 700)
    show_live_host(window, loop)
    live = window.live
    QApplication.processEvents()
    view = window.view
    assert view.verticalScrollBar().isVisible()  # else there is nothing to be under
    for name, button in live.banner.buttons.items():
        for x in (2, button.width() - 2):
            spot = button.mapTo(view, QPoint(x, button.height() // 2))
            found = view.childAt(spot)
            assert found is not None and (found is button or button.isAncestorOf(found)), \
                f"{name}'s {'right' if x > 2 else 'left'} end is under {found!r}"
