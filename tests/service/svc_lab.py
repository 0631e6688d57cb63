"""This test user's lab, seen from the (root) test process: find it, stop it, look inside."""

from __future__ import annotations

import os
import pwd
import signal
import subprocess
import time
from pathlib import Path

from netwright.backend.service.lab import is_lab_process


def lab_directory(user: str) -> Path:
    return Path(f"/tmp/netwright-lab-{pwd.getpwnam(user).pw_uid}")


def lab_pid(user: str) -> int | None:
    """The user's lab daemon, checked by its command line (a stale file's PID may be reused)."""
    try:
        pid = int((lab_directory(user) / "pid").read_text())
    except (OSError, ValueError):
        return None
    return pid if is_lab_process(pid) else None


def stop_lab(user: str) -> None:
    pid = lab_pid(user)
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
