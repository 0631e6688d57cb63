"""Helper processes (DHCP clients, the lab's dnsmasq): start inside a namespace, find, stop.

A helper's own command line says whose it is: it names a file under a directory Netwright
owns (``-p <state>/dhcp/<topology>/<key>.pid``, ``--pid-file=<lab>/dnsmasq.pid``). So the
running processes themselves are the record: after a crash (kill -9 between starting a
client and writing anything down) a restarted backend still finds every helper it started
by reading ``/proc/*/cmdline`` and stops it by PID. Nothing is ever matched by program name
alone, and nothing outside our directory is touched.

Helpers are started with ``nsenter --net=/run/netns/<name>`` (util-linux: it enters the
namespace and execs, so the PID we get is the helper's), in a session of their own so a
terminal's Ctrl-C or the backend's death does not reach them: a lease stays renewed while
the backend restarts.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

RUN_NETNS = Path("/run/netns")
_children: dict[int, subprocess.Popen[bytes]] = {}
"""Helpers this process started: polled so that none stays a zombie."""


@dataclass(frozen=True)
class Helper:
    """A running helper: its PID and the command line it runs."""

    pid: int
    argv: tuple[str, ...]

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


def _cmdline(pid: int) -> tuple[str, ...] | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None
    if state in ("Z", "X") or not raw:
        return None  # a zombie has run its course (and has no command line left)
    return tuple(part.decode("utf-8", "replace") for part in raw.rstrip(b"\0").split(b"\0"))


def find(flag: str, under: Path) -> Iterator[tuple[Helper, Path]]:
    """Live processes whose ``flag`` names a file below ``under``, with that file's path."""
    _reap()
    root = str(under.resolve()) + os.sep
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        argv = _cmdline(int(entry.name))
        if argv is None:
            continue
        helper = Helper(int(entry.name), argv)
        value = helper.option_value(flag)
        if value is not None and value.startswith(root):
            yield helper, Path(value)


def spawn(argv: Sequence[str], netns: str | None, *, env: Mapping[str, str],
          log: Path) -> int:
    """Start ``argv`` inside namespace ``netns`` (None: ours), output appended to ``log``."""
    _reap()
    command = list(argv)
    if netns is not None:
        command = ["nsenter", f"--net={RUN_NETNS / netns}", "--", *command]
    with open(log, "ab") as out:
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                 env=dict(env), start_new_session=True, close_fds=True)
    _children[child.pid] = child
    # return once the helper runs its own command line, so ``find`` sees it from now on (a
    # second start right away must not start a twin)
    deadline = time.monotonic() + 2.0
    while (_cmdline(child.pid) != tuple(argv) and child.poll() is None
           and time.monotonic() < deadline):
        time.sleep(0.001)
    return child.pid


def alive(helper: Helper) -> bool:
    """Still running the same command line (not exited, not a zombie, PID not reused)."""
    _reap()
    return _cmdline(helper.pid) == helper.argv


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
