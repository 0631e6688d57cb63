"""Engine calls off the daemon's event loop: each in a worker thread with its own loop.

The engine does its netlink work synchronously between awaits (an apply of 300 namespaces
holds the loop for about half a second per batch). In the daemon's loop that would stall
every other caller: Cancel, Busy answers, Status, the polkit checks of other users. So each
engine call runs in a thread of its own, on a fresh event loop and a fresh Engine (cheap: its
state is on disk), and progress is handed back to the daemon's loop thread-safely.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from netwright.backend.engine import Engine, Target

T = TypeVar("T")
Progress = Callable[[int, int, str], None]


class EngineWorker:
    """Where the daemon's engine calls run; one per daemon, shared by all jobs."""

    def __init__(self, state_dir: Path, target: Target) -> None:
        self.state_dir = state_dir
        self.target = target

    def engine(self) -> Engine:
        return Engine(self.state_dir, self.target)

    async def run(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run the coroutine ``work()`` makes in a worker thread; return its result."""
        return await asyncio.to_thread(_run_in_new_loop, work)

    async def with_engine(self, work: Callable[[Engine], Awaitable[T]]) -> T:
        return await self.run(lambda: work(self.engine()))


def _run_in_new_loop(work: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        return await work()

    return asyncio.run(main())


def thread_safe_progress(progress: Progress) -> Progress:
    """A progress callback a worker thread may call; it runs ``progress`` in this loop."""
    loop = asyncio.get_running_loop()

    def report(done: int, total: int, text: str) -> None:
        loop.call_soon_threadsafe(progress, done, total, text)

    return report


class CancelFlag(threading.Event):
    """Set from the daemon's loop, read by the engine in its worker thread (``is_set``)."""
