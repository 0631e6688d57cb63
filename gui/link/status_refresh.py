"""Asking the backend for the deployment's status: on demand, and every few seconds while
DHCP leases run.

Leases are renewed and expire on their own, so a deployment with ``dhcp`` interfaces is
asked again periodically (like NetworkManager's applets follow their leases). There is
never more than one status request in flight: a refresh asked for while one runs is
remembered and made once that one ends, so the answer always follows the last change
(an Apply that finished meanwhile) without stacking requests on a slow backend.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QObject, QTimer

#: How often a deployment with DHCP interfaces is asked for its status.
POLL_INTERVAL_MS = 5000


class StatusRefresher(QObject):
    """Runs ``ask()`` (one status request and its display) one at a time.

    ``spawn`` starts a coroutine as a task (the window's side tasks); ``paused`` says when a
    periodic refresh should wait (an Apply or Destroy is running: its end refreshes anyway).
    """

    def __init__(self, ask: Callable[[], Coroutine[Any, Any, None]],
                 spawn: Callable[[Coroutine[Any, Any, None]], asyncio.Future[Any]],
                 paused: Callable[[], bool], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ask = ask
        self._spawn = spawn
        self._paused = paused
        self._running: asyncio.Future[Any] | None = None
        self._again = False
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_INTERVAL_MS)
        self.timer.timeout.connect(self._tick)

    def in_flight(self) -> bool:
        return self._running is not None and not self._running.done()

    def refresh(self) -> None:
        """Ask now, or right after the request in flight if there is one."""
        if self.in_flight():
            self._again = True
            return
        self._again = False
        self._running = self._spawn(self._ask())
        self._running.add_done_callback(self._finished)

    def set_periodic(self, periodic: bool) -> None:
        """Keep asking every ``POLL_INTERVAL_MS`` (True) or only on demand (False)."""
        if periodic and not self.timer.isActive():
            self.timer.start()
        elif not periodic:
            self.timer.stop()

    @property
    def periodic(self) -> bool:
        return self.timer.isActive()

    def stop(self) -> None:
        """No more periodic requests and no pending repeat (the one in flight ends alone)."""
        self.timer.stop()
        self._again = False

    def _tick(self) -> None:
        if not self._paused() and not self.in_flight():
            self.refresh()

    def _finished(self, task: asyncio.Future[Any]) -> None:
        """A request ended. Its callback runs a loop turn after its end, so a refresh may
        already have started the next one: that one is still in flight, not forgotten."""
        if task is not self._running:
            return
        self._running = None
        if self._again:
            self.refresh()
