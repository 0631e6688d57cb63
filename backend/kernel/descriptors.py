"""How many files this process may open: the soft limit, raised to what the work needs.

The usual soft limit is 1,024 (systemd's default for services and login sessions, kept that
low for programs that still use select()); the hard limit is far higher. An apply holds a
descriptor of each of its namespaces and a netlink socket in each, a check three sockets per
namespace it probes from: 500 namespaces need more than 1,024. Raising the soft limit up to
the hard one is what the hard limit is for; the one library here that waits with select(),
libnftables, is kept off high descriptors (``nft.binding``).
"""

from __future__ import annotations

import contextlib
import resource
import sys
import threading
from collections.abc import Iterator

PER_NAMESPACE = 2  # an apply's: the namespace's file and a netlink socket inside it
SPARE = 128  # the process's own: D-Bus, journals, state files, helper pipes, nftables
UNLIMITED_CEILING = 1 << 20  # the kernel's default fs.nr_open, where the hard limit has none
OWN = 64  # held by the process whatever runs: its bus connections, logs, thread pipes


class _Ledger:
    """What the operations ``admitted`` now may hold together."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.held = 0


_LEDGER = _Ledger()


PER_PROBED_NAMESPACE = 4  # a check's: echo sockets (IPv4, IPv6), a netlink socket to pin
                          # neighbours, the namespace's file while they are opened
PROBED_BESIDE = 2  # the places a check probes from besides the namespaces: host, outside
CAPTURE_NEEDS = 8  # a capture's: packet socket, the caller's file, the pipe to its writer
                   # and the writer's error pipe, the namespace's file while it opens


def apply_needs(namespaces: int) -> int:
    """The open files an apply of ``namespaces`` namespaces holds at most (a plan, a status
    and a recovery hold as many: each observes every namespace)."""
    return PER_NAMESPACE * namespaces + SPARE


def check_needs(namespaces: int) -> int:
    """The open files a check of a topology of ``namespaces`` namespaces holds at most."""
    return PER_PROBED_NAMESPACE * (namespaces + PROBED_BESIDE) + SPARE


def allow_open_files(needed: int | None = None) -> int:
    """Raise the soft limit to ``needed`` (None: as far as the hard limit goes) where the
    hard limit allows; the soft limit now in force (``sys.maxsize`` when unlimited)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return sys.maxsize
    ceiling = UNLIMITED_CEILING if hard == resource.RLIM_INFINITY else hard
    wanted = ceiling if needed is None else min(needed, ceiling)
    if soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError):
            return soft
        soft = wanted
    return soft


class Crowded(Exception):  # noqa: N818 (reads as the reason)
    """The operations running now may hold so many files that one more would not fit."""

    def __init__(self, needed: int, held: int, allowed: int) -> None:
        super().__init__(f"{needed} open files wanted, {held} held of {allowed}")
        self.needed, self.held, self.allowed = needed, held, allowed


def set_aside() -> int:
    """The open files the operations admitted now have set aside together (``admitted``)."""
    with _LEDGER.lock:
        return _LEDGER.held


@contextlib.contextmanager
def admitted(needed: int) -> Iterator[None]:
    """Run with ``needed`` open files set aside for the caller, or raise Crowded (before
    anything is opened) when the operations running now in this process (netwrightd's jobs
    and readers run side by side in threads) already set aside so many that it would not
    fit under the limit. Without this, each fitting alone, two large applies at once ran
    out of files half-way, and took other users' calls down with them."""
    allowed = allow_open_files()
    with _LEDGER.lock:
        if _LEDGER.held + needed > allowed - OWN:
            raise Crowded(needed, _LEDGER.held, allowed)
        _LEDGER.held += needed
    try:
        yield
    finally:
        with _LEDGER.lock:
            _LEDGER.held -= needed
