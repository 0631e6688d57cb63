"""Ctrl+C at adopt's "Adopt this object? [y/N]", asked inside asyncio.run as the
backend's path asks it: asyncio's SIGINT handler only cancels the command's task, which the
blocking read never noticed, so the first Ctrl+C was swallowed and the prompt waited on."""

from __future__ import annotations

import sys

from tests.tools.pty_prompt import interrupt_at_prompt

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
    exited, seen = interrupt_at_prompt([sys.executable, "-c", ASK_IN_ASYNCIO],
                                       b"Adopt this object? [y/N]")
    assert exited == 0, seen  # it went on waiting for a line before
    assert seen.rstrip().endswith("refused: nothing adopted"), seen
