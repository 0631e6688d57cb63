"""A stopping netwrightd exits before anyone outside gives up on it or kills it.

After its jobs' rollback (up to SHUTDOWN_TIMEOUT_SECONDS) a stop waits for calls in
progress, releases its bus name, waits for the calls that came before, and flushes its
replies with a Ping: each wait bounded, and all of them within what is left of one budget.
Added one after the other at their own bounds (60 + 10 + 5 + 10 + 5 s) the worst case was
90 s: past the lab unit's TimeoutStopSec (75 s, then systemd kills it with its helpers
half-stopped) and past the 80 s a client waits for a stopping lab.
"""

from __future__ import annotations

import time

from netwright.backend.client.connecting import LAB_STOP_TIMEOUT_SECONDS
from netwright.backend.client.lab_start import STOP_TIMEOUT_SECONDS
from netwright.backend.service.closing import (
    LAST_WAIT_SECONDS,
    STOP_BUDGET_SECONDS,
    StopBudget,
)
from netwright.backend.service.daemon import SHUTDOWN_TIMEOUT_SECONDS

#: systemd's DefaultTimeoutStopSec, which the system unit keeps.
SYSTEMD_DEFAULT_STOP_SECONDS = 90.0
#: Dispatcher.drain waits this long more for the calls it cancelled to be answered Failed.
DRAIN_ANSWER_SECONDS = 1.0
#: The steps between the waits (the lab's DHCP helpers, the reader, the disconnect).
BETWEEN_WAITS_SECONDS = 2.0


def test_the_budget_gives_what_is_left_and_never_less_than_a_last_wait() -> None:
    budget = StopBudget(1.0)
    assert 0.9 < budget.left(10.0) <= 1.0
    assert budget.left(0.1) == 0.1  # a wait's own bound, when it is less
    time.sleep(1.05)
    assert budget.left(10.0) == LAST_WAIT_SECONDS  # spent: a last wait all the same
    assert budget.left(0.2) == 0.2


def test_the_worst_stop_ends_before_systemd_or_a_client_gives_up() -> None:
    # the rollback uses its whole time; the first drain gets what is left of the budget,
    # and the release, the second drain and the Ping only their last waits
    worst = (max(SHUTDOWN_TIMEOUT_SECONDS, STOP_BUDGET_SECONDS) + 2 * DRAIN_ANSWER_SECONDS
             + 3 * LAST_WAIT_SECONDS + BETWEEN_WAITS_SECONDS)
    assert worst < STOP_TIMEOUT_SECONDS, (worst, "the lab unit's TimeoutStopSec")
    assert worst < LAB_STOP_TIMEOUT_SECONDS, (worst, "a client's wait for a stopping lab")
    assert worst < SYSTEMD_DEFAULT_STOP_SECONDS, (worst, "the system unit's stop timeout")
