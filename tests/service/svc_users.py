"""Unprivileged test users, created once with useradd and reused between runs.

They have no home and no login shell; clients run as them through ``runuser``. They are
ordinary accounts, so polkit sees real uids and the bus policy treats them like anyone else.
"""

from __future__ import annotations

import pwd
import subprocess


def ensure_user(name: str, groups: tuple[str, ...] = ()) -> int:
    """Create ``name`` (in the supplementary ``groups``, which must exist) if missing."""
    try:
        return pwd.getpwnam(name).pw_uid
    except KeyError:
        pass
    extra = ["--groups", ",".join(groups)] if groups else []
    result = subprocess.run(
        ["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", *extra, name],
        capture_output=True, text=True, check=False,
    )
    if result.returncode not in (0, 9):  # 9: created meanwhile by a parallel run
        raise RuntimeError(f"useradd {name} failed: {result.stderr.strip()}")
    return pwd.getpwnam(name).pw_uid
