"""`netwright apply` when netwrightd is killed mid-job: it says so and what recovery did.

The command runs as an ordinary user against the private system bus; the daemon is killed
with SIGKILL after the apply's first progress (and started again a moment later, as systemd
or D-Bus activation would). The command must not wait forever for a JobFinished that can
never come: it says the backend stopped, then what the restarted backend's recovery left
(or that it did not come back), and exits non-zero, within a few seconds.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
from svc_callers import NETWRIGHT, start_command
from svc_jobs import BIG, owned_by
from svc_polkit import USER_ALLOWED


def apply_then_kill(daemon, address: str, run_dir: Path) -> subprocess.Popen[str]:
    """Start `netwright apply` of the big topology; SIGKILL the daemon once it is applying."""
    topology = run_dir / "big.yaml"
    topology.write_text(BIG)
    topology.chmod(0o644)
    log_before = len(daemon.log())
    command = start_command(USER_ALLOWED, [NETWRIGHT, "apply", "--yes", str(topology)],
                            address)
    deadline = time.monotonic() + 120
    while not re.search(r"job apply-big-\S+: \[[1-9]\d*/", daemon.log()[log_before:]):
        if time.monotonic() > deadline or command.poll() is not None:
            command.kill()
            pytest.fail(f"the apply never started: {command.communicate()}")
        time.sleep(0.05)
    os.kill(daemon.started.pid, signal.SIGKILL)
    daemon.started.process.wait(10)
    return command


def finish(command: subprocess.Popen[str], timeout: float) -> tuple[str, float]:
    """The command's stderr and how long it took to end from now."""
    began = time.monotonic()
    try:
        _out, err = command.communicate(timeout=timeout)
    finally:
        if command.poll() is None:
            command.kill()
            command.wait(5)
    return err, time.monotonic() - began


@pytest.mark.timeout(240)
def test_apply_reports_a_killed_backend_and_its_recovery(
    running, host, system_bus, service_run_dir: Path
) -> None:
    command = apply_then_kill(running, system_bus, service_run_dir)
    time.sleep(1.0)
    running.start()  # recovers (rolls the apply back) before it owns its name again
    err, took = finish(command, 30)
    assert command.returncode != 0, err
    assert "the backend (netwrightd) stopped during the apply of big" in err, err
    assert "rolled the interrupted apply back: big is not deployed" in err, err
    assert took < 10, f"the command took {took:.1f} s more after the restart"
    assert owned_by(host, "big") == []


@pytest.mark.timeout(240)
def test_apply_says_so_when_the_backend_does_not_come_back(
    running, host, system_bus, service_run_dir: Path
) -> None:
    command = apply_then_kill(running, system_bus, service_run_dir)
    err, took = finish(command, 30)
    assert command.returncode != 0, err
    assert "stopped during the apply of big" in err and "has not come back" in err, err
    assert took < 12, f"the command took {took:.1f} s after the kill"
    running.start()  # the next tests' daemon; it rolls the apply back
    assert owned_by(host, "big") == []
