"""Helper processes (DHCP clients, the lab's dnsmasq): start inside a namespace, find, stop.

Every helper is recorded the moment it exists: ``spawn`` writes ``<name>.helper`` (JSON: the
PID, the process's start time in clock ticks after boot, its command line) next to the
helper's other files, in a directory Netwright owns, and fsyncs it. A PID alone may be reused
by the time a restarted backend reads it; PID plus start time names one process for the
machine's uptime, and the command line must match too. So after a crash (kill -9 of the
backend, or of the lab that owns the namespaces) whoever comes next ends exactly the helpers
recorded there (``recorded``, ``end_recorded``), by PID. Nothing is ever matched by program
name, and no process outside those records is ever touched. (A backend killed in the
microseconds between the fork and the record's write is the one gap; the helper's command
line still names its record's directory, for a human to see whose it is.)

Helpers are started with ``nsenter --net=/run/netns/<name>`` (util-linux: it enters the
namespace and execs, so the PID we get is the helper's), in a session of their own so a
terminal's Ctrl-C or the backend's death does not reach them: a lease stays renewed while
the backend restarts. A lab's helpers instead run in the lab's own PID namespace and die
with it (backend/service/lab_pids.py); their records hold the PIDs that namespace gives,
which the lab's own /proc lists.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from netwright.backend.process_start import process_stat as _stat
from netwright.backend.record import record

RUN_NETNS = Path("/run/netns")
RECORD_SUFFIX = ".helper"
_children: dict[int, subprocess.Popen[bytes]] = {}
"""Helpers this process started: polled so that none stays a zombie."""


@record(frozen=True)
class Helper:
    """A running helper: its PID, the command line it runs, when it started (clock ticks
    after boot, ``/proc/PID/stat`` field 22; None: not checked)."""

    pid: int
    argv: tuple[str, ...]
    started: int | None = None

    def option_value(self, flag: str) -> str | None:
        """The value after ``flag`` (``-p VALUE``) or in ``flag=VALUE`` form."""
        for index, arg in enumerate(self.argv):
            if arg == flag and index + 1 < len(self.argv):
                return self.argv[index + 1]
            if arg.startswith(flag + "="):
                return arg[len(flag) + 1:]
        return None


def _reap() -> None:
    for pid, child in list(_children.items()):
        if child.poll() is not None:
            del _children[pid]


def _proc(pid: int) -> tuple[tuple[str, ...], int] | None:
    """The command line and start time of a live (not zombie) process; None if it is gone."""
    stat = _stat(pid)
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    if stat is None or stat[0] in ("Z", "X") or not raw:
        return None  # a zombie has run its course (and has no command line left)
    started = stat[1]
    argv = tuple(part.decode("utf-8", "replace") for part in raw.rstrip(b"\0").split(b"\0"))
    return argv, started


def _cmdline(pid: int) -> tuple[str, ...] | None:
    found = _proc(pid)
    return found[0] if found is not None else None


def _is(helper: Helper, argv: tuple[str, ...], started: int) -> bool:
    """``argv``/``started`` (read from /proc) are ``helper``'s: the same process, not one that
    got its PID since. Until nsenter has exec'd, the command line is ``nsenter … -- ARGV``."""
    if helper.started is not None and started != helper.started:
        return False
    if argv == helper.argv:
        return True
    return (len(argv) > len(helper.argv) and argv[-len(helper.argv):] == helper.argv
            and Path(argv[0]).name == "nsenter")


def recorded(record: Path) -> Helper | None:
    """The helper ``record`` names if it still runs (same PID, start time and command line)."""
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
        helper = Helper(int(data["pid"]), tuple(data["argv"]), int(data["started"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return helper if alive(helper) else None


def record_notes(record: Path) -> dict[str, object]:
    """What the spawner wrote down about the helper's start (``spawn(notes=…)``)."""
    try:
        notes = json.loads(record.read_text(encoding="utf-8")).get("notes", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return notes if isinstance(notes, dict) else {}


def records_under(directory: Path) -> list[Path]:
    """Every helper record below ``directory``."""
    return sorted(directory.rglob(f"*{RECORD_SUFFIX}")) if directory.is_dir() else []


def end_recorded(directory: Path) -> list[Helper]:
    """Stop every helper recorded below ``directory`` that still runs (what a killed
    backend or lab left behind); returns them."""
    running = [h for record in records_under(directory) if (h := recorded(record)) is not None]
    stop(running)
    return running


def adopt(record: Path, pid: int, argv: Sequence[str]) -> Helper:
    """Record a helper someone else started (the lab's own dbus-daemon) as ``spawn`` does, so
    whoever comes after a SIGKILL ends it too (``end_recorded``)."""
    stat = _stat(pid)
    helper = Helper(pid, tuple(argv), stat[1] if stat is not None else None)
    _write_record(record, helper, {})
    return helper


def _write_record(record: Path, helper: Helper, notes: Mapping[str, object]) -> None:
    tmp = record.with_name(record.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        json.dump({"pid": helper.pid, "started": helper.started, "argv": list(helper.argv),
                   "notes": dict(notes)}, out)
        out.flush()
        os.fsync(out.fileno())
    tmp.replace(record)
    directory = os.open(record.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def spawn(argv: Sequence[str], netns: str | None, *, env: Mapping[str, str], log: Path,
          record: Path, notes: Mapping[str, object] | None = None) -> Helper:
    """Start ``argv`` inside namespace ``netns`` (None: ours), output appended to ``log``,
    recorded in ``record`` (with ``notes``) before anything else happens."""
    _reap()
    command = list(argv)
    if netns is not None:
        command = ["nsenter", f"--net={RUN_NETNS / netns}", "--", *command]
    with open(log, "ab") as out:
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                 env=dict(env), start_new_session=True, close_fds=True)
    _children[child.pid] = child
    stat = _stat(child.pid)  # the start time is the fork's: it stays through the execs
    helper = Helper(child.pid, tuple(argv), stat[1] if stat is not None else None)
    _write_record(record, helper, notes or {})
    # return once the helper runs its own command line (a second start right away must
    # see it as the helper, not as nsenter)
    deadline = time.monotonic() + 2.0
    while (_cmdline(child.pid) != tuple(argv) and child.poll() is None
           and time.monotonic() < deadline):
        time.sleep(0.001)
    return helper


def alive(helper: Helper) -> bool:
    """Still the same process (not exited, not a zombie, PID not reused)."""
    _reap()
    found = _proc(helper.pid)
    return found is not None and _is(helper, *found)


def exited(pid: int) -> bool:
    """The process is gone or a zombie (for our own children: it has exited; reading /proc
    would race with the exec that turns nsenter into the helper)."""
    child = _children.get(pid)
    if child is not None:
        return child.poll() is not None
    return _cmdline(pid) is None


def stop(helpers: Sequence[Helper], *, grace: float = 3.0) -> list[Helper]:
    """SIGTERM each helper (a DHCP client releases its lease then), wait up to ``grace``
    seconds for all, SIGKILL the rest. Returns those that needed SIGKILL."""
    for helper in helpers:
        if alive(helper):
            with contextlib.suppress(ProcessLookupError):
                os.kill(helper.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    pending = [h for h in helpers if alive(h)]
    while pending and time.monotonic() < deadline:
        time.sleep(0.02)
        pending = [h for h in pending if alive(h)]
    for helper in pending:
        with contextlib.suppress(ProcessLookupError):
            os.kill(helper.pid, signal.SIGKILL)
    for helper in pending:
        while alive(helper) and time.monotonic() < deadline + 2.0:
            time.sleep(0.01)
    return pending


def signal_helper(helper: Helper, signum: int) -> bool:
    """Send ``signum`` if the helper still runs; False if it was gone."""
    if not alive(helper):
        return False
    try:
        os.kill(helper.pid, signum)
    except ProcessLookupError:
        return False
    return True


def netns_inode(pid: int) -> int | None:
    """The network namespace a process runs in (inode), to tell clients of twin names apart."""
    try:
        return os.stat(f"/proc/{pid}/ns/net").st_ino
    except OSError:
        return None
