"""The live view of a small observed host, as the designer shows it once the backend
answers: for the tests of the live view, Compare and what follows them."""

from __future__ import annotations

import asyncio
from datetime import datetime

from lab_waits import idle
from PySide6.QtWidgets import QApplication

from netwright.gui.link.live import Observation
from netwright.gui.window.main import MainWindow

LIVE_HOST = """netwright: 1
name: live-host
namespaces:
  obs-red: {existing: true}
interfaces:
  obsvh1: {kind: veth, existing: true, peer: red-eth0}
  red-eth0: {kind: veth, name: eth0, existing: true, namespace: obs-red, peer: obsvh1,
             addresses: [172.30.0.2/24]}
"""
"""A host as the backend observes it: a namespace and a veth pair into it."""


def show_live_host(window: MainWindow, loop: asyncio.AbstractEventLoop) -> None:
    """The live view, showing LIVE_HOST as observed now (not in the lab)."""
    live = window.live
    live.show_live()
    loop.run_until_complete(live.show_observation(
        Observation(LIVE_HOST, [], datetime.now(), False)))


def compare_live_host(window: MainWindow, loop: asyncio.AbstractEventLoop) -> None:
    """LIVE_HOST in the live view, compared with the open design (Compare with Design)."""
    show_live_host(window, loop)
    window.live.compare()
    loop.run_until_complete(idle(window))
    QApplication.processEvents()
