"""SIGTERM as Ctrl+C, for the commands that read until they are stopped (capture, measure, check).

``timeout 10 netwright capture …`` (the usual way to bound tcpdump), ``kill PID`` and a
service manager all stop a command with SIGTERM, whose default action ends Python at once:
no closing count, a capture's FILE left under its temporary name, a measurement's iperf3
processes (``--local``) running on. tcpdump treats SIGTERM as it treats SIGINT, and so do
these commands while ``sigterm_as_ctrl_c`` is in force: the signal goes to whatever answers
Ctrl+C at that moment (Python's KeyboardInterrupt, or asyncio.run's handler, which cancels
the command's task), so each path ends exactly as it does on Ctrl+C, with its words and its
exit status. A second SIGTERM, like a second Ctrl+C under asyncio.run, interrupts at once.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType


@contextlib.contextmanager
def sigterm_as_ctrl_c() -> Iterator[None]:
    """While the block runs, SIGTERM does what SIGINT would do now.

    >>> with sigterm_as_ctrl_c():
    ...     run_the_capture()   # `timeout 10 …` ends it as Ctrl+C does
    """
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGTERM) is signal.SIG_IGN):  # its starter ignores it
        yield
        return
    previous = signal.signal(signal.SIGTERM, _as_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _as_sigint(_signum: int, frame: FrameType | None) -> None:
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler):  # Python's default_int_handler, or asyncio.run's (a partial)
        handler(signal.SIGINT, frame)
        return
    # SIGINT ignored (a job started with `&` from a script) or left to the system: SIGTERM
    # must still stop the command, and cleanly.
    signal.default_int_handler(signal.SIGINT, frame)
