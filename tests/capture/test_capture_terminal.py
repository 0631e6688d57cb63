"""`capture -w -` with standard output on a terminal: pcapng is binary, and it garbled the
terminal. It is refused before anything is asked, unless --force says to."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

ARGV = [sys.executable, "-m", "netwright.backend.cli.main", "capture", "pair", "va", "-w", "-",
        "--seconds", "0.2", "--local", "--state-dir", "/nonexistent"]


def _on_a_terminal(argv: list[str]) -> tuple[int, str]:
    master, slave = pty.openpty()
    child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave,
                             cwd="/", env={**os.environ, "DBUS_SYSTEM_BUS_ADDRESS":
                                           "unix:path=/nonexistent"})
    os.close(slave)
    said = b""
    deadline = time.monotonic() + 30
    while child.poll() is None or select.select([master], [], [], 0.1)[0]:
        assert time.monotonic() < deadline, said
        if select.select([master], [], [], 0.1)[0]:
            try:
                said += os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
    os.close(master)
    return child.wait(timeout=10), said.decode(errors="replace")


def test_pcapng_is_not_written_to_a_terminal() -> None:
    status, said = _on_a_terminal(ARGV)
    assert status == 1, said
    assert said.startswith("netwright: -w - writes pcapng, which is binary, to standard output,"
                           " and that is your terminal: pipe it"), said
    assert "not deployed" not in said  # refused before a deployment was looked for


def test_forced_or_piped_it_goes_on() -> None:
    """--force on the terminal, or a pipe without it: on to the capture (here: to the
    deployment, which this state directory has not)."""
    status, said = _on_a_terminal([*ARGV, "--force"])
    assert status == 1 and "topology pair is not deployed" in said, said
    piped = subprocess.run(ARGV, capture_output=True, text=True, check=False, cwd="/")
    assert piped.returncode == 1 and "topology pair is not deployed" in piped.stderr, piped
