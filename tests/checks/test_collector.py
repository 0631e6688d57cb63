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


def test_what_the_checks_made_is_not_walked_when_the_collector_comes_back() -> None:
    """The objects made during the pause go to the oldest generation unexamined, so the next
    (young) collection does not walk the result a check still holds."""
    with collector_paused():
        kept = [[] for _ in range(20_000)]
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert id(kept[0]) in oldest and id(kept[-1]) in oldest
    assert gc.get_freeze_count() == 0


def test_objects_frozen_by_someone_else_stay_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collector_paused():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
