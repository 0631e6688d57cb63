"""The DHCP tests count clients with ``udhcpc_pids``: a client's event-script child that has
not exec'd the script yet carries udhcpc's command line, and is no second client.

That instant lasts a few milliseconds (longer on a loaded machine), which made
test_backend_killed_mid_lease_leaves_no_orphan_after_restart flaky: a restarted client forks
its ``deconfig`` script right after it starts, when the test counts. Here strace holds the
real udhcpc's child at the entry of its execve, so the instant lasts as long as the test needs.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.dhcp.conftest import udhcpc_pids

HOLD_EXEC_MICROSECONDS = 3_000_000  # strace holds each execve this long (or until it dies)


def _wait(condition: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.01)


def _status(pid: int, field: str) -> str:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return line.split(":", 1)[1].strip()
    return ""


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.fixture
def udhcpc(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """A real busybox udhcpc on this namespace's loopback (no server answers there), its
    files under a state directory of its own; stopped by PID at the end."""
    busybox = shutil.which("busybox")
    if busybox is None or shutil.which("strace") is None:
        pytest.fail("busybox and strace are needed (tests/tools/install-deps.sh installs them)")
    state = tmp_path / "state"
    state.mkdir()
    script = state / "event"
    script.write_text("#!/bin/sh\nexit 0\n")
    script.chmod(0o755)
    argv = [busybox, "udhcpc", "-f", "-i", "lo", "-p", str(state / "udhcpc.pid"),
            "-s", str(script), "-t", "4", "-T", "1", "-A", "3"]
    client = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # its start-up deconfig script has run once it wrote its pid file and has no child
        _wait(lambda: (state / "udhcpc.pid").exists() and not _children(client.pid),
              "udhcpc has started")
        yield client, state
    finally:
        client.terminate()
        client.wait(timeout=5)


def test_event_script_child_before_its_exec_is_not_a_second_client(
        udhcpc: tuple[subprocess.Popen[bytes], Path]) -> None:
    client, state = udhcpc
    tracer = subprocess.Popen(
        ["strace", "-f", "-qq", "-o", os.devnull, "-e", "trace=execve",
         "-e", f"inject=execve:delay_enter={HOLD_EXEC_MICROSECONDS}", "-p", str(client.pid)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(lambda: _status(client.pid, "TracerPid") not in ("", "0"), "strace is attached")
        os.kill(client.pid, signal.SIGUSR2)  # release: udhcpc runs its script (deconfig)
        _wait(lambda: bool(_children(client.pid)), "udhcpc has forked its event script")
        child = _children(client.pid)[0]
        assert Path(f"/proc/{child}/cmdline").read_bytes() == Path(
            f"/proc/{client.pid}/cmdline").read_bytes()  # not exec'd: udhcpc's command line

        assert udhcpc_pids(state) == [client.pid]
    finally:
        tracer.kill()  # the kernel detaches its tracees: the held execve goes on
        tracer.wait(timeout=5)
