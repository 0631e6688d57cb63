"""Quitting the designer with a lab it started (issue #22), against a real lab backend.

The designer's connection goes with its window. A lab with nothing deployed then stops by
itself within its idle time (2 s here, NETWRIGHT_LAB_IDLE_SECONDS); a lab that holds a
deployment makes the quit ask first ("The lab still holds …"): Keep It Running leaves it
running past its idle time, Stop the Lab ends it. The lab is this test's own (a private
runtime directory); whether it runs is read from /proc.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from lab_waits import idle, lab_alive
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from netwright.backend.service.lab import running_lab_pid
from netwright.gui.window.main import MainWindow

IDLE = 2.0
DEPLOYED = "netwright: 1\nname: guiquit\nnamespaces: {net1: {}}\n"


@pytest.fixture
def short_idle(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A 2 s idle time; and the test's loop goes on when the window closes (the designer's
    own loop ends then: the last window closed quits the application)."""
    monkeypatch.setenv("NETWRIGHT_LAB_IDLE_SECONDS", str(IDLE))
    QApplication.setQuitOnLastWindowClosed(False)
    yield
    QApplication.setQuitOnLastWindowClosed(True)


async def until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, f"{what} (after {timeout:.0f} s)"
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def quit_window(window: MainWindow) -> None:
    window.quit_action.trigger()  # Ctrl+Q
    await until(lambda: not window.isVisible() or window.lab_quit_dialog is not None, 30,
                "the window neither closed nor asked")


def test_quitting_with_an_empty_lab_leaves_it_to_stop_by_itself(
        window: MainWindow, own_lab: Path, short_idle: None,
        loop: asyncio.AbstractEventLoop) -> None:
    assert loop.run_until_complete(window.connect_backend()), window.backend_label.text()
    loop.run_until_complete(idle(window))
    pid = running_lab_pid()
    assert pid is not None and lab_alive(pid)
    loop.run_until_complete(quit_window(window))
    assert not window.isVisible() and window.lab_quit_dialog is None  # nothing to ask
    took = loop.run_until_complete(until(lambda: not lab_alive(pid), IDLE + 20,
                                         "the empty lab is still running"))
    print(f"the lab stopped {took:.1f} s after the designer quit")


def test_quitting_with_a_deployment_asks_then_keeps_or_stops_the_lab(
        window: MainWindow, own_lab: Path, short_idle: None, settings: QSettings,
        loop: asyncio.AbstractEventLoop) -> None:
    assert loop.run_until_complete(window.connect_backend()), window.backend_label.text()
    loop.run_until_complete(window.runner.backend.apply(DEPLOYED))  # type: ignore[union-attr]
    loop.run_until_complete(idle(window))
    pid = running_lab_pid()
    assert pid is not None

    loop.run_until_complete(quit_window(window))
    dialog = window.lab_quit_dialog
    assert dialog is not None and window.isVisible(), "quit did not ask"
    assert dialog.text() == "The lab still holds guiquit."
    assert dialog.keep_button.text().replace("&", "") == "Keep It Running"
    dialog.keep_button.click()
    loop.run_until_complete(until(lambda: not window.isVisible(), 10, "the window stayed"))
    loop.run_until_complete(asyncio.sleep(IDLE * 2 + 1))
    assert lab_alive(pid) and running_lab_pid() == pid, "the kept lab stopped"

    again = MainWindow(settings)  # the next session finds the same lab, and stops it
    again.show()
    try:
        assert loop.run_until_complete(again.connect_backend())
        loop.run_until_complete(idle(again))
        loop.run_until_complete(quit_window(again))
        asked = again.lab_quit_dialog
        assert asked is not None and asked.text() == "The lab still holds guiquit."
        asked.stop_button.click()
        loop.run_until_complete(until(lambda: not again.isVisible(), 60,
                                      "the window stayed after Stop the Lab"))
        assert not lab_alive(pid), "Stop the Lab left the lab running"
    finally:
        again.close_now()
        again.deleteLater()
