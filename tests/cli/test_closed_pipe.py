"""A reader that stops early (`netwright schema | head -1`) is no failure: exit status 0 and
nothing on stderr, with stdout line-buffered too (cli/main.py's _in_order)."""

from __future__ import annotations

import os
import subprocess
import sys


def test_a_closed_pipe_ends_the_command_quietly() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    process = subprocess.Popen(
        [sys.executable, "-c", "import sys; from netwright.backend.cli.main import main;"
         " sys.exit(main())", "schema"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before the child writes a line: every write finds no reader
    err = process.stderr.read()
    assert process.wait(timeout=60) == 0, err
    assert err == b""
