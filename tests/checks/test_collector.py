"""The cyclic collector is paused while checks run and comes back as it was."""

from __future__ import annotations

import gc
import threading

from netwright.backend.checks.collector import collector_paused


def test_paused_while_any_check_runs_and_restored_after_the_last() -> None:
    assert gc.isenabled()
    entered, leave = threading.Event(), threading.Event()

    def other_check() -> None:
        with collector_paused():
            entered.set()
            leave.wait(5)

    thread = threading.Thread(target=other_check)
    with collector_paused():
        assert not gc.isenabled()
        thread.start()
        entered.wait(5)
    assert not gc.isenabled(), "the other check still runs"
    leave.set()
    thread.join(5)
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
