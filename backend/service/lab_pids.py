"""The lab's own PID namespace: nothing the lab starts outlives it, even a SIGKILL of it.

A lab's helpers (its router's dnsmasq, the DHCP clients, iperf3, a capture's reader) hold the
lab's namespaces, which no later lab can enter again: one that outlived its lab would be
garbage holding them. A lab killed with SIGKILL (or by the OOM killer) cannot stop them, and
PR_SET_PDEATHSIG on each helper is no answer (it fires when the *thread* that forked the
helper ends, and the backend starts helpers from worker threads). So the lab runs as three
processes:

- the launcher (the process the user's unit or shell started), outside the PID namespace: it
  keeps the lab's lock and bus, forwards SIGTERM and SIGINT to the backend, waits for it and
  cleans up after it;
- the namespace's init, PID 1 inside: it passes SIGTERM and SIGINT on to the backend too,
  reaps whatever is orphaned there and, once the backend has exited (however it ended),
  exits too. The kernel then SIGKILLs every process
  left in the namespace. It also dies with the launcher (PR_SET_PDEATHSIG: safe here, the
  launcher forks it from its only thread, which lives as long as the launcher);
- the backend, PID 2 inside, which serves the API and starts every helper there.

The backend is not PID 1 itself: PID 1 ignores every signal it has no handler for, and
reaping orphans with ``waitpid(-1)`` would steal the exit statuses of the backend's own
children. The backend gets a mount namespace with a /proc of the PID namespace, so the PIDs
fork returns to it are the ones /proc lists (processes.py reads helpers there); the launcher
keeps the host's /proc and paths. The lab's pid file names the backend by the PID the host
sees, so ``netwright lab stop`` signals it and ``nsenter --target`` enters all its namespaces.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import signal
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from netwright.backend.parent_death import die_with_parent
from netwright.backend.service.namespaces import own_proc, set_name

#: The signals the launcher passes on to the backend (a stop, or the terminal's Ctrl-C).
FORWARDED = (signal.SIGTERM, signal.SIGINT)


def run_in_pid_namespace(backend: Callable[[], int], early: list[str],
                         started: Callable[[int], object]) -> int:
    """In the launcher, after ``enter_lab_namespaces(pids=True)``: start the namespace's init
    and, under it, ``backend()``; call ``started`` with the backend's PID on the host once it
    runs; pass stop signals on; return the backend's exit status once the namespace is gone.

    ``early``: the names of the signals the launcher got so far (its handlers append to it);
    the backend inherits those, and any that come later are forwarded to it."""
    launcher_alive, launcher_watch = os.pipe()  # init reads EOF: the launcher died early
    told, tell = os.pipe()  # the backend writes its host PID here
    seen = len(early)
    sys.stdout.flush()
    sys.stderr.flush()
    init = os.fork()
    if init == 0:  # never returns into the launcher's code
        code = 1
        try:
            os.close(launcher_watch)
            os.close(told)
            code = _init(launcher_alive, tell, backend)
        except BaseException:
            traceback.print_exc()
        finally:
            _exit(code)
    os.close(launcher_alive)
    os.close(tell)
    pid = _read_pid(told)
    os.close(told)
    if pid is not None:
        started(pid)
        for signum in FORWARDED:
            signal.signal(signum, lambda number, _frame: _forward(pid, number))
        for name in early[seen:]:  # came while it started: it did not inherit those
            _forward(pid, signal.Signals[name])
    _, status = os.waitpid(init, 0)
    os.close(launcher_watch)
    return _exit_code(status)


def _init(launcher_alive: int, tell: int, backend: Callable[[], int]) -> int:
    """PID 1 of the lab's PID namespace: start the backend, reap, end with it."""
    die_with_parent()
    if select.select([launcher_alive], [], [], 0)[0]:
        return 1  # the launcher died before the line above: nothing may run unwatched
    os.close(launcher_alive)
    child = os.fork()
    if child == 0:
        code = 1
        try:
            code = _backend(tell, backend)
        except BaseException:
            traceback.print_exc()
        finally:
            _exit(code)
    os.close(tell)
    set_name("netwright-init")
    for signum in FORWARDED:  # the backend decides when the lab stops; this follows it
        signal.signal(signum, lambda number, _frame: _forward(child, number))
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            return 1
        if pid == child:
            return _exit_code(status)  # the kernel now ends everything left in here


def _backend(tell: int, backend: Callable[[], int]) -> int:
    """The backend's process, PID 2: its own /proc, its host PID told, then it serves."""
    host_pid = _host_pid()
    try:
        own_proc()
    except OSError as exc:
        print(f"netwrightd: the lab cannot start: {exc.strerror}", file=sys.stderr)
        return 1
    os.write(tell, f"{host_pid}\n".encode())
    os.close(tell)
    _log_as(host_pid)
    return backend()


def _host_pid() -> int:
    """This process's PID as the host sees it (before its /proc is replaced by the lab's)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("NSpid:"):
            return int(line.split()[1])
    return os.getpid()  # a kernel without NSpid (before 4.1) has no other view to give


def _log_as(pid: int) -> None:
    """Log lines say ``netwrightd[PID]`` with the PID the user sees, not 2."""
    def host_view(record: logging.LogRecord) -> bool:
        record.process = pid
        return True

    for handler in logging.getLogger().handlers:
        handler.addFilter(host_view)


def _read_pid(fd: int) -> int | None:
    text = b""
    while not text.endswith(b"\n"):
        chunk = os.read(fd, 32)
        if not chunk:
            return None  # the backend ended before it ran (its reason is in the log)
        text += chunk
    return int(text)


def _forward(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def _exit_code(status: int) -> int:
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


def _exit(code: int) -> NoReturn:
    """Leave a forked process without running the launcher's cleanup or atexit handlers."""
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)
