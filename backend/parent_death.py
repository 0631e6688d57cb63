"""A child process that must not outlive its parent (PR_SET_PDEATHSIG).

The kernel sends the signal when the *thread* that forked the child ends, so it is safe only
where that thread lives as long as the parent (its only thread, or the main one). It is set
after the fork, so a parent that ended in between is caught by comparing ``getppid`` with
the parent's PID, which only the child of a parent in the same PID namespace can do (the
lab's init, PID 1 of a namespace of its own, sees 0 and watches a pipe instead).
"""

from __future__ import annotations

import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int | None = None, signum: int = signal.SIGKILL) -> bool:
    """Have ``signum`` sent to this process when its parent ends; False when ``parent`` (its
    PID, if given) has ended already, so the signal would never come."""
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"prctl(PR_SET_PDEATHSIG): {os.strerror(code)}")
    return parent is None or os.getppid() == parent
