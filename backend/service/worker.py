"""Engine calls off the daemon's event loop: each in a worker thread with its own loop.

The engine does its netlink work synchronously between awaits (an apply of 300 namespaces
holds the loop for about half a second per batch). In the daemon's loop that would stall
every other caller: Cancel, Busy answers, Status, the polkit checks of other users. So each
engine call runs in a thread of its own, on a fresh event loop and a fresh Engine (cheap: its
state is on disk), and progress is handed back to the daemon's loop thread-safely.

The threads come from pools of their own, never asyncio's default executor: engine calls and
connectivity checks each have a bounded pool, so neither a flood of checks nor anything else
that uses threads can leave an Apply, a Status or the trial clock waiting for a thread.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar, cast

from netwright.backend.engine import Engine, Target
from netwright.backend.engine.trial import Ended
from netwright.backend.outcomes.errors import Cancelled

T = TypeVar("T")
Progress = Callable[[int, int, str], None]

#: Engine calls in flight at once (jobs, Status, List, Plan …); more wait for a thread.
ENGINE_THREADS = 16
#: Connectivity checks in flight at once, in a pool apart from the engine's.
CHECK_THREADS = 4
#: How often a cancellable call looks at its cancel flag (a cancel takes effect this fast).
CANCEL_POLL_SECONDS = 0.05


class CancelFlag(threading.Event):
    """Set from the daemon's loop, read by the engine in its worker thread (``is_set``).

    ``request(reason)`` sets it and says why, for the Cancelled sentence a check ends with.
    """

    reason = "it was cancelled"

    def request(self, reason: str) -> None:
        if not self.is_set():
            self.reason = reason
            self.set()


class EngineWorker:
    """Where the daemon's engine calls run; one per daemon, shared by all jobs."""

    def __init__(self, state_dir: Path, target: Target) -> None:
        self.state_dir = state_dir
        self.target = target
        self._engine_pool = ThreadPoolExecutor(ENGINE_THREADS, thread_name_prefix="engine")
        self._check_pool = ThreadPoolExecutor(CHECK_THREADS, thread_name_prefix="check")
        self._trial_ended: Callable[[Ended], None] | None = None

    def tell_trial_ends(self, listener: Callable[[Ended], None]) -> None:
        """Have ``listener`` called in this (the daemon's) loop for each trial an engine of
        this worker ends undone, in whichever thread and call that happens (see Engine)."""
        loop = asyncio.get_running_loop()

        def told(ended: Ended) -> None:
            loop.call_soon_threadsafe(listener, ended)

        self._trial_ended = told

    def engine(self) -> Engine:
        return Engine(self.state_dir, self.target, trial_ended=self._trial_ended)

    async def run(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run the coroutine ``work()`` makes in an engine thread; return its result."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._engine_pool, _run_in_new_loop, work, None, "")

    async def with_engine(self, work: Callable[[Engine], Awaitable[T]]) -> T:
        return await self.run(lambda: work(self.engine()))

    async def run_check(self, work: Callable[[], Awaitable[T]], cancel: CancelFlag,
                        what: str) -> T:
        """Run a check in a check thread; when ``cancel`` is set, the check's task is
        cancelled within CANCEL_POLL_SECONDS and this raises Cancelled ("``what``
        cancelled: reason")."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._check_pool, _run_in_new_loop, work, cancel,
                                          what)


async def in_own_thread(work: Callable[[], T], name: str) -> T:
    """``work()`` in a thread of its own; its result (or what it raised) here.

    For what lasts as long as its caller wants (a capture) or minutes (a measurement): in
    a pool, a few of them would hold every thread, and short calls that need one (opening a
    capture, ImportHost) would wait behind them. Their number is bounded by the per-user
    job limits (jobs.py). A daemon thread, so a stuck one cannot keep netwrightd from
    exiting; each ends soon after its job's cancel flag is set.
    """
    loop = asyncio.get_running_loop()
    done: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, error: BaseException | None) -> None:
        if done.cancelled():
            return
        if error is not None:
            done.set_exception(error)
        else:
            done.set_result(cast(T, result))

    def run() -> None:
        try:
            result = work()
        except BaseException as exc:
            loop.call_soon_threadsafe(settle, None, exc)
        else:
            loop.call_soon_threadsafe(settle, result, None)

    threading.Thread(target=run, name=name, daemon=True).start()
    return await done


def _run_in_new_loop(work: Callable[[], Awaitable[T]], cancel: CancelFlag | None,
                     what: str) -> T:
    async def main() -> T:
        task = asyncio.ensure_future(work())
        if cancel is None:
            return await task
        while not task.done():
            await asyncio.wait([task], timeout=CANCEL_POLL_SECONDS)
            if cancel.is_set() and not task.done():
                task.cancel()
                try:
                    await task
                except asyncio.CancelledError:
                    raise Cancelled(f"{what} cancelled: {cancel.reason}") from None
        return task.result()

    return asyncio.run(main())


def thread_safe_progress(progress: Progress) -> Progress:
    """A progress callback a worker thread may call; it runs ``progress`` in this loop.

    Steps are queued and handed over in batches, with one wake-up of the loop per batch:
    a wake-up per step (6,000 for an apply of 1,000 namespaces, within a second) fills the
    loop's self-pipe, and a full self-pipe loses signals: a SIGTERM mid-apply went unseen.
    """
    loop = asyncio.get_running_loop()
    pending: list[tuple[int, int, str]] = []
    lock = threading.Lock()

    def drain() -> None:
        with lock:
            steps = list(pending)
            pending.clear()
        for step in steps:
            progress(*step)

    def report(done: int, total: int, text: str) -> None:
        with lock:
            pending.append((done, total, text))
            first = len(pending) == 1
        if first:
            loop.call_soon_threadsafe(drain)

    return report
