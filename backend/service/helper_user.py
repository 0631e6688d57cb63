"""A reading helper of a root netwrightd gives up root before it reads a byte of input.

The helper (parser.py) reads text from any user with libyaml, ruamel.yaml and pydantic: a
flaw in one of them must not hand that user root. So a helper that starts as root becomes
``nobody`` (no supplementary groups, nobody's group) with no_new_privs, and is not
dumpable (other ``nobody`` processes cannot trace it); a helper that cannot do that all
ends with a sentence that says why, and never reads as root. Root of a user namespace that
maps no other user (``netwrightd --lab``: the user's own rights) has nothing to drop.

Dropping needs CAP_SETUID and CAP_SETGID (the systemd unit's CapabilityBoundingSet keeps
them for this). Everything the reads import is imported before (parser.py), so a helper
that can no longer read the package's files (a checkout in a 0700 home) still works.
"""

from __future__ import annotations

import ctypes
import os
import pwd
from pathlib import Path

USER = "nobody"
PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38
#: /proc/self/uid_map of the initial user namespace: every uid is itself.
_WHOLE_MAP = [(0, 0, 2**32 - 1)]


class PrivilegeDropError(RuntimeError):
    """The helper runs as root and could not become unprivileged: it must not read."""


def _id_map(kind: str) -> list[tuple[int, int, int]]:
    """This user namespace's uid_map or gid_map: (first inside, first outside, count)."""
    lines = Path(f"/proc/self/{kind}_map").read_text().splitlines()
    return [(int(a), int(b), int(c)) for a, b, c in (line.split() for line in lines)]


def _mapped(ident: int, id_map: list[tuple[int, int, int]]) -> bool:
    return any(first <= ident < first + count for first, _, count in id_map)


def unprivileged_ids() -> tuple[int, int] | None:
    """The (uid, gid) a helper running as this process must take before it reads; None when
    it is not root, or root only of a user namespace where nobody else exists (the lab)."""
    if 0 not in os.getresuid():
        return None
    uid_map, gid_map = _id_map("uid"), _id_map("gid")
    try:
        user = pwd.getpwnam(USER)
    except KeyError:
        if uid_map != _WHOLE_MAP:
            return None  # root of a user namespace (the lab): its user's rights, no more
        raise PrivilegeDropError(
            f"netwrightd runs as root, and its reading helper has no user '{USER}' to become"
            f" (none in the user database): add the system user '{USER}'") from None
    if uid_map != _WHOLE_MAP and not (_mapped(user.pw_uid, uid_map)
                                      and _mapped(user.pw_gid, gid_map)):
        return None  # root of a user namespace holding only its own user: nothing to drop
    return user.pw_uid, user.pw_gid


def drop_root() -> None:
    """Become unprivileged if this process is root (see the module's opening); raise
    PrivilegeDropError, with the reason and the fix, when that cannot be done."""
    ids = unprivileged_ids()
    if ids is None:
        return
    uid, gid = ids
    try:
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
    except OSError as exc:
        raise PrivilegeDropError(
            f"netwrightd runs as root, and its reading helper could not become user '{USER}'"
            f" ({exc.strerror}): it needs CAP_SETUID and CAP_SETGID (the netwrightd unit's"
            " CapabilityBoundingSet keeps them); it reads nothing as root") from None
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    _prctl(PR_SET_DUMPABLE, 0)
    if os.getresuid() != (uid,) * 3 or os.getresgid() != (gid,) * 3 or os.getgroups():
        raise PrivilegeDropError(f"netwrightd's reading helper is still not only user '{USER}'"
                                 " after dropping root: it reads nothing")


def _prctl(option: int, value: int) -> None:
    if ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0) != 0:
        raise PrivilegeDropError(f"netwrightd's reading helper could not set prctl option"
                                 f" {option} to {value}: {os.strerror(ctypes.get_errno())}")
