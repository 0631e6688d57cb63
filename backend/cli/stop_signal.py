"""SIGTERM as Ctrl+C, for the commands that read until they are stopped (capture, measure, check).

``timeout 10 netwright capture …`` (the usual way to bound tcpdump), ``kill PID`` and a
service manager all stop a command with SIGTERM, whose default action ends Python at once:
no closing count, a capture's FILE left under its temporary name, a measurement's iperf3
processes (``--local``) running on. tcpdump treats SIGTERM as it treats SIGINT, and so do
these commands while ``sigterm_as_ctrl_c`` is in force: the signal goes to whatever answers
Ctrl+C at that moment (Python's KeyboardInterrupt, or asyncio.run's handler, which cancels
the command's task), so each path ends exactly as it does on Ctrl+C, with its words and its
exit status. Only the first SIGTERM counts: `timeout` sends it twice at once (to the command,
then to its own process group), and the second, taken as a second Ctrl+C, interrupted the
stop it had begun ("interrupted", 130); a stop that must not wait is SIGKILL's (timeout -k).
Where SIGINT is ignored (a `command &` of a script: the shell ignores it there), asyncio.run
answers no Ctrl+C at all, so a command's asyncio part runs through ``run``, whose main task
SIGTERM then cancels as asyncio.run's Ctrl+C would: the same words and status either way.
Work that reads a stop flag where it can end what it started (measure --local) takes both
signals through ``stop_sets`` instead, so that no KeyboardInterrupt lands halfway through.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass
class _Main:
    """The main task of a ``run`` in progress, and whether a stop signal cancelled it."""

    task: asyncio.Task[Any]
    stopped: bool = False


#: The ``run`` in progress in the main thread, if any (one at a time, as asyncio.run).
_running: list[_Main] = []


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
    _termed.clear()
    try:
        yield
    finally:  # stopped by a SIGTERM: its repeat, even once the block is over, changes nothing
        signal.signal(signal.SIGTERM, signal.SIG_IGN if _termed else previous)


#: Whether a SIGTERM has been passed on as Ctrl+C in this process (see the module's opening).
_termed: list[bool] = []


def _as_sigint(_signum: int, frame: FrameType | None) -> None:
    if _termed:
        return  # the stop is under way: a repeated SIGTERM is the same request
    _termed.append(True)
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler):  # Python's default_int_handler, or asyncio.run's (a partial)
        handler(signal.SIGINT, frame)
        return
    # SIGINT ignored (a job started with `&` from a script) or left to the system: SIGTERM
    # must still stop the command, and cleanly: what asyncio.run's handler would do (cancel
    # the main task), else a KeyboardInterrupt.
    main = _running[-1] if _running else None
    if main is not None and not main.stopped and not main.task.done():
        main.stopped = True
        main.task.cancel()
        main.task.get_loop().call_soon_threadsafe(lambda: None)  # wake its select()
        return
    signal.default_int_handler(signal.SIGINT, frame)


@contextlib.contextmanager
def stop_sets(stop: threading.Event) -> Iterator[None]:
    """While the block runs, Ctrl+C and SIGTERM only set ``stop`` (and raise nothing), for
    work that reads such a flag where it can end what it started (measure --local).

    A KeyboardInterrupt lands wherever Python happens to be: inside the ``subprocess.Popen``
    of an iperf3 that already runs, whose PID is then never bound, so nothing ends it; inside
    asyncio.run, which then says "interrupted". A signal ignored by the command's starter
    (SIGINT in a script's ``&`` job) stays ignored. Main thread only, as signal handlers.

    >>> stop = threading.Event()
    >>> with stop_sets(stop):
    ...     measure(deployment, "a", "b", options, cancel=stop)   # raises Cancelled
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_stop(signum: int, _frame: FrameType | None) -> None:
        if signum == signal.SIGTERM and not _termed:
            _termed.append(True)  # sigterm_as_ctrl_c then ignores its repeat, as its own
        stop.set()

    previous = {number: signal.signal(number, on_stop)
                for number in (signal.SIGINT, signal.SIGTERM)
                if signal.getsignal(number) is not signal.SIG_IGN}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(main)``, whose ``main`` a SIGTERM under ``sigterm_as_ctrl_c`` cancels
    as asyncio.run's Ctrl+C does, also where SIGINT is ignored: asyncio.run then installs no
    handler of its own, and the KeyboardInterrupt raised in its loop instead ended a capture
    as "interrupted" (130) rather than with its count (0). Ends as asyncio.run does on Ctrl+C:
    ``main``'s result if it handled the cancel, else KeyboardInterrupt.

    >>> with sigterm_as_ctrl_c():
    ...     status = run(capture(client))   # `timeout 10 …` from a script's `&` too
    """
    held: list[_Main] = []

    async def as_main() -> T:
        task = asyncio.current_task()
        assert task is not None
        held.append(_Main(task))
        _running.append(held[0])
        try:
            return await main
        finally:
            _running.remove(held[0])

    try:
        return asyncio.run(as_main())
    except asyncio.CancelledError:
        if held and held[0].stopped:  # as asyncio.run says a cancel its Ctrl+C made
            raise KeyboardInterrupt from None
        raise
