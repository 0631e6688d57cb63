"""Long operations as jobs: changes one per topology, checks beside them, and no orphans.

A job runs in its own task, detached from the call that started it: a client that
disconnects does not stop a change half-way; the engine finishes the apply or rolls it back
(a reader is cancelled instead, see below: nobody is left to read it). On
SIGTERM the daemon cancels every job (the engine rolls back what it did) and waits for them;
from then on no job starts (BackendStoppingError): a call still in flight then (polkit
waiting on a password) would start one that the end of the daemon's loop cancels half-way,
for the next netwrightd's recovery to finish.

Changes (apply, destroy, revert) hold their topology: a second change is Busy. Checks only
read, so they never hold it: an Apply or Destroy cancels the checks of its topology and
starts once they have stopped (a check stops within a second of its cancel flag), and a
check asked for while a change runs is Busy. Each user may run a few checks at once. A
measurement (iperf3) is a reader too, with the same rules as a check.
Every job belongs to the user and connection that started it (``Owner``): its signals go
to that connection only, and only that user or root may cancel it. So a reader whose owner
has left the bus (a killed client) is cancelled: nobody could read its result, and a
measurement would hold iperf3 and its port for minutes (caller_watch.py).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from netwright.backend.outcomes.errors import BusyError
from netwright.backend.service.errors import (
    JobNotFoundError,
    error_detail,
    error_name_for,
)
from netwright.backend.service.incidents import incident
from netwright.backend.service.stopping import Stopping
from netwright.backend.service.worker import CancelFlag
from netwright.backend.topology.problems import NetwrightError, quote

log = logging.getLogger("netwrightd")

Operation = Literal["apply", "destroy", "check", "revert", "capture", "measure"]
Work = Callable[[Callable[[int, int, str], None], CancelFlag], Awaitable[dict[str, object]]]
#: The jobs that only read (beside changes, and cancelled when their owner leaves).
READERS: tuple[Operation, ...] = ("check", "capture", "measure")

#: Where a check of the live host (StartCheckHost) has a topology name: "@" comes first,
#: which no topology's name can (topology/fields.py: a letter or digit), so a topology
#: someone named "live-host" neither makes host checks Busy nor cancels them.
LIVE_HOST = "@live-host"
#: Checks one user may run at once (StartCheck and Check together).
CHECKS_PER_USER = 2
#: Captures one user may run at once.
CAPTURES_PER_USER = 4
#: How long a change waits for the checks it cancelled to stop before it starts anyway.
CHECK_STOP_SECONDS = 5.0
#: At most one JobProgress signal per job in this time (see _Throttled).
PROGRESS_SECONDS = 0.1


@dataclass(frozen=True)
class Owner:
    """Who started a job: ``name`` is their connection (signals go there), ``uid`` their
    Unix user (who may cancel)."""

    name: str
    uid: int


class Watching(Protocol):
    """A watch on an owner's connection (caller_watch.CallerWatch), ended by ``stop``."""

    async def stop(self) -> None: ...


#: Starts watching connection ``name``: the flag is set when it leaves the bus.
OwnerWatch = Callable[[str, CancelFlag], Awaitable[Watching]]


class JobListener(Protocol):
    """Where job events go (the D-Bus interface turns them into signals to the owner)."""

    def job_started(self, job: Job) -> None: ...
    def job_progress(self, job: Job, done: int, total: int, text: str) -> None: ...
    def job_finished(self, job: Job, error: str, message: str, data: str) -> None: ...


@dataclass
class Job:
    id: str
    topology: str
    operation: Operation
    action: str
    owner: Owner
    quiet: bool = False  # no signals: the method that started it answers with the outcome
    cancel: CancelFlag = field(default_factory=CancelFlag)
    task: asyncio.Task[None] | None = None
    failure: NetwrightError | None = None
    result: dict[str, object] | None = None
    progress: _Throttled | None = None
    started: float = field(default_factory=time.time)  # Unix time (Status says it)

    @property
    def topology_name(self) -> str:
        """The topology as JobStarted names it: "" for the live host, which is none."""
        return "" if self.topology == LIVE_HOST else self.topology


class Jobs:
    """The running jobs: at most one change per topology, a few checks per user."""

    def __init__(self, listener: JobListener, watch_owner: OwnerWatch | None = None,
                 stopping: Stopping | None = None) -> None:
        self._listener = listener
        self._watch_owner = watch_owner
        self._changes: dict[str, Job] = {}  # topology -> its apply, destroy or revert
        self._checks: dict[str, Job] = {}  # job id -> check
        self._ids = itertools.count(1)
        # Ids stay unique across daemon restarts, so a client never mistakes an old job's
        # signals for a new one's.
        self._run_token = secrets.token_hex(3)
        # once begun, no job starts any more
        self.stopping = stopping if stopping is not None else Stopping()

    def find(self, job_id: str) -> Job | None:
        if job_id in self._checks:
            return self._checks[job_id]
        return next((job for job in self._changes.values() if job.id == job_id), None)

    def get(self, job_id: str) -> Job:
        job = self.find(job_id)
        if job is None:
            raise JobNotFoundError(
                f"no job {quote(job_id)} is running (it may have finished already)")
        return job

    def change_of(self, topology: str) -> Job | None:
        """The apply, destroy or revert of ``topology`` that runs now, if any."""
        return self._changes.get(topology)

    def running(self) -> list[Job]:
        return [*self._changes.values(), *self._checks.values()]

    def start(self, topology: str, operation: Operation, action: str, work: Work,
              owner: Owner, *, quiet: bool = False) -> Job:
        """Start ``work`` as a job, or raise BusyError (see the module's rules), or
        BackendStoppingError once shutdown has begun."""
        self.stopping.refuse(f"starting the {operation} of topology {topology} for uid"
                             f" {owner.uid}")
        change = self._changes.get(topology)
        if change is not None:
            raise BusyError(
                f"topology {topology} is busy: job {change.id} ({change.operation}) is"
                " running; wait for it to finish or cancel it"
            )
        job = Job(f"{operation}-{topology}-{self._run_token}-{next(self._ids)}", topology,
                  operation, action, owner, quiet)
        stopping: list[Job] = []
        if operation in READERS:  # beside changes
            mine = [c for c in self._checks.values()
                    if c.owner.uid == owner.uid and c.operation == operation]
            most = CAPTURES_PER_USER if operation == "capture" else CHECKS_PER_USER
            if len(mine) >= most:
                raise BusyError(
                    f"you already run {len(mine)} {operation}s"
                    f" ({', '.join(c.id for c in mine)}); netwrightd runs at most {most} per"
                    " user at once: wait for one to finish or cancel it")
            self._checks[job.id] = job
        else:  # a capture goes on while its topology changes, as tcpdump would
            stopping = [c for c in self._checks.values()
                        if c.topology == topology and c.operation in ("check", "measure")]
            for check in stopping:
                log.info("job %s: cancelled: job %s changes its topology", check.id, job.id)
                check.cancel.request(f"job {job.id} ({operation}) changes topology {topology}")
            self._changes[topology] = job
        job.task = asyncio.create_task(self._run(job, work, stopping), name=job.id)
        job.task.add_done_callback(lambda _task: self._never_ran(job))
        log.info("job %s: %s of topology %s started for uid %d", job.id, operation, topology,
                 owner.uid)
        if not quiet:
            self._listener.job_started(job)
        return job

    async def _run(self, job: Job, work: Work, stopping: list[Job]) -> None:
        signals = job.progress = _Throttled(lambda done, total, text: (
            self._listener.job_progress(job, done, total, text)))

        def progress(done: int, total: int, text: str) -> None:
            log.info("job %s: [%d/%d] %s", job.id, done, total, text)
            if not job.quiet:
                signals.report(done, total, text)

        # Let the reply carrying the job id leave before the first signal.
        await asyncio.sleep(0)
        tasks = [c.task for c in stopping if c.task is not None]
        if tasks:  # never touch the kernel under a check that is still probing
            await asyncio.wait(tasks, timeout=CHECK_STOP_SECONDS)
        try:
            result = await self._watched(job, work, progress)
        except NetwrightError as exc:
            log.info("job %s: failed: %s", job.id, exc)
            job.failure = exc
            self._finish(job, error_name_for(exc), str(exc), error_detail(exc))
        except asyncio.CancelledError:
            # what runs in a thread of its own (a capture's recording) stops with its flag
            job.cancel.request("its task was cancelled (netwrightd is stopping)")
            failure = incident(RuntimeError("job task cancelled"), f"running job {job.id}")
            job.failure = failure
            self._finish(job, error_name_for(failure), str(failure), "")
            raise
        except Exception as exc:
            failure = incident(exc, f"running job {job.id}")
            job.failure = failure
            self._finish(job, error_name_for(failure), str(failure), "")
        else:
            log.info("job %s: done", job.id)
            job.result = result
            self._finish(job, "", "", json.dumps(result))

    async def _watched(self, job: Job, work: Work,
                       progress: Callable[[int, int, str], None]) -> dict[str, object]:
        """``work``; a reader's cancel flag is set if its owner leaves the bus meanwhile."""
        if job.operation not in READERS or self._watch_owner is None:
            return await work(progress, job.cancel)
        watch = await self._watch_owner(job.owner.name, job.cancel)
        try:
            return await work(progress, job.cancel)
        finally:
            await watch.stop()

    def _never_ran(self, job: Job) -> None:
        """A task cancelled before its first step (asyncio.run cancels what is left at
        shutdown) never runs ``_run``: end its job here, or it stays running for ever."""
        if self.find(job.id) is job:
            failure = incident(RuntimeError("job task cancelled before it began"),
                               f"starting job {job.id}")
            job.failure = failure
            self._finish(job, error_name_for(failure), str(failure), "")

    def _finish(self, job: Job, error: str, message: str, data: str) -> None:
        if self._changes.get(job.topology) is job:
            del self._changes[job.topology]
        self._checks.pop(job.id, None)
        if job.progress is not None:
            job.progress.flush()  # the last step held back, before the end
        if not job.quiet:
            self._listener.job_finished(job, error, message, data)

    async def shutdown(self, timeout: float) -> None:
        """Start no job from now on; cancel every job (the engine rolls back) and wait up
        to ``timeout`` seconds."""
        self.stopping.begin()
        tasks = [job.task for job in self.running() if job.task is not None]
        for job in self.running():
            log.info("job %s: cancelled by shutdown; rolling back", job.id)
            job.cancel.request("netwrightd is stopping")
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)


async def outcome(job: Job) -> dict[str, object]:
    """The result of a quiet job (a method that answers with it: Check, Measure), once it
    has ended; its failure raised. A caller who leaves does not interrupt it half-way (the
    shield): a reader's cancel flag stops it cleanly instead (caller_watch.py)."""
    assert job.task is not None
    await asyncio.shield(job.task)
    if job.failure is not None:
        raise job.failure
    assert job.result is not None
    return job.result


class _Throttled:
    """At most one JobProgress per PROGRESS_SECONDS, yet every step told: the first and last
    step of each phase (done 0, done = total) go at once; the steps done in between are held
    and sent together when the interval ends, as one signal whose ``done`` is the last of
    them and whose text has one line per step, in order (the client unfolds them). An apply
    of 1,000 namespaces has 6,000 steps; sent one by one they flood the bus and, on a busy
    machine, fill the daemon's socket (dbus-fast then drops the connection on EAGAIN instead
    of waiting: python-dbus-next issue #153)."""

    def __init__(self, send: Callable[[int, int, str], None]) -> None:
        self._send = send
        self._last = float("-inf")
        self._held: list[tuple[int, int, str]] = []
        self._timer: asyncio.TimerHandle | None = None

    def report(self, done: int, total: int, text: str) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        self._held.append((done, total, text.replace("\n", " ")))
        if done in (0, total) or now - self._last >= PROGRESS_SECONDS:
            self.flush()
            return
        if self._timer is None:
            self._timer = loop.call_at(self._last + PROGRESS_SECONDS, self.flush)

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._held:
            held, self._held = self._held, []
            self._last = asyncio.get_running_loop().time()
            done, total, _text = held[-1]
            self._send(done, total, "\n".join(text for _done, _total, text in held))
