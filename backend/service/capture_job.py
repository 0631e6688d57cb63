"""A capture as a job of netwrightd: what it holds is released on every way it can end.

A capture holds, from its Capture call to its end, the open-files admission it was granted
(kernel/open_files), its packet socket and netwrightd's copy of the caller's descriptor. The
thread that records (capture.engine.record) releases them when it ends; but the job's task
may end before that thread ever starts: cancelled at daemon shutdown (asyncio.run cancels
what is left), or failing first (its owner's watch, a thread that cannot be started). Then
nothing released them: the caller's file stayed open in netwrightd, and the admission stayed
taken, so enough such captures refused every later capture, check or apply with TooManyFiles.
So the job's end releases what the thread did not take over (``CaptureHold``); whichever
comes first decides, under a lock, so nothing is closed under a thread still using it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from typing import Any

from netwright.backend.capture.engine import CaptureLimits, CaptureResult, record
from netwright.backend.service import names
from netwright.backend.service.jobs import Job, Jobs, Owner
from netwright.backend.service.worker import CancelFlag, Progress, in_own_thread


class CaptureHold:
    """What one capture holds (``held``: closing it releases all of it), and who releases it:
    the recording thread once it has taken it over, else whatever ends the job first."""

    def __init__(self, held: contextlib.ExitStack) -> None:
        self._held = held
        self._lock = threading.Lock()
        self._taken = False
        self._released = False

    def take(self) -> bool:
        """The recording thread takes it over; False if the job ended first (released)."""
        with self._lock:
            if self._released:
                return False
            self._taken = True
            return True

    def release(self) -> None:
        """Release it all, once (the recording thread, when it ends)."""
        with self._lock:
            if self._released:
                return
            self._released = True
        self._held.close()

    def release_unless_taken(self) -> None:
        """The job has ended: release it, unless the recording thread has it (that thread
        releases it when it ends, and may still be using the socket and descriptor)."""
        with self._lock:
            if self._taken or self._released:
                return
            self._released = True
        self._held.close()


def start_capture_job(jobs: Jobs, topology: str, owner: Owner, *, sock: socket.socket,
                      interface: str, fd: int, limits: CaptureLimits,
                      held: contextlib.ExitStack) -> Job:
    """Start the job that records ``sock`` (bound to ``interface``) into ``fd``; ``held``
    releases the socket, ``fd`` and the admission, and is this function's from now on,
    whatever happens (a refused start releases it at once)."""
    hold = CaptureHold(held)

    def run(cancel: CancelFlag) -> CaptureResult:
        if not hold.take():
            return CaptureResult(0, 0, "stopped")
        try:
            return record(sock, interface, fd, limits, cancel)
        finally:  # here, not in the task: fd is the thread's until it ends
            hold.release()

    async def work(_progress: Progress, cancel: CancelFlag) -> dict[str, Any]:
        result = await in_own_thread(lambda: run(cancel), f"capture {topology}")
        return result.to_json()

    try:
        job = jobs.start(topology, "capture", names.ACTION_CAPTURE, work, owner)
    except BaseException:
        hold.release()
        raise
    assert job.task is not None
    job.task.add_done_callback(lambda _task: hold.release_unless_taken())
    return job


def close_later(fd: int) -> None:
    """``os.close(fd)``, for an ExitStack callback: a descriptor already gone is no error."""
    with contextlib.suppress(OSError):
        os.close(fd)
