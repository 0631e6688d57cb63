"""Once netwrightd has begun to stop, it starts and changes nothing more, and says so first.

The stop (SIGTERM, idle, its files replaced) cancels the running jobs and waits for them. A
call that comes meanwhile and would start a job, change something or have a topology read
is refused io.netwright.Error.Stopping before anything else: before polkit is asked (no
password prompt opens for a call that cannot run), before its text is read. The caller may
simply make it again once a netwrightd runs (the next one honours what is on disk, trials
included; a lab's client starts a new lab and does; the command line waits for the next
system netwrightd and makes a read again there, client/oneshot.py). A call that was already
past that point when the stop began (polkit was asking for its password) is refused where
it would change something (``Stopping.refuse``): Jobs.start, Confirm (the stop has stopped
the trials' clock and may end before the confirmation does: the trial stays on disk for the
next netwrightd, which ends it at its deadline or takes the Confirm made again), Adopt,
DhcpRenew (its clients' exchanges would start after the stop began, racing the end of the
lab's helpers).
Work that passed that point before the stop began is a call in progress: the stop waits for
it (Dispatcher.drain) before it ends the lab's helpers and exits.
Still answered: Cancel (stopping a job only undoes it, which the stop does anyway) and the
reads that start nothing the stop would wait for or end half-way (Inspect, Status, List,
Deployments and the DHCP leases), so a client can follow what the stop does to its job.
Every call that reached the daemon gets its answer before it exits (closing.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from netwright.backend.service.errors import STOPPING_SENTENCE, BackendStoppingError

log = logging.getLogger("netwrightd")

#: The methods a stopping netwrightd still serves; every other one is refused first.
#: (Validate and Plan read a topology in the helpers the stop ends, and a lab's Plan adds NICs
#: to its host; ImportHost reads every namespace, for as long as that takes.)
SERVED_WHILE_STOPPING = frozenset({"Cancel", "Inspect", "Status", "List", "Deployments",
                                   "DhcpLeases", "DhcpServerLeases"})


class Stopping:
    """Whether this netwrightd has begun to stop; one per daemon, set once, never cleared.
    ``on_begin`` is told once, when it begins (the interface publishes it: the Stopping
    property, API 1.20, which ``netwright lab start`` reads so as not to take a stopping lab
    for a running one)."""

    def __init__(self, on_begin: Callable[[], None] | None = None) -> None:
        self._begun = False
        self._on_begin = on_begin

    @property
    def begun(self) -> bool:
        return self._begun

    def begin(self) -> None:
        """The stop has begun: from now on only SERVED_WHILE_STOPPING is answered."""
        if self._begun:
            return
        self._begun = True
        if self._on_begin is not None:
            self._on_begin()

    def refusal(self, method: str) -> BackendStoppingError | None:
        """The answer to a call of ``method`` that arrives now, before anything is done for
        it; None when it may run."""
        if not self._begun or method in SERVED_WHILE_STOPPING:
            return None
        return BackendStoppingError(STOPPING_SENTENCE)

    def refuse(self, what: str) -> None:
        """Raise BackendStoppingError if the stop has begun: called right before ``what``
        (a sentence: "starting the apply of topology seed for uid 1000") changes anything."""
        if self._begun:
            log.info("not %s: netwrightd is stopping", what)
            raise BackendStoppingError(STOPPING_SENTENCE)
