"""Python's cyclic garbage collector, paused while a big check allocates.

A check of a mesh of N namespaces makes millions of small objects (pairs, walks, probes,
observations) and almost no reference cycles, so the collector frees nothing, yet each of its
full collections walks every object alive, more of them the further the check has come: at
N = 200 that was a tenth of the explanation's time, and it grows with N. Paused, the objects
are freed by their reference counts as usual; the collector runs again when the last check
in the process ends (checks may run in several threads of netwrightd at once), and only if it
was running when the first one began.

What the checks made and still hold when it comes back (a result of 40,000 pairs at N = 200)
goes to the oldest generation unexamined (``gc.freeze`` then ``gc.unfreeze``): left young, the
first collection after the pause walked all of it, 15–40 ms of every big check for nothing.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _Pause:
    """Who holds the pause, and whether the collector ran before the first."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.holders = 0
        self.was_enabled = False


_PAUSE = _Pause()


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector paused for the block (nested and concurrent uses count)."""
    with _PAUSE.lock:
        if _PAUSE.holders == 0:
            _PAUSE.was_enabled = gc.isenabled()
            gc.disable()
        _PAUSE.holders += 1
    try:
        yield
    finally:
        with _PAUSE.lock:
            _PAUSE.holders -= 1
            if _PAUSE.holders == 0 and _PAUSE.was_enabled:
                _age_unexamined()
                gc.enable()


def _age_unexamined() -> None:
    """Move every object the collector tracks into its oldest generation without examining
    any, unless something in this process froze objects of its own (``gc.unfreeze`` would
    let them go too)."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
