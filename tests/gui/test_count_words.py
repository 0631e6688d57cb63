"""Counts in the designer's messages read as English: "copied 3 objects", "1 object",
"1 pair" — they said "copied 3 object(s)" (and the adoption "adopted 1 object(s)")."""

from __future__ import annotations

import asyncio

from live_view import show_live_host
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from netwright.backend.count_words import counted
from netwright.gui.docks.checks import pair_count
from netwright.gui.window.main import MainWindow


def test_copy_into_design_counts_its_objects_in_words(
        window: MainWindow, loop: asyncio.AbstractEventLoop) -> None:
    show_live_host(window, loop)
    window.live.scene.select_keys(["obs-red"])  # with its veth and the veth's peer
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Y,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    message = window.statusBar().currentMessage()
    assert message.startswith("copied 3 objects into the design as existing:"), message


def test_one_is_singular_and_more_are_plural() -> None:
    assert [counted(n, "object") for n in (0, 1, 3)] == ["0 objects", "1 object", "3 objects"]
    assert counted(1, "match", "matches") == "1 match"
    assert counted(2, "match", "matches") == "2 matches"
    assert pair_count([{"role": "peer"}]) == "1 pair"
