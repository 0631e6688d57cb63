"""Following jobs by their signals, in whatever order they arrive.

Job signals go to the connection that started the job only (API 1.2; earlier daemons
broadcast them) and may arrive before the reply that names the job (JobStarted is sent
before Apply returns), so events are kept per job id until someone waits for them; jobs
nobody waits for are forgotten after a while. If the backend stops (its bus name loses its
owner), everyone waiting is told at once: no signal of that job can come any more.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

from netwright.backend.record import field, record

if TYPE_CHECKING:
    import asyncio

ProgressCallback = Callable[[int, int, str], None]

#: How many jobs nobody waits for are remembered (a broadcasting 1.1 daemon sends them all).
KEEP_UNCLAIMED = 64


class JobInterrupted(KeyboardInterrupt):
    """Ctrl+C while a command followed its change (apply, destroy, revert): the job was
    asked to stop, followed to its end, and this says how it ended ("apply of seed
    cancelled; every change made so far was rolled back"). A job outlives the connection
    that started it, so without the Cancel a change went on unseen after "interrupted".
    A KeyboardInterrupt, so the command ends as an interrupted command does."""


def interrupted_failure(failure: BaseException) -> BaseException:
    """What an interrupted job's failure becomes: its Cancelled is the interruption's end
    (JobInterrupted); any other failure (the apply failed and rolled back) stays itself."""
    from netwright.backend.outcomes.errors import Cancelled

    if isinstance(failure, Cancelled):
        return JobInterrupted(f"interrupted: {failure}")
    return failure


@record
class JobOutcome:
    """How a job ended: ``error`` is "" on success, else an io.netwright.Error name."""

    job: str
    error: str
    message: str
    data: str


def progress_steps(done: int, total: int, text: str) -> list[tuple[int, int, str]]:
    """The steps one JobProgress tells: one per line of ``text``, ``done`` being the last."""
    lines = text.split("\n")
    return [(max(0, done + offset), total, line)
            for offset, line in enumerate(lines, start=1 - len(lines))]


@record
class _JobEvents:
    progress: list[tuple[int, int, str]] = field(default_factory=list)
    finished: asyncio.Future[JobOutcome] | None = None
    callback: ProgressCallback | None = None
    topology: str = ""
    operation: str = ""


class JobTracker:
    def __init__(self) -> None:
        self._jobs: OrderedDict[str, _JobEvents] = OrderedDict()

    def _events(self, job: str) -> _JobEvents:
        events = self._jobs.get(job)
        if events is None:
            import asyncio  # here: the blocking client (oneshot.py) shares this module

            events = self._jobs[job] = _JobEvents()
            events.finished = asyncio.get_running_loop().create_future()
            while len(self._jobs) > KEEP_UNCLAIMED:
                oldest, stale = next(iter(self._jobs.items()))
                if stale.callback is not None:  # someone waits: keep it
                    self._jobs.move_to_end(oldest)
                    break
                self._jobs.popitem(last=False)
        return events

    def on_started(self, job: str, topology: str, operation: str) -> None:
        events = self._events(job)
        events.topology, events.operation = topology, operation

    def subject(self, job: str) -> tuple[str, str]:
        """(topology, operation) of a job, as its JobStarted said ("" when not heard)."""
        events = self._jobs.get(job)
        return (events.topology, events.operation) if events is not None else ("", "")

    def on_progress(self, job: str, done: int, total: int, text: str) -> None:
        """One JobProgress may tell several consecutive steps, one line each, ``done`` being
        the last (the service sends at most ten a second): each is told on its own."""
        events = self._events(job)
        for step in progress_steps(done, total, text):
            events.progress.append(step)
            if events.callback is not None:
                events.callback(*step)

    def on_finished(self, outcome: JobOutcome) -> None:
        events = self._events(outcome.job)
        if events.finished is not None and not events.finished.done():
            events.finished.set_result(outcome)

    def fail_all(self, exc: BaseException) -> None:
        """The connection or the backend is gone: nobody waits for a signal that cannot come."""
        for events in self._jobs.values():
            if events.finished is not None and not events.finished.done():
                events.finished.set_exception(exc)
                events.finished.exception()  # retrieved: a job nobody waits for is no error

    async def wait(self, job: str, progress: ProgressCallback | None) -> JobOutcome:
        events = self._events(job)
        events.callback = progress or (lambda _d, _t, _x: None)
        if progress is not None:
            for done, total, text in events.progress:
                progress(done, total, text)
        assert events.finished is not None
        try:
            return await events.finished
        finally:
            self._jobs.pop(job, None)
