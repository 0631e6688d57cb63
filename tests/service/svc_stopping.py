"""A netwrightd kept stopping while the test works: SIGTERM once a call waits on polkit.

A stopping netwrightd waits (up to 10 s) for the calls in progress; one the held user makes
waits on polkit (svc_polkit.PolkitHold) as long as the test holds it, so the daemon stays
stopping until the test lets polkit answer. polkitd answers nobody else meanwhile.
``refused_during_stop`` runs a client (the command line, or a BackendClient snippet) until
the stopping daemon has refused its call, and lets the stop end.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from svc_callers import Caller
from svc_cli import as_user_background
from svc_daemon import Daemon
from svc_polkit import USER_ALLOWED, PolkitHold, polkit_hold


@contextlib.contextmanager
def sigterm_while_held(daemon: Daemon, hold: PolkitHold,
                       waiting: subprocess.Popen[str]) -> Iterator[None]:
    """SIGTERM ``daemon`` once the call of ``waiting`` (a process of the held user: a
    command, or a caller) waits on polkit; the block runs while the daemon stops.
    ``waiting`` is killed if the block fails (a caller is started anew when next asked for)."""
    assert daemon.started is not None
    try:
        hold.wait_until_asked(60, waiting)
        os.kill(daemon.started.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while "stopping on SIGTERM" not in daemon.log():
            assert time.monotonic() < deadline, daemon.log()[-3000:]
            time.sleep(0.05)
        yield
    except BaseException:
        waiting.kill()
        waiting.wait()
        raise


def refused_during_stop(running: Daemon, system_bus: str, service_run_dir: Path,
                        caller_factory: Callable[[str], Caller], *, argv: list[str],
                        member: str) -> subprocess.Popen[str]:
    """Run ``argv`` as the allowed user while netwrightd stops, until the daemon has
    refused its ``member`` call; then let the stop end and wait for the daemon's exit."""
    daemon = running.started
    assert daemon is not None
    held = caller_factory("held")
    with polkit_hold(service_run_dir) as hold:
        sent = held.request(op="burst", count=1, answered=0, timeout=0, member="Confirm",
                            signature="sa{sv}", body=["nothing", {}])
        assert sent == {"ok": True, "answers": []}, sent
        with sigterm_while_held(running, hold, held.process):
            command = as_user_background(USER_ALLOWED, argv, address=system_bus)
            wait_for(lambda: f"refusing {member} from" in daemon.log_text()
                     or command.poll() is not None, f"the {member} to be refused")
    held.request(op="rest", timeout=60)  # polkit answered: the stop's last call is done
    assert daemon.process.wait(90) == 0, daemon.log_text()[-3000:]
    return command


def ended(command: subprocess.Popen[str]) -> None:
    """Kill ``command`` (by its PID) if it is still running; its output is dropped."""
    if command.poll() is None:
        command.kill()
        command.communicate()


def wait_for(done: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
