"""A fix's sentence in the status bar fits beside the problems button on a 1024×700 screen,
and is written whole in Plan / Log: "Use macvlan bridge for ipvlan1 (addresses and parent
stay) (Undo takes it back)" ran under the button, cut at "(U"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from test_designer_wording import _click_row

from netwright.gui.model.host_facts import parse_facts
from netwright.gui.model.host_warnings import KERNEL_LACKS_KIND
from netwright.gui.window.made_note import message_width


def test_a_fix_sentence_fits_the_status_bar_and_is_logged_whole(
        started: Any, seed: Path) -> None:
    window = started(1024, 700, seed)
    window.set_host_facts(parse_facts({"kinds": {"ipvlan": False, "macvlan": True}}))
    QTest.mouseClick(window.bottom_panel.button, Qt.MouseButton.LeftButton)  # "2 errors, …"
    QApplication.processEvents()
    _click_row(window, KERNEL_LACKS_KIND)
    bar = window.problems_fix
    QTest.mouseClick(bar.button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(5, 5))
    QApplication.processEvents()
    assert window.document.get(("interfaces", "ipvlan1", "kind")) == "macvlan"
    full = "Use macvlan bridge for ipvlan1 (addresses and parent stay) (Undo takes it back)"
    assert window.log.toPlainText().splitlines()[-1] == full
    status = window.statusBar()
    shown = status.currentMessage()
    assert shown.startswith("Use macvlan bridge for ipvlan1")
    assert status.fontMetrics().horizontalAdvance(shown) <= message_width(status), shown
