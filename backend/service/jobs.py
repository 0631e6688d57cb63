"""Long operations as jobs: one per topology, progress signals, cancel, and no orphans.

A job runs in its own task, detached from the call that started it: a client that
disconnects does not stop it half-way; the engine finishes the apply or rolls it back. On
SIGTERM the daemon cancels every job (the engine rolls back what it did) and waits for them.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from netwright.backend.outcomes.errors import BusyError
from netwright.backend.service.errors import JobNotFoundError, error_detail, error_name_for
from netwright.backend.service.incidents import incident
from netwright.backend.service.worker import CancelFlag
from netwright.backend.topology.problems import NetwrightError

log = logging.getLogger("netwrightd")

Operation = Literal["apply", "destroy", "check", "revert"]
Work = Callable[[Callable[[int, int, str], None], CancelFlag], Awaitable[dict[str, object]]]


class JobListener(Protocol):
    """Where job events go (the D-Bus interface turns them into signals)."""

    def job_started(self, job: str, topology: str, operation: str) -> None: ...
    def job_progress(self, job: str, done: int, total: int, text: str) -> None: ...
    def job_finished(self, job: str, error: str, message: str, data: str) -> None: ...


@dataclass
class Job:
    id: str
    topology: str
    operation: Operation
    action: str
    cancel: CancelFlag = field(default_factory=CancelFlag)
    task: asyncio.Task[None] | None = None


class Jobs:
    """The running jobs, at most one per topology."""

    def __init__(self, listener: JobListener) -> None:
        self._listener = listener
        self._by_topology: dict[str, Job] = {}
        self._ids = itertools.count(1)
        # Ids stay unique across daemon restarts, so a client never mistakes an old job's
        # signals for a new one's.
        self._run_token = secrets.token_hex(3)

    def get(self, job_id: str) -> Job:
        for job in self._by_topology.values():
            if job.id == job_id:
                return job
        raise JobNotFoundError(f"no job {job_id!r} is running (it may have finished already)")

    def running(self) -> list[Job]:
        return list(self._by_topology.values())

    def start(self, topology: str, operation: Operation, action: str, work: Work) -> Job:
        """Start ``work`` as a job, or raise BusyError if the topology already has one."""
        current = self._by_topology.get(topology)
        if current is not None:
            raise BusyError(
                f"topology {topology} is busy: job {current.id} ({current.operation}) is"
                " running; wait for it to finish or cancel it"
            )
        job_id = f"{operation}-{topology}-{self._run_token}-{next(self._ids)}"
        job = Job(job_id, topology, operation, action)
        self._by_topology[topology] = job
        job.task = asyncio.create_task(self._run(job, work), name=job.id)
        log.info("job %s: %s of topology %s started", job.id, operation, topology)
        self._listener.job_started(job.id, topology, operation)
        return job

    async def _run(self, job: Job, work: Work) -> None:
        def progress(done: int, total: int, text: str) -> None:
            log.info("job %s: [%d/%d] %s", job.id, done, total, text)
            self._listener.job_progress(job.id, done, total, text)

        # Let the reply carrying the job id leave before the first signal.
        await asyncio.sleep(0)
        try:
            result = await work(progress, job.cancel)
        except NetwrightError as exc:
            log.info("job %s: failed: %s", job.id, exc)
            self._finish(job, error_name_for(exc), str(exc), error_detail(exc))
        except asyncio.CancelledError:
            failure = incident(RuntimeError("job task cancelled"), f"running job {job.id}")
            self._finish(job, error_name_for(failure), str(failure), "")
            raise
        except Exception as exc:
            failure = incident(exc, f"running job {job.id}")
            self._finish(job, error_name_for(failure), str(failure), "")
        else:
            log.info("job %s: done", job.id)
            self._finish(job, "", "", json.dumps(result))

    def _finish(self, job: Job, error: str, message: str, data: str) -> None:
        self._by_topology.pop(job.topology, None)
        self._listener.job_finished(job.id, error, message, data)

    async def shutdown(self, timeout: float) -> None:
        """Cancel every job (the engine rolls back) and wait up to ``timeout`` seconds."""
        tasks = [job.task for job in self.running() if job.task is not None]
        for job in self.running():
            log.info("job %s: cancelled by shutdown; rolling back", job.id)
            job.cancel.set()
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)
