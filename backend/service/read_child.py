"""Each read of the helper in a child process of its own, with its own CPU and memory bounds.

The reading helper (parser.py) forks one child per request, while it waits for that request
(off its path: a fork and an exit take ~4 ms). The child bounds itself — RLIMIT_CPU
(the request's seconds) and RLIMIT_AS (MEMORY_BYTES of address space: the largest valid file
of 1 MiB peaks at about 150 MiB, a file at the object bound at about 60 MiB, measured; the
worst invalid ones reach 250 MiB only after 18 s of CPU, far past their CPU budget) — reads,
writes its answer frame on a pipe of its own and exits; the helper passes that one frame on
to netwrightd, waits for the child (``wait4``, which also gives its peak memory) and, when
it ended without answering, answers how it ended:

- ``["costly", "cpu"]``: the kernel ended it for its CPU budget (SIGXCPU, or SIGKILL at a
  hard CPU limit the daemon runs with).
- ``["costly", "memory"]``: it ran out of its address space. A MemoryError says so
  (EXIT_NO_MEMORY); but libyaml and pydantic-core do not always survive a failed allocation
  (SIGSEGV, an abort), so a child that ended otherwise after its resident memory reached
  MEMORY_EVIDENCE of the bound ran out of it too: no read within the bounds comes near.
- ``["failed", sentence]``: anything else, which is netwrightd's fault, not the file's.

A read starts from the helper's state after its warm-up and leaves nothing behind: a file
that subverts a parser gets that one read, never the next one (another user's, maybe), and
memory a read fragmented is returned with the child.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import traceback
from collections.abc import Callable
from typing import Any

from netwright.backend.parent_death import die_with_parent
from netwright.backend.record import record
from netwright.backend.service.parse_wire import HEADER, FrameError, decode, frame, frame_size

#: Address space one read may use (RLIMIT_AS), the helper's own 40 MiB included.
MEMORY_BYTES = 512 * 1024 * 1024
#: A child that dies after its resident memory reached this share of MEMORY_BYTES ran out.
MEMORY_EVIDENCE = 0.75
#: How a child says that an allocation failed (a MemoryError).
EXIT_NO_MEMORY = 3


@record
class Spare:
    """A child forked ahead of the next request (off the request's path: a fork and an exit
    take ~4 ms), waiting on a pipe of its own for it."""

    pid: int
    requests: int  # where the helper writes the request frame
    answers: int  # where the helper reads the answer frame


def fork_spare(answer: Callable[[Any], list[Any]]) -> Spare:
    """A child that will read one request from its own pipe, answer it with ``answer``
    within the request's memory bound, write the frame on its own answer pipe and exit."""
    parent = os.getpid()
    request_r, request_w = os.pipe()
    answer_r, answer_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the helper's loop
        code = 1
        try:
            os.close(request_w)
            os.close(answer_r)
            code = _child(answer, request_r, answer_w, parent)
        except MemoryError:
            code = EXIT_NO_MEMORY
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(request_r)
    os.close(answer_w)
    return Spare(pid, request_w, answer_r)


def read_in_child(spare: Spare, request: bytes, memory: int) -> bytes | list[Any]:
    """Have ``spare`` answer ``request`` (a frame, as netwrightd sent it) within ``memory``
    bytes: the frame it answered (bytes, to pass on as it is), else the helper's own answer
    for how it ended (see the module's opening). Only its first frame is read, and it cannot
    reach netwrightd's pipes, so a subverted read can neither answer twice (a forged answer
    to the next request, another user's) nor read the next request."""
    answered = None
    try:
        with contextlib.suppress(OSError):  # a spare that died waiting: said below
            _write_all(spare.requests, request)
        os.close(spare.requests)
        answered = _first_frame(spare.answers)
    finally:
        os.close(spare.answers)  # anything more it writes goes nowhere
        _, status, usage = os.wait4(spare.pid, 0)
    how = ended(spare.pid, status, usage.ru_maxrss * 1024, memory)
    if how is not None:
        return how
    if answered is None:
        return ["failed", f"the reading process (pid {spare.pid}) exited without an answer"]
    return answered


def _child(answer: Callable[[Any], list[Any]], requests: int, answers: int,
           parent: int) -> int:
    # the helper killed (netwrightd's wall-clock limit) takes its reader with it
    if not die_with_parent(parent):
        return 1
    nothing = os.open(os.devnull, os.O_RDWR)
    os.dup2(nothing, 0)  # netwrightd's request and answer pipes are the helper's alone
    os.dup2(nothing, 1)
    found = _first_frame(requests)
    if found is None:
        return 0  # the helper ends without another request
    request = decode(found[HEADER:])
    resource.setrlimit(resource.RLIMIT_AS, (memory_of(request), memory_of(request)))
    _write_all(answers, frame(answer(request)))
    return 0


def memory_of(request: Any) -> int:
    """The memory bound a request asks for (MEMORY_BYTES when it names none)."""
    if isinstance(request, list) and len(request) > 3 and isinstance(request[3], int):
        return int(request[3])
    return MEMORY_BYTES


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _first_frame(readable: int) -> bytes | None:
    """The first whole frame on ``readable`` (header included), None if there is none or it
    announces more than a frame may hold."""
    header = _exactly(readable, HEADER)
    if header is None:
        return None
    try:
        size = frame_size(header)
    except FrameError:
        return None
    payload = _exactly(readable, size)
    return None if payload is None else header + payload


def _exactly(readable: int, size: int) -> bytes | None:
    chunks, wanted = [], size
    while wanted:
        chunk = os.read(readable, min(wanted, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        wanted -= len(chunk)
    return b"".join(chunks)


def ended(pid: int, status: int, peak: int, memory: int) -> list[Any] | None:
    """The helper's answer for a child ``pid`` that ended with wait ``status`` after a peak
    of ``peak`` resident bytes under a bound of ``memory``; None if it answered itself."""
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        return None
    if os.WIFSIGNALED(status) and _cpu_limit(os.WTERMSIG(status)):
        return ["costly", "cpu"]
    if (os.WIFEXITED(status) and os.WEXITSTATUS(status) == EXIT_NO_MEMORY) \
            or peak >= MEMORY_EVIDENCE * memory:
        return ["costly", "memory"]
    if os.WIFSIGNALED(status):
        how = f"was ended by {signal.Signals(os.WTERMSIG(status)).name}"
    else:
        how = f"exited with status {os.WEXITSTATUS(status)}"
    return ["failed", f"the reading process (pid {pid}) {how} after using"
                      f" {peak / 2**20:.0f} MiB"]


def _cpu_limit(signum: int) -> bool:
    """Whether ``signum`` is how the kernel ends a process at its CPU limit: SIGXCPU at the
    soft one, SIGKILL at a hard one (when netwrightd runs with one, LimitCPU=)."""
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    return signum == signal.SIGXCPU or (signum == signal.SIGKILL
                                        and hard != resource.RLIM_INFINITY)
