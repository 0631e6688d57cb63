"""A real systemd user manager (``systemd --user``) for one test user, on a machine without one.

The test machines run no systemd, but have its binaries. A user manager starts when (1) the
process sees /run/systemd/system, which a booted systemd creates (here: a tmpfs over
/run/systemd in a private mount namespace), and (2) it owns a cgroup it may write (here: one
made for it in each hierarchy systemd uses, chowned to the user). It then listens on
$XDG_RUNTIME_DIR/systemd/private, where ``systemctl --user`` and ``systemd-run --user`` of
that user find it from anywhere. Stopped by its PID; its cgroups are removed afterwards.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

SYSTEMD = Path("/lib/systemd/systemd")
CGROUPS = Path("/sys/fs/cgroup")

_START = """
set -e
mount -t tmpfs -o mode=755 netwright-test-systemd /run/systemd
mkdir /run/systemd/system
for dir in $CGROUP_DIRS; do
  mkdir -p "$dir/$CGROUP_NAME"
  chown -R "$USER_UID:$USER_GID" "$dir/$CGROUP_NAME"
  echo $$ > "$dir/$CGROUP_NAME/cgroup.procs"
done
exec setpriv --reuid="$USER_UID" --regid="$USER_GID" --clear-groups -- env -i \
  PATH=/usr/bin:/bin XDG_RUNTIME_DIR="$RUNTIME" HOME="$RUNTIME" \
  "$SYSTEMD" --user --log-target=console
"""


def _hierarchies() -> list[Path]:
    """Where systemd keeps its cgroups: the unified and named hierarchies (hybrid), or the
    root of a pure cgroup2 mount."""
    if (CGROUPS / "cgroup.procs").exists():
        return [CGROUPS]
    return [CGROUPS / name for name in ("unified", "systemd") if (CGROUPS / name).is_dir()]


class UserManager:
    """``systemd --user`` of ``user`` with a private $XDG_RUNTIME_DIR (``self.runtime``)."""

    def __init__(self, user: str) -> None:
        if not SYSTEMD.exists() or not shutil.which("systemd-run"):
            pytest.skip("systemd is not installed: install the systemd package")
        entry = pwd.getpwnam(user)
        self.user, self.uid, self.gid = user, entry.pw_uid, entry.pw_gid
        self.runtime = Path(tempfile.mkdtemp(prefix="netwright-usermgr-"))
        os.chown(self.runtime, self.uid, self.gid)
        self.cgroup = f"netwright-test-usermgr-{os.getpid()}-{time.monotonic_ns()}"
        self.log = self.runtime.with_name(self.runtime.name + ".log")
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "RUNTIME": str(self.runtime),
               "USER_UID": str(self.uid), "USER_GID": str(self.gid), "SYSTEMD": str(SYSTEMD),
               "CGROUP_NAME": self.cgroup,
               "CGROUP_DIRS": " ".join(str(h) for h in _hierarchies())}
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", _START],
                env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        deadline = time.monotonic() + 30
        while self.systemctl("show", "--property=SystemState", "--value").strip() not in (
                "running", "degraded"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"systemd --user did not start: {self.log_text()}")
            time.sleep(0.1)

    @property
    def env(self) -> dict[str, str]:
        """What a process of the user needs to find this manager (and the lab under it)."""
        return {"XDG_RUNTIME_DIR": str(self.runtime)}

    def systemctl(self, *args: str) -> str:
        return subprocess.run(
            ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", "--clear-groups", "--",
             "env", "-i", "PATH=/usr/bin:/bin", f"XDG_RUNTIME_DIR={self.runtime}",
             "systemctl", "--user", *args],
            capture_output=True, text=True, timeout=30, check=False, cwd="/").stdout

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        for hierarchy in _hierarchies():  # deepest first; systemd removed what it could
            top = hierarchy / self.cgroup
            if top.is_dir():
                for path in sorted((p for p in top.rglob("*") if p.is_dir()),
                                   key=lambda p: -len(p.parts)):
                    path.rmdir()
                top.rmdir()
        shutil.rmtree(self.runtime, ignore_errors=True)
        self.log.unlink(missing_ok=True)
