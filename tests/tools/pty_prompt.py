"""Run a command on a terminal of its own until it asks a question, then press Ctrl+C.

For the prompts ("Apply these changes? [y/N]", adopt's): a command asking inside asyncio.run
once swallowed the first SIGINT and went on waiting for a line. The Ctrl+C goes as soon as
the question is seen, often before the command has begun to wait for the answer: input()
missed one there and waited on (CI failed so), so the prompts wait in slices instead.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import time


def interrupt_at_prompt(argv: list[str], prompt: bytes,
                        env: dict[str, str] | None = None) -> tuple[int, str]:
    """Start ``argv`` with a pty as stdin/stdout/stderr, wait for ``prompt``, send SIGINT at
    once; its exit status (the wait gives up after 10 s) and all it wrote."""
    master, slave = pty.openpty()
    child = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd="/")
    os.close(slave)
    seen = b""
    try:
        deadline = time.monotonic() + 30
        while prompt not in seen:
            assert time.monotonic() < deadline, seen.decode(errors="replace")
            if select.select([master], [], [], 0.1)[0]:
                seen += os.read(master, 65536)
        child.send_signal(signal.SIGINT)
        exited = child.wait(timeout=10)
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
    return exited, seen.decode(errors="replace")
