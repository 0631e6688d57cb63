"""Python's cyclic garbage collector, paused while a big check allocates.

A check of a mesh of N namespaces makes millions of small objects (pairs, walks, probes,
observations) and almost no reference cycles, so the collector frees nothing, yet each of its
full collections walks every object alive, more of them the further the check has come: at
N = 200 that was a tenth of the explanation's time, and it grows with N. Paused, the objects
are freed by their reference counts as usual; the collector runs again when the last check
in the process ends (checks may run in several threads of netwrightd at once), and only if it
was running when the first one began.
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
                gc.enable()
