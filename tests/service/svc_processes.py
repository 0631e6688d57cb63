"""Start helper processes for the service tests and stop exactly them, by PID.

Every process the harness starts (dbus-daemon, polkitd, netwrightd, callers running as test
users) goes through ``start``; ``stop`` signals that PID only, never a name, so nothing else
on the machine is touched.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Started:
    """A process the harness started, with the file its output goes to."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self, timeout: float = 5.0) -> int | None:
        """SIGTERM, wait, then SIGKILL: the process, by its PID only."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)
                self.process.wait(timeout)
        return self.process.returncode


def start(
    name: str,
    argv: Sequence[str],
    log_dir: Path,
    env: Mapping[str, str] | None = None,
    **popen: object,
) -> Started:
    """Start ``argv`` with stdout and stderr appended to ``log_dir/name.log``."""
    log = log_dir / f"{name}.log"
    with log.open("ab") as handle:
        process = subprocess.Popen(
            list(argv),
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(env) if env is not None else None,
            start_new_session=True,  # signals meant for the test run's group never reach it
            **popen,  # type: ignore[arg-type]
        )
    return Started(name, process, log)


def wait_until(
    condition: Callable[[], bool], timeout: float, what: str, started: Started | None = None
) -> None:
    """Poll ``condition`` every 20 ms; fail with the process log if it never holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if started is not None and not started.alive():
            raise RuntimeError(f"{started.name} exited ({started.process.returncode}) before"
                               f" {what}:\n{started.log_text()[-4000:]}")
        time.sleep(0.02)
    log = started.log_text()[-4000:] if started is not None else ""
    raise TimeoutError(f"timed out after {timeout} s waiting for {what}\n{log}")


@contextlib.contextmanager
def held(pids: list[int]) -> Iterator[list[int]]:
    """The processes ``pids`` stopped (SIGSTOP) for the block; those still there go on after.

    Stopped for good before the block begins, so that what the test does next finds them
    stopped, however slow the machine: a reading helper woken by SIGSTOP while it waits for
    a request still takes one that arrives before it stops (the pipe is read before the
    signal is seen), and then no request would wait in its pipe; a polkitd still answering
    would let a call end that the test means to keep in progress."""
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    deadline = time.monotonic() + 10
    while not all(_stopped(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.002)
    try:
        yield pids
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


def _stopped(pid: int) -> bool:
    """Whether ``pid`` is stopped (or gone, which stops nothing more)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in "TtZX"
    except OSError:
        return True
