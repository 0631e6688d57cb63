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
from collections.abc import Callable, Mapping, Sequence
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
