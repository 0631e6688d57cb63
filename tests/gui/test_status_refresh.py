"""The status refresher keeps one status request in flight, even when a refresh is asked
in the moment between a request's end and its done-callback (asyncio runs that callback
one loop turn later). The lab test (test_leases_lab) met that moment under load: the old
request's callback forgot the new one and started a third beside it.

A plain asyncio loop steps the tasks here, in its documented first-in-first-out order, so
the moment is reached every time; the designer's qasync loop reaches it only by timing.
"""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QApplication

from netwright.gui.link.status_refresh import StatusRefresher


class Asks:
    """Status requests that take a moment: how many, and the most ever in flight at once."""

    def __init__(self) -> None:
        self.count = self.running = self.most = 0
        self.ended = asyncio.Event()

    async def ask(self) -> None:
        self.count += 1
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            await asyncio.sleep(0.02)
        finally:
            self.running -= 1
            self.ended.set()  # wakes the test before the request's done-callback runs


def test_a_refresh_asked_as_a_request_ends_does_not_run_beside_the_next(
        qapp: QApplication) -> None:
    asks = Asks()
    refresher = StatusRefresher(asks.ask, asyncio.ensure_future, lambda: False)

    async def scenario() -> None:
        refresher.refresh()
        await asks.ended.wait()  # the first request has ended, its callback not yet run
        refresher.refresh()  # starts the next one: nothing is in flight
        refresher.refresh()  # remembered, made once that one ends
        while refresher.in_flight() or asks.count < 3:
            await asyncio.sleep(0.01)

    asyncio.run(asyncio.wait_for(scenario(), 10))
    assert asks.most == 1
    assert asks.count == 3
    assert not refresher.in_flight()
