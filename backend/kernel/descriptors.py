"""How many files this process may open: the soft limit, raised to what the work needs.

The usual soft limit is 1,024 (systemd's default for services and login sessions, kept that
low for programs that still use select()); the hard limit is far higher. An apply holds a
descriptor of each of its namespaces and a netlink socket in each, a check three sockets per
namespace it probes from: 500 namespaces need more than 1,024. Raising the soft limit up to
the hard one is what the hard limit is for; the one library here that waits with select(),
libnftables, is kept off high descriptors (``nft.binding``).
"""

from __future__ import annotations

import resource
import sys

PER_NAMESPACE = 2  # an apply's: the namespace's file and a netlink socket inside it
SPARE = 128  # the process's own: D-Bus, journals, state files, helper pipes, nftables
UNLIMITED_CEILING = 1 << 20  # the kernel's default fs.nr_open, where the hard limit has none


def apply_needs(namespaces: int) -> int:
    """The open files an apply of ``namespaces`` namespaces holds at most."""
    return PER_NAMESPACE * namespaces + SPARE


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
