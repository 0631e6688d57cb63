"""A command that a stopping lab refuses runs in a new lab, once, as when no lab runs.

`netwright lab stop` (or the lab's idle timer) racing a command: the lab, stopping, refuses
the call (io.netwright.Error.Stopping) and the command failed with "netwrightd is stopping:
nothing was changed; try again once it is back", although the next try would simply have
started a new lab. Now the client waits for the stopping lab to end, starts a new one and
makes the call there, saying so as when the lab had gone. The lab stays stopping while it
waits for a call in progress: a topology read whose reading helper the test has frozen
(SIGSTOP, as a machine's load stretches a read at nice 19) until the command's call has been
refused. The commands run as the test user; the new lab's kernel is read from inside it.
"""

from __future__ import annotations

import array
import contextlib
import fcntl
import os
import signal
import subprocess
import termios
import time
from pathlib import Path

from svc_cli import NETWRIGHT, as_user, as_user_background
from svc_daemon import PYTHON
from svc_lab import PrivateLab, in_lab

from netwright.backend.client.client import RESTARTED_LAB

DESIGN = "netwright: 1\nname: again\nnamespaces:\n  a: {}\n"
#: Asks the running lab to validate (never starting one): the call the stop waits for.
VALIDATE = """
import asyncio
from netwright.backend.client import connect_lab
async def main():
    client = await connect_lab(start=False)
    try:
        await client.validate("netwright: 1\\nname: v\\n")
    finally:
        client.close()
asyncio.run(main())
"""


def test_a_command_the_stopping_lab_refuses_runs_in_a_new_lab(lab: PrivateLab) -> None:
    design = lab.runtime / "again.yaml"
    design.write_text(DESIGN)
    log = lab.directory / "lab.log"
    planned = as_user(lab.user, [NETWRIGHT, "plan", "--lab", str(design)], env=lab.env)
    assert planned.returncode == 0, planned.stderr  # the lab runs, with a reading helper
    old = lab.pid()
    assert old is not None
    helpers = _reading_helpers(old)
    assert helpers, "the lab has no reading helper"
    for helper in helpers:
        os.kill(helper, signal.SIGSTOP)
    started = [as_user_background(lab.user, [PYTHON, "-c", VALIDATE], env=lab.env)]
    try:
        try:
            _wait_for(lambda: any(_unread(helper) for helper in helpers),
                      "the read to be asked")
            stop = as_user_background(lab.user, [NETWRIGHT, "lab", "stop"], env=lab.env)
            started.append(stop)
            _wait_for(lambda: "stopping on SIGTERM" in log.read_text(), "the lab to stop")
            os.kill(stop.pid, signal.SIGSTOP)  # suspended (Ctrl+Z) until the new lab runs
            applied = as_user_background(lab.user, [NETWRIGHT, "apply", "--lab", "--yes",
                                                    str(design)], env=lab.env)
            started.append(applied)
            _wait_for(lambda: ("refusing Plan from" in log.read_text()
                               or applied.poll() is not None),
                      "the lab to refuse the command's Plan")
        finally:
            for helper in helpers:  # the read goes on, and the stopping lab ends
                os.kill(helper, signal.SIGCONT)
        _out, err = applied.communicate(timeout=180)
        assert applied.returncode == 0, (err, log.read_text()[-3000:])
        assert f"{RESTARTED_LAB}\n" in err, err
        new = lab.pid()
        assert new not in (None, old)
        assert "lab-a" in in_lab(new, "ls", "/run/netns").split()  # applied in the new lab
        os.kill(stop.pid, signal.SIGCONT)  # `lab stop` tells its lab from the new one
        said, _err = stop.communicate(timeout=90)
        assert (stop.returncode, said) == (0, (
            "the lab is stopped\n"
            f"a new lab (pid {new}) has started since, for a command that came meanwhile\n"))
    finally:
        for process in started:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGCONT)
            try:
                process.communicate(timeout=90)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()


def test_lab_start_waits_for_a_stopping_lab_and_starts_a_new_one(lab: PrivateLab) -> None:
    """`netwright lab start` while the lab stops: a stopping lab still answers List, so the
    command said "the lab is running" of the lab about to end. It reads the lab's Stopping
    property (API 1.20), waits for that lab to end, starts a new one and says so. The old
    lab stays stopping on a read whose helper is frozen until the stop's wait for calls in
    progress runs out (10 s): that call is answered (Failed) and the helper killed."""
    design = lab.runtime / "again.yaml"
    design.write_text(DESIGN)
    log = lab.directory / "lab.log"
    planned = as_user(lab.user, [NETWRIGHT, "plan", "--lab", str(design)], env=lab.env)
    assert planned.returncode == 0, planned.stderr
    old = lab.pid()
    assert old is not None
    helpers = _reading_helpers(old)
    assert helpers, "the lab has no reading helper"
    for helper in helpers:
        os.kill(helper, signal.SIGSTOP)
    reading = as_user_background(lab.user, [PYTHON, "-c", VALIDATE], env=lab.env)
    started = [reading]
    try:
        _wait_for(lambda: any(_unread(helper) for helper in helpers), "the read to be asked")
        started.append(as_user_background(lab.user, [NETWRIGHT, "lab", "stop"], env=lab.env))
        _wait_for(lambda: "stopping on SIGTERM" in log.read_text(), "the lab to stop")
        begun = time.monotonic()
        start = as_user(lab.user, [NETWRIGHT, "lab", "start"], env=lab.env)
        assert start.returncode == 0, (start.stderr, log.read_text()[-3000:])
        lines = start.stdout.splitlines()
        assert lines[0].startswith(f"the lab (pid {old}) was stopping: waited "), lines
        assert lines[0].endswith(" s for it to end, and started a new one"), lines
        assert lines[1] == "the lab is running (0 deployments)", lines
        assert time.monotonic() - begun > 5  # it did wait for the old lab's end
        new = lab.pid()
        assert new not in (None, old)
        assert "answering 1 calls still in progress" in log.read_text()
        _out, err = reading.communicate(timeout=60)  # its read was answered, not dropped
        assert "stopped before it finished this call" in err, err
    finally:
        for helper in helpers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(helper, signal.SIGCONT)
        for process in started:
            try:
                process.communicate(timeout=90)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()


def _reading_helpers(lab_pid: int) -> list[int]:
    """The lab's topology-reading helpers (parser.py): its children running that module."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == lab_pid and b"netwright.backend.service.parser" in command:
            found.append(int(entry.name))
    return found


def _unread(pid: int) -> int:
    """How many bytes wait in the standard input of process ``pid`` (a pipe): a request
    the daemon has sent to a frozen helper."""
    fd = os.open(f"/proc/{pid}/fd/0", os.O_RDONLY | os.O_NONBLOCK)
    try:
        count = array.array("i", [0])
        fcntl.ioctl(fd, termios.FIONREAD, count)
        return count[0]
    finally:
        os.close(fd)


def _wait_for(done, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
