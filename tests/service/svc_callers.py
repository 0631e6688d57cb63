"""The test side of svc_caller.py: one long-lived caller process per test user."""

from __future__ import annotations

import json
import os
import pwd
import subprocess
from pathlib import Path
from typing import Any

from svc_daemon import PYTHON

CALLER_SCRIPT = Path(__file__).with_name("svc_caller.py")


class Caller:
    """Sends JSON requests to a svc_caller.py running as ``user`` (None = root)."""

    def __init__(self, user: str | None, address: str, log: Path) -> None:
        self.user = user
        prefix: list[str] = []
        if user is not None:
            entry = pwd.getpwnam(user)
            prefix = ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}",
                      "--init-groups", "--"]
        env = {"PATH": "/usr/bin:/bin", "DBUS_SYSTEM_BUS_ADDRESS": address,
               "PYTHONDONTWRITEBYTECODE": "1"}
        with log.open("ab") as errors:
            self.process = subprocess.Popen(
                [*prefix, PYTHON, str(CALLER_SCRIPT)], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=errors, env=env, cwd="/", text=True,
            )

    def request(self, **request: Any) -> dict[str, Any]:
        self.ask(**request)
        return self.answer()

    def ask(self, **request: Any) -> None:
        """Send a request and return at once: ``answer`` reads its answer (a flood runs
        while the test does something else)."""
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()

    def answer(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the caller for {self.user} exited ({self.process.poll()})")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def call(self, member: str, signature: str = "", *body: Any, **extra: Any) -> dict[str, Any]:
        return self.request(op="call", member=member, signature=signature, body=list(body),
                            **extra)

    def stop(self) -> None:
        """Close its stdin (it exits), then make sure, by PID."""
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, 9)
                self.process.wait(5)


NETWRIGHT = str(Path(PYTHON).with_name("netwright"))


def start_command(user: str, argv: list[str], address: str) -> subprocess.Popen[str]:
    """Start ``argv`` as ``user`` with only the bus address in its environment; the test
    reads its stderr (``communicate``) when it chooses. Its stdout is dropped: nobody reads
    it meanwhile, and a long plan would fill the pipe and stop the command."""
    entry = pwd.getpwnam(user)
    return subprocess.Popen(
        ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--init-groups",
         "--", "env", "-i", "PATH=/usr/bin:/bin", f"DBUS_SYSTEM_BUS_ADDRESS={address}",
         *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd="/",
    )


CLIENT_SCRIPT = Path(__file__).with_name("svc_client_run.py")


def run_client(user: str | None, address: str, body: str, *, which: str = "system",
               timeout: float = 120, env: dict[str, str] | None = None,
               open_files: int | None = None) -> dict[str, Any]:
    """Run a BackendClient snippet (svc_client_run.py) as ``user``; return its JSON outcome.
    ``open_files``: the client's limit on them, soft and hard (as a login's ``ulimit -n``;
    a lab it starts inherits it)."""
    prefix: list[str] = []
    if user is not None:
        entry = pwd.getpwnam(user)
        prefix = ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}",
                  "--init-groups", "--"]
    if open_files is not None:
        prefix = ["prlimit", f"--nofile={open_files}:{open_files}", "--", *prefix]
    env = {"PATH": "/usr/bin:/bin", "DBUS_SYSTEM_BUS_ADDRESS": address,
           "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    result = subprocess.run(
        [*prefix, PYTHON, str(CLIENT_SCRIPT), which, body], capture_output=True, text=True,
        env=env, cwd="/", timeout=timeout, check=False,
    )
    if result.returncode != 0 or not result.stdout.strip():
        raise RuntimeError(f"client snippet failed ({result.returncode}): {result.stderr}")
    outcome: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return outcome
