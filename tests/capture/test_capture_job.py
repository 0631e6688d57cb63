"""netwrightd's capture job releases what it holds however it ends, also before it records.

A Capture call is granted its open files (kernel/open_files), opens the packet socket and
copies the caller's descriptor, then starts a job whose thread records and, at its end,
released all three. A job whose task ended before that thread started (cancelled at daemon
shutdown, when asyncio.run cancels what is left; or failing first) released nothing: the
caller's file stayed open in the daemon and its admission stayed taken, so enough of them
refused every later capture, check or apply. The jobs here are netwrightd's own
(service.jobs, service.capture_job) on a real packet socket in a real namespace; the
daemon's process is this one, so its /proc/self/fd and its admission are read back.
"""

from __future__ import annotations

import asyncio
import contextlib
import os

from netwright.backend.capture.engine import CaptureLimits, open_capture
from netwright.backend.kernel.descriptors import CAPTURE_NEEDS, set_aside
from netwright.backend.kernel.open_files import open_files_held
from netwright.backend.service.capture_job import close_later, start_capture_job
from netwright.backend.service.jobs import Job, Jobs, Owner

LIMITS = CaptureLimits(filter="")


class _Ended:
    """Where netwrightd's jobs tell their events (Backend1 sends them as signals): kept."""

    def __init__(self) -> None:
        self.finished: dict[str, tuple[str, str]] = {}

    def job_started(self, job: Job) -> None:
        pass

    def job_progress(self, job: Job, done: int, total: int, text: str) -> None:
        pass

    def job_finished(self, job: Job, error: str, message: str, data: str) -> None:
        self.finished[job.id] = (error, data)


def _descriptors() -> list[str]:
    return sorted(os.listdir("/proc/self/fd"))


async def _settled(before: tuple[list[str], int]) -> tuple[list[str], int]:
    """The descriptors and admission once they are back to ``before``, or after 5 s: a
    recording thread stops within a flush interval of its cancel flag."""
    for _ in range(50):
        now = (_descriptors(), set_aside())
        if now == before:
            break
        await asyncio.sleep(0.1)
    return now


def _start(jobs: Jobs) -> Job:
    """What the Capture call does: admission, socket in namespace a, a copy of the caller's
    descriptor, then the job."""
    output = os.open("/dev/null", os.O_WRONLY)
    try:
        with contextlib.ExitStack() as opening:
            opening.enter_context(open_files_held("a capture on va of topology pair",
                                                  CAPTURE_NEEDS))
            sock = open_capture("a", "va", LIMITS)
            opening.callback(sock.close)
            fd = os.dup(output)
            opening.callback(close_later, fd)
            return start_capture_job(jobs, "pair", Owner(":1.1", 1000), sock=sock,
                                     interface="va", fd=fd, limits=LIMITS,
                                     held=opening.pop_all())
    finally:
        os.close(output)  # the caller's own copy: the dispatcher closes it on return


def test_a_capture_job_cancelled_before_it_records_releases_what_it_holds(state: str) -> None:
    async def scenario() -> dict[str, object]:
        listener = _Ended()
        jobs = Jobs(listener)
        before = (_descriptors(), set_aside())
        cancelled = []
        for steps in (0, 1, 2):  # as asyncio.run cancels the jobs left at daemon shutdown,
            job = _start(jobs)   # before the task's first step, or while it begins
            assert job.task is not None
            for _ in range(steps):
                await asyncio.sleep(0)
            job.task.cancel()
            await asyncio.wait([job.task])
            cancelled.append(listener.finished.get(job.id, ("still running",))[0])
        running = [job.id for job in jobs.running()]
        after_cancel = await _settled(before)
        job = _start(jobs)  # a Cancel (the job's flag) right after the start
        job.cancel.request("cancelled by uid 1000")
        assert job.task is not None
        await asyncio.wait([job.task])
        flagged = listener.finished[job.id]
        job = _start(jobs)  # and one that records until its Cancel
        await asyncio.sleep(0.3)
        job.cancel.request("cancelled by uid 1000")
        assert job.task is not None
        await asyncio.wait([job.task])
        recorded = listener.finished[job.id]
        return {"before": before, "after_cancel": after_cancel, "cancelled": cancelled,
                "running": running, "flagged": flagged, "recorded": recorded,
                "after": await _settled(before)}

    seen = asyncio.run(scenario())
    assert seen["cancelled"] == ["io.netwright.Error.Failed"] * 3, seen
    assert seen["running"] == [], seen
    assert seen["after_cancel"] == seen["before"], seen  # socket, descriptor and admission
    assert seen["flagged"] == ("", '{"packets": 0, "dropped": 0, "ended": "stopped"}'), seen
    assert seen["recorded"][0] == "", seen
    assert seen["after"] == seen["before"], seen
