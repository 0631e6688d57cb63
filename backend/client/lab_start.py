"""Starting this user's lab backend: a transient systemd user unit, or a plain process.

On a systemd desktop the lab runs as a transient user unit (``systemd-run --user``), so its
lifetime is where users look for it: ``systemctl --user status netwright-lab`` shows it,
``systemctl --user stop netwright-lab`` stops it, and the user manager ends it with the
session. Where no user manager answers (containers, sessions without logind, this CI) it is a
background process in a session of its own. Either way it logs to ``lab.log`` in the lab's
directory and stops by itself once no client has used it for a while and nothing is deployed
in it (``backend/service/idle.py``).

``NETWRIGHT_LAB_NO_UNIT=1`` asks for the plain process even where a user manager answers.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

#: The user manager's SystemState values in which it starts units. (Asked with ``systemctl
#: --user show``, not ``is-system-running``, which says "offline" whenever the caller's own
#: mount namespace lacks /run/systemd/system, whatever the manager would answer.)
MANAGER_STATES = frozenset({"running", "degraded", "starting", "initializing"})
#: How long the user manager lets the lab roll back running jobs on stop (the lab waits 60 s).
STOP_TIMEOUT_SECONDS = 75
#: Environment the unit gets from the starter (a user unit inherits the manager's otherwise).
PASSED_ENV = ("PATH", "LANG", "LC_ALL", "XDG_RUNTIME_DIR", "PYTHONPATH")
PASSED_PREFIX = "NETWRIGHT_"
NO_UNIT_ENV = "NETWRIGHT_LAB_NO_UNIT"
_UNIT_ALIVE = frozenset({"active", "activating", "reloading"})


def lab_command() -> list[str]:
    """The lab backend's command line (this interpreter, so a virtualenv's Netwright runs)."""
    return [sys.executable, "-m", "netwright.backend.service.daemon", "--lab"]


def user_manager_answers(env: Mapping[str, str] | None = None) -> bool:
    """True if a systemd user manager runs and will start a transient unit for us."""
    env = os.environ if env is None else env
    if env.get(NO_UNIT_ENV) or not shutil.which("systemd-run") or not shutil.which("systemctl"):
        return False
    try:
        answer = subprocess.run(["systemctl", "--user", "show", "--property=SystemState",
                                 "--value"],
                                capture_output=True, text=True, timeout=5, check=False,
                                env=dict(env), stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return answer.stdout.strip() in MANAGER_STATES


def unit_name(directory: Path, env: Mapping[str, str] | None = None) -> str:
    """``netwright-lab.service`` for the usual lab directory; another lab directory (no
    $XDG_RUNTIME_DIR, or a test's) gets a suffix of its own, so two never share a unit."""
    env = os.environ if env is None else env
    runtime = env.get("XDG_RUNTIME_DIR", "")
    if runtime and Path(directory) == Path(runtime) / "netwright-lab":
        return "netwright-lab.service"
    digest = hashlib.sha1(str(directory).encode()).hexdigest()[:8]
    return f"netwright-lab-{digest}.service"


def unit_command(directory: Path, env: Mapping[str, str] | None = None) -> list[str]:
    """The ``systemd-run --user`` command line that starts the lab as a transient unit.

    KillMode=mixed: stop sends SIGTERM to the lab alone, which stops its own helpers
    (dnsmasq, DHCP clients, its bus) in order; only what is left after it exits is killed.
    """
    env = os.environ if env is None else env
    log = Path(directory) / "lab.log"
    argv = ["systemd-run", "--user", f"--unit={unit_name(directory, env)}",
            "--description=Netwright lab backend (an emulated network, no root)",
            "--collect", "--quiet", "--working-directory=/",
            "--property=KillMode=mixed", f"--property=TimeoutStopSec={STOP_TIMEOUT_SECONDS}",
            f"--property=StandardOutput=append:{log}",
            f"--property=StandardError=append:{log}"]
    passed = {key: value for key, value in env.items()
              if key in PASSED_ENV or key.startswith(PASSED_PREFIX)}
    argv += [f"--setenv={key}={value}" for key, value in sorted(passed.items())]
    return [*argv, "--", *lab_command()]


@dataclass
class LabStart:
    """A lab being started: as ``unit`` (its name) or as ``process``."""

    unit: str | None = None
    process: subprocess.Popen[bytes] | None = None
    _checked: float = field(default=0.0, repr=False)
    _ended: bool = field(default=False, repr=False)

    def ended(self) -> bool:
        """The lab this started is gone already (it failed, or lost a race for the lock)."""
        if self.process is not None:
            return self.process.poll() is not None
        if self._ended or time.monotonic() - self._checked < 0.5:
            return self._ended
        self._checked = time.monotonic()
        state = subprocess.run(["systemctl", "--user", "is-active", str(self.unit)],
                               capture_output=True, text=True, timeout=5, check=False,
                               stdin=subprocess.DEVNULL).stdout.strip()
        self._ended = state not in _UNIT_ALIVE
        return self._ended


def start_lab(directory: Path) -> LabStart:
    """Start ``netwrightd --lab`` in the background: a user unit if possible, else a process."""
    if user_manager_answers():
        command = unit_command(directory)
        try:
            started = subprocess.run(command, capture_output=True, text=True, timeout=30,
                                     check=False, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as exc:
            _note(directory, f"systemd-run failed ({exc}); starting the lab as a process")
        else:
            if started.returncode == 0:
                return LabStart(unit=unit_name(directory))
            _note(directory, f"systemd-run said: {started.stderr.strip()[-300:]};"
                             " starting the lab as a process")
    return LabStart(process=start_lab_process(directory))


def start_lab_process(directory: Path) -> subprocess.Popen[bytes]:
    """``netwrightd --lab`` in the background, in a session of its own, logging to lab.log."""
    with (directory / "lab.log").open("ab") as log:
        return subprocess.Popen(lab_command(), stdin=subprocess.DEVNULL, stdout=log,
                                stderr=log, start_new_session=True, cwd="/",
                                env={**os.environ})


def _note(directory: Path, text: str) -> None:
    with (directory / "lab.log").open("a", encoding="utf-8") as log:
        log.write(f"netwright: {text}\n")
