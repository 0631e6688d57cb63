"""Untrusted topology text is read in helper processes, never in the daemon.

Any user may call Validate and Plan (io.netwright.inspect is ``yes``), and a hostile file of
1 MiB can take seconds of CPU to read. Read in the daemon, that would hold its interpreter
(the GIL) and delay every engine call, confirmation and trial deadline. So the text goes to
a small pool of helper processes (parser.py) running at the lowest CPU priority, each read
with a CPU budget the kernel enforces (RLIMIT_CPU) and a wall-clock limit here; a helper that
runs over is killed and replaced, and the caller learns that the file was too costly to read.
Each user may have a few reads in progress at once; more are Busy at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pickle
import sys
from collections import Counter
from typing import Any

from netwright.backend.outcomes.errors import BusyError
from netwright.backend.service.errors import problem_from_json
from netwright.backend.service.parser import HEADER, frame
from netwright.backend.topology import Problem, Topology, TopologyError

log = logging.getLogger("netwrightd")

#: Helper processes reading at once; more reads wait for one.
PARSE_HELPERS = 2
#: CPU one read may use (at the object bound a valid file takes about 0.3 s, an invalid one
#: about 2.5 s: it is re-read by the round-trip parser to place its problems).
PARSE_CPU_SECONDS = 4.0
#: Wall-clock time one read may take, once a helper has it (helpers run at nice 19, so a
#: busy machine stretches their CPU seconds).
PARSE_WALL_SECONDS = 20.0
#: Reads one user may have in progress at once (Validate, Plan, Apply together).
PARSES_PER_USER = 2


class _Helper:
    """One helper process; it takes one request at a time."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls) -> _Helper:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "netwright.backend.service.parser",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd="/",
        )
        return cls(process)

    async def ask(self, request: tuple[str, str, float]) -> tuple[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(frame(pickle.dumps(request)))
        await self.process.stdin.drain()
        size = int.from_bytes(await self.process.stdout.readexactly(HEADER), "big")
        reply: tuple[str, Any] = pickle.loads(await self.process.stdout.readexactly(size))
        return reply

    def kill(self) -> None:
        """End this helper (a process the daemon started), by its PID."""
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()


class TopologyReader:
    """The pool of helpers, with the per-user limit."""

    def __init__(self, helpers: int = PARSE_HELPERS) -> None:
        self._slots = asyncio.Semaphore(helpers)
        self._idle: list[_Helper] = []
        self._reading: Counter[int] = Counter()

    async def validate(self, uid: int, text: str) -> list[dict[str, Any]]:
        """Every problem of ``text`` as JSON (a read over budget is one "too-large" problem)."""
        try:
            found: list[dict[str, Any]] = await self._read(uid, "validate", text)
        except TopologyError as exc:
            return [p.to_json() for p in exc.problems]
        return found

    async def topology(self, uid: int, text: str) -> tuple[Topology, list[Problem]]:
        """The validated model of ``text`` and its warnings (with line and column where
        they could be placed); TopologyError with its problems otherwise."""
        model, warnings = await self._read(uid, "topology", text)
        return model, warnings

    async def _read(self, uid: int, op: str, text: str) -> Any:
        if self._reading[uid] >= PARSES_PER_USER:
            raise BusyError(
                f"you already have {self._reading[uid]} topologies being read by netwrightd,"
                f" the most one user may at once ({PARSES_PER_USER}): wait for them to finish")
        self._reading[uid] += 1
        try:
            async with self._slots:
                status, value = await self._ask((op, text, PARSE_CPU_SECONDS))
        finally:
            self._reading[uid] -= 1
            if not self._reading[uid]:
                del self._reading[uid]
        if status == "problems":
            raise TopologyError([problem_from_json(p) for p in value])
        return value

    async def _ask(self, request: tuple[str, str, float]) -> tuple[str, Any]:
        helper = self._idle.pop() if self._idle else await _Helper.start()
        try:
            reply = await asyncio.wait_for(helper.ask(request), PARSE_WALL_SECONDS)
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError, OSError):
            helper.kill()
            await helper.process.wait()
            log.warning("a topology read ran over its budget (%.0f s of CPU, %.0f s in all);"
                        " its helper process was ended", PARSE_CPU_SECONDS, PARSE_WALL_SECONDS)
            raise TopologyError([Problem(
                "error", "too-large", (),
                f"reading this topology took more than netwrightd allows one read"
                f" ({PARSE_CPU_SECONDS:.0f} s of CPU): a file within the documented bounds"
                " (see the README's file format) takes well under a second")]) from None
        except BaseException:  # cancelled mid-read: its answer would confuse the next one
            helper.kill()
            raise
        self._idle.append(helper)
        return reply

    async def close(self) -> None:
        """End the idle helpers (busy ones end on their own when their pipe closes)."""
        helpers, self._idle = self._idle, []
        for helper in helpers:
            helper.kill()
            await helper.process.wait()
