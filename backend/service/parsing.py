"""Untrusted topology text is read in helper processes, never in the daemon.

Any user may call Validate and Plan (io.netwright.inspect is ``yes``), and a hostile file of
1 MiB can take seconds of CPU to read. Read in the daemon, that would hold its interpreter
(the GIL) and delay every engine call, confirmation and trial deadline. So the text goes to
a small pool of helper processes (parser.py) running at the lowest CPU priority, each read
in a child of the helper with a CPU budget (RLIMIT_CPU) and a memory bound (RLIMIT_AS) the
kernel enforces, and a wall-clock limit here; the caller of a read that runs over one learns
that the file was too costly to read (a helper over the wall-clock limit is killed and
replaced). A read or helper that ends otherwise (another signal, a stray exit, nonsense on
its pipe) is netwrightd's failure, not the file's: an incident, logged, and a fresh helper
next time.
Each user may have a few reads in progress at once; more are Busy at once.

The helpers read text that anyone may send with libyaml, ruamel.yaml and pydantic, so what
they answer is not trusted: a root daemon's helpers run as ``nobody`` (helper_user.py), their
answers are bounded JSON frames (parse_wire.py: no pickle, whose loading would run whatever
code the answer names), and a model comes back as plain data that is validated again here.
An answer that is not what a helper can honestly give is an incident like a crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import resource
import signal
import sys
from collections import Counter
from typing import Any

from netwright.backend.outcomes.errors import BusyError
from netwright.backend.service.errors import problem_from_json
from netwright.backend.service.incidents import incident
from netwright.backend.service.parse_wire import HEADER, FrameError, decode, frame, frame_size
from netwright.backend.service.read_child import MEMORY_BYTES
from netwright.backend.topology import Problem, Topology, TopologyError
from netwright.backend.topology.bounds import too_many_objects

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


class HelperFailedError(RuntimeError):
    """A reading helper ended or answered otherwise than a read can make it (logged)."""


class ReadFailedError(HelperFailedError):
    """A helper's read (its child) ended otherwise than a read can make it; the helper
    itself said so and goes on (logged)."""


#: Address space one read may use (RLIMIT_AS; why this much: read_child.py).
PARSE_MEMORY_BYTES = MEMORY_BYTES


def _too_costly(limit: str) -> TopologyError:
    """The answer for a read ended at ``limit`` ("cpu", "memory" or "wall-clock")."""
    log.warning("a topology read ran over its %s limit (%.0f s of CPU, %.0f s in all, %d MiB);"
                " it was ended", limit, PARSE_CPU_SECONDS, PARSE_WALL_SECONDS,
                PARSE_MEMORY_BYTES // 2**20)
    if limit == "memory":
        return TopologyError([Problem(
            "error", "too-large", (),
            f"reading this topology needed more memory than netwrightd allows one read"
            f" ({PARSE_MEMORY_BYTES // 2**20} MiB): a file within the documented bounds"
            " (see the README's file format) needs less than a third of that")])
    return TopologyError([Problem(
        "error", "too-large", (),
        f"reading this topology took more than netwrightd allows one read"
        f" ({PARSE_CPU_SECONDS:.0f} s of CPU): a file within the documented bounds"
        " (see the README's file format) takes well under a second")])


def _problems(value: object) -> list[Problem]:
    """The problems of an answer, each rebuilt field by field (HelperFailedError if it is
    no list of problems)."""
    if not isinstance(value, list) or not all(isinstance(p, dict) for p in value):
        raise HelperFailedError(f"the reading helper answered {value!r:.200} for problems")
    try:
        return [problem_from_json(p) for p in value]
    except Exception as exc:  # whatever it is, the answer is no problem
        raise HelperFailedError(f"the reading helper answered a problem that is none"
                                f" ({exc!r:.200})") from None


def _model(value: object) -> tuple[Topology, list[Problem]]:
    """The model and warnings of a "topology" answer, the model validated again here: the
    helper's word that it is valid is not taken (HelperFailedError when it is not)."""
    if not isinstance(value, dict) or set(value) != {"topology", "warnings"}:
        raise HelperFailedError(f"the reading helper answered {value!r:.200} for a model")
    bound = too_many_objects(value["topology"])
    if bound is not None:
        raise HelperFailedError(f"the reading helper answered a model over the bound:"
                                f" {bound.message}")
    try:
        model = Topology.model_validate(value["topology"])
    except Exception as exc:  # pydantic's ValidationError, or a validator's
        raise HelperFailedError(f"the reading helper answered an invalid model: {exc!s:.500}"
                                ) from None
    return model, _problems(value["warnings"])


def checked_answer(op: str, reply: object) -> tuple[str, Any]:
    """A helper's answer to ``op`` as netwrightd uses it: ("ok", the problems as JSON for
    "validate" or (model, warnings) for "topology") or ("problems", [Problem…]);
    HelperFailedError for anything parser.answer cannot give."""
    if not (isinstance(reply, list) and len(reply) == 2
            and reply[0] in ("ok", "problems", "costly", "failed")):
        raise HelperFailedError(f"the reading helper answered {reply!r:.200}")
    status, value = reply
    if status == "costly":  # a read its CPU or memory bound ended: the file's cost
        if value not in ("cpu", "memory"):
            raise HelperFailedError(f"the reading helper answered {reply!r:.200}")
        raise _too_costly(value)
    if status == "failed":  # a read that ended otherwise: netwrightd's failure, not the file's
        raise ReadFailedError(f"{value!s:.300}")
    if status == "problems":
        return status, _problems(value)
    if op == "validate":
        return status, [p.to_json() for p in _problems(value)]
    return status, _model(value)


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

    async def ask(self, request: tuple[str, str, float, int]) -> object:
        """The helper's answer to ``request`` (decoded, not yet checked); OSError (and its
        kin) when the helper ended, or announced a frame over the bound (then nothing of it
        is read), or its answer is no JSON."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(frame(list(request)))
        await self.process.stdin.drain()
        size = frame_size(await self.process.stdout.readexactly(HEADER))
        return decode(await self.process.stdout.readexactly(size))

    async def end(self) -> None:
        """Kill this helper (if it still runs) and collect its exit status."""
        self.kill()
        await self.process.wait()

    def ran_out_of_cpu(self) -> bool:
        """Whether the kernel ended it for its CPU budget (once ended): SIGXCPU at the soft
        RLIMIT_CPU it sets per read, SIGKILL at the hard one when netwrightd runs with one
        (LimitCPU=; then another SIGKILL looks the same). Any other end is netwrightd's
        fault, not the file's: a crash, another signal (the OOM killer), a stray exit."""
        code = self.process.returncode
        if code == -signal.SIGXCPU:
            return True
        hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
        return code == -signal.SIGKILL and hard != resource.RLIM_INFINITY

    def ending(self) -> str:
        """How the helper ended, for the log."""
        code = self.process.returncode
        if code is not None and code < 0:
            return f"the reading helper (pid {self.process.pid}) was ended by " \
                f"{signal.Signals(-code).name}"
        return f"the reading helper (pid {self.process.pid}) exited with status {code}"

    def kill(self) -> None:
        """End this helper (a process the daemon started), by its PID. Not with
        Process.kill: its Popen.send_signal first polls, which reaps a helper that has just
        died and leaves asyncio's watcher without its exit status ("Unknown child process",
        255), so a helper ended at its CPU budget would look like a crash. Until the watcher
        reaps it, the PID stays this helper's (a zombie's included)."""
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGKILL)


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
                status, value = await self._ask((op, text, PARSE_CPU_SECONDS,
                                                 PARSE_MEMORY_BYTES))
        finally:
            self._reading[uid] -= 1
            if not self._reading[uid]:
                del self._reading[uid]
        if status == "problems":
            raise TopologyError(value)
        return value

    async def _ask(self, request: tuple[str, str, float, int]) -> tuple[str, Any]:
        helper = self._idle.pop() if self._idle else await _Helper.start()
        while helper.process.returncode is not None:  # ended while idle (the OOM killer)
            helper = self._idle.pop() if self._idle else await _Helper.start()
        try:
            reply = await asyncio.wait_for(helper.ask(request), PARSE_WALL_SECONDS)
        except TimeoutError:
            await helper.end()
            raise _too_costly("wall-clock") from None
        except FrameError as exc:  # what it wrote is no answer, however it ends
            await helper.end()
            raise incident(HelperFailedError(f"the reading helper (pid {helper.process.pid})"
                                             f" answered nonsense: {exc}"),
                           "reading this topology") from None
        except (asyncio.IncompleteReadError, ConnectionError, OSError) as exc:
            await helper.end()
            if helper.ran_out_of_cpu():
                raise _too_costly("cpu") from None
            raise incident(HelperFailedError(f"{helper.ending()} ({exc!r})"),
                           "reading this topology") from None
        except BaseException:  # cancelled mid-read: its answer would confuse the next one
            helper.kill()
            raise
        try:
            checked = checked_answer(request[0], reply)
        except TopologyError:  # a read over its bound: the helper itself is as it was
            self._idle.append(helper)
            raise
        except ReadFailedError as exc:  # its read died, the helper goes on
            self._idle.append(helper)
            raise incident(exc, "reading this topology") from None
        except HelperFailedError as exc:  # nonsense on its pipe: not a helper to trust again
            await helper.end()
            raise incident(exc, "reading this topology") from None
        self._idle.append(helper)
        return checked

    async def close(self) -> None:
        """End the idle helpers (busy ones end on their own when their pipe closes)."""
        helpers, self._idle = self._idle, []
        for helper in helpers:
            helper.kill()
            await helper.process.wait()
