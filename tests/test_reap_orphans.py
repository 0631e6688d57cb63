"""tests/tools/reap-orphans: the suite's orphans are its own to reap, at once.

run-isolated runs the suite under it, so a helper left behind by its parent (a lab started
by a command that has exited) is reparented to it, not to the machine's init, which reaps
only about once a second and so held every wait for such a helper to be gone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REAPER = Path(__file__).resolve().parent / "tools" / "reap-orphans"


def parent_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def test_an_orphan_of_the_command_is_reparented_to_the_reaper_and_reaped() -> None:
    """A child of the command starts a sleep and exits before it: the sleep's parent is
    then the reaper (the command's own parent), which reaps it once it is killed. The
    command itself waits meanwhile: the reaper ends with it, and the orphan would move on
    to the next subreaper (run-isolated's) before the test could look."""
    script = ("import os, subprocess, sys\n"
              "middle = subprocess.run([sys.executable, '-c', 'import subprocess;"
              " print(subprocess.Popen([\"sleep\", \"60\"], start_new_session=True,"
              " stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).pid)'],"
              " capture_output=True, text=True, check=True)\n"
              "print(os.getppid(), middle.stdout.strip(), flush=True)\n"
              "sys.stdin.read()\n")  # holds the reaper until the test has looked
    reaper = subprocess.Popen([str(REAPER), sys.executable, "-c", script], text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert reaper.stdout is not None and reaper.stdin is not None
    parent, orphan = (int(word) for word in reaper.stdout.readline().split())
    try:
        assert parent == reaper.pid, "the command is the reaper's child"
        deadline = time.monotonic() + 30
        while parent_of(orphan) != reaper.pid:
            assert time.monotonic() < deadline, "the orphan was not reparented to the reaper"
            time.sleep(0.01)
        os.kill(orphan, signal.SIGKILL)
        while Path(f"/proc/{orphan}").exists():  # a zombie until its parent reaps it
            assert time.monotonic() < deadline, "the reaper left its orphan a zombie"
            time.sleep(0.01)
    finally:
        if Path(f"/proc/{orphan}").exists():
            os.kill(orphan, signal.SIGKILL)
        reaper.stdin.close()  # the command ends, and the reaper with it
        reaper.kill()
        reaper.wait(10)


@pytest.mark.parametrize(("command", "code"), [
    (["sh", "-c", "exit 3"], 3),
    (["sh", "-c", "kill -TERM $$"], 128 + signal.SIGTERM),
    (["/nonexistent/program"], 127),
])
def test_the_commands_exit_code_is_the_reapers(command: list[str], code: int) -> None:
    assert subprocess.run([str(REAPER), *command], check=False,
                          stderr=subprocess.DEVNULL).returncode == code
