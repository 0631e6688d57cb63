"""The `netwright` command line run as a test user, with a clean environment."""

from __future__ import annotations

import pwd
import subprocess
from pathlib import Path

from svc_daemon import PYTHON

NETWRIGHT = str(Path(PYTHON).with_name("netwright"))
NO_SYSTEM_BUS = "unix:path=/nonexistent"


def as_user(user: str, argv: list[str], address: str = NO_SYSTEM_BUS,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` as ``user`` with only PATH, the system bus address and ``env`` set."""
    entry = pwd.getpwnam(user)
    extra = [f"{key}={value}" for key, value in (env or {}).items()]
    return subprocess.run(
        ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--init-groups",
         "--", "env", "-i", "PATH=/usr/bin:/bin", f"DBUS_SYSTEM_BUS_ADDRESS={address}",
         *extra, *argv], capture_output=True, text=True, check=False, timeout=120, cwd="/",
    )
