"""The `netwright` command line run as a test user, with a clean environment."""

from __future__ import annotations

import pwd
import subprocess
from pathlib import Path

from svc_daemon import PYTHON

NETWRIGHT = str(Path(PYTHON).with_name("netwright"))
NO_SYSTEM_BUS = "unix:path=/nonexistent"


def sigint_ignored(argv: list[str]) -> list[str]:
    """``argv`` started as a non-interactive script's ``argv &`` starts it: with SIGINT (and
    nothing else) ignored, which POSIX sh does for an asynchronous command when job control is
    off, and which the command inherits through exec. Still the same process: sh execs it."""
    return ["sh", "-c", 'trap "" INT && exec "$@"', "sh", *argv]


def user_argv(user: str, argv: list[str], address: str = NO_SYSTEM_BUS,
              env: dict[str, str] | None = None) -> list[str]:
    """``argv`` as ``user``, with only PATH, the system bus address and ``env`` set."""
    entry = pwd.getpwnam(user)
    extra = [f"{key}={value}" for key, value in (env or {}).items()]
    return ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--init-groups",
            "--", "env", "-i", "PATH=/usr/bin:/bin", f"DBUS_SYSTEM_BUS_ADDRESS={address}",
            *extra, *argv]


def as_user(user: str, argv: list[str], address: str = NO_SYSTEM_BUS,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` as ``user`` (see ``user_argv``) and wait for it."""
    return subprocess.run(user_argv(user, argv, address, env), capture_output=True, text=True,
                          check=False, timeout=120, cwd="/")


def as_user_background(user: str, argv: list[str], env: dict[str, str] | None = None,
                       address: str = NO_SYSTEM_BUS) -> subprocess.Popen[str]:
    """``as_user``, started and not waited for (its output in ``communicate()``)."""
    return subprocess.Popen(user_argv(user, argv, address, env), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd="/")
