"""Ctrl+C at adopt's "Adopt these N object(s)? [y/N]", asked inside asyncio.run as the
backend's path asks it: asyncio's SIGINT handler only cancels the command's task, which the
blocking read never noticed, so the first Ctrl+C was swallowed and the prompt waited on."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time

ASK_IN_ASYNCIO = """
import asyncio
from netwright.backend.cli.cmd_adopt import AdoptNotConfirmed, _confirm

async def main():
    _confirm("web", ["bridge br0 in the host"], False)

try:
    asyncio.run(main())
except AdoptNotConfirmed as refused:
    print(f"refused: {refused}")
"""


def test_ctrl_c_at_the_adopt_prompt_adopts_nothing_at_once() -> None:
    master, slave = pty.openpty()
    child = subprocess.Popen([sys.executable, "-c", ASK_IN_ASYNCIO], stdin=slave,
                             stdout=slave, stderr=slave, cwd="/")
    os.close(slave)
    seen = b""
    try:
        deadline = time.monotonic() + 30
        while b"Adopt these 1 object(s)? [y/N]" not in seen:
            assert time.monotonic() < deadline, seen.decode(errors="replace")
            if select.select([master], [], [], 0.1)[0]:
                seen += os.read(master, 65536)
        child.send_signal(signal.SIGINT)
        exited = child.wait(timeout=10)  # it went on waiting for a line before
        while select.select([master], [], [], 0.1)[0]:
            try:
                seen += os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(master)
    assert exited == 0, seen.decode(errors="replace")
    assert seen.decode().rstrip().endswith("refused: nothing adopted"), seen.decode()
