"""This test user's lab, seen from the (root) test process: find it, stop it, look inside."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from netwright.backend.service.lab import is_lab_process


def lab_directory(user: str) -> Path:
    return Path(f"/tmp/netwright-lab-{pwd.getpwnam(user).pw_uid}")


def lab_pid(user: str, directory: Path | None = None) -> int | None:
    """The user's lab daemon, checked by its command line (a stale file's PID may be reused).

    ``directory``: the lab's directory when the user has an $XDG_RUNTIME_DIR (PrivateLab)."""
    try:
        pid = int(((directory or lab_directory(user)) / "pid").read_text())
    except (OSError, ValueError):
        return None
    return pid if is_lab_process(pid) else None


def stop_lab(user: str, directory: Path | None = None) -> None:
    pid = lab_pid(user, directory)
    if pid is None:
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        time.sleep(0.05)


def in_lab(pid: int, *argv: str) -> str:
    return subprocess.run(["nsenter", f"--target={pid}", "--net", "--mount", "--root", "--wd",
                           "--", *argv],
                          capture_output=True, text=True, check=True, timeout=30).stdout


def wait_logged(log: Path, line: str, seconds: float) -> str:
    """Wait (at most ``seconds``) until the lab log ``log`` holds ``line``; the log's text.

    The lab logs each decision to stay (idle.py): waiting for it replaces guessing how long
    its idle check takes."""
    deadline = time.monotonic() + seconds
    while True:
        text = log.read_text() if log.exists() else ""
        if line in text:
            return text
        assert time.monotonic() < deadline, f"{log} never said {line!r}:\n{text}"
        time.sleep(0.05)


class PrivateLab:
    """A test user with an $XDG_RUNTIME_DIR of their own, so their lab is this test's alone.

    /tmp is shared with every other test run on the machine; a lab under
    /tmp/netwright-lab-UID would be found (and stopped) by another run of the same user.
    """

    def __init__(self, user: str) -> None:
        self.user = user
        self.runtime = Path(tempfile.mkdtemp(prefix="netwright-runtime-"))
        uid = pwd.getpwnam(user).pw_uid
        os.chown(self.runtime, uid, uid)
        self.directory = self.runtime / "netwright-lab"
        self.env = {"XDG_RUNTIME_DIR": str(self.runtime)}

    def pid(self) -> int | None:
        return lab_pid(self.user, self.directory)

    def close(self) -> None:
        stop_lab(self.user, self.directory)
        shutil.rmtree(self.runtime, ignore_errors=True)


@contextlib.contextmanager
def readable_copies(prefix: str, *sources: Path) -> Iterator[Path]:
    """A new directory every test user can read, holding a copy of each of ``sources``: the
    checkout may sit in a 0700 home, where the lab's user cannot read the examples."""
    directory = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        directory.chmod(0o755)
        for source in sources:
            (directory / source.name).write_bytes(source.read_bytes())
            (directory / source.name).chmod(0o644)
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)
