"""netwrightd run from a copy of ``netwright.backend``, on a private bus, in a namespace of
its own: the copy can be "upgraded" (tests/tools/code_copy.py) and the daemon restarted from
it, as systemd or D-Bus activation would, without touching the checkout other runs use.

No polkit: only root can reach that bus here. The session's daemon owns the name on the
shared private system bus; this one owns it on its own bus (``address``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from svc_bus import name_has_owner, start_system_bus
from svc_daemon import PYTHON, start_host
from svc_processes import Started, start, wait_until

from tests.tools.code_copy import copy_backend

BUS_NAME = "io.netwright.Backend1"


class CopiedDaemon:
    """netwrightd from a copy of the package, on a private bus, in a namespace of its own.

    ``args``: more netwrightd arguments (``--target lab``); ``env``: more environment;
    ``prepare``: called with the copied package before the first netwrightd starts (to make
    it an older one)."""

    def __init__(self, run_dir: Path, args: tuple[str, ...] = (),
                 env: dict[str, str] | None = None,
                 prepare: Callable[[Path], None] | None = None) -> None:
        self.run_dir = run_dir
        self.package = copy_backend(run_dir / "code")
        if prepare is not None:
            prepare(self.package)
        self.bus, self.address = start_system_bus(run_dir)
        self.host = start_host(run_dir)
        self.args = args
        self.env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "PYTHONUNBUFFERED": "1",
                    "PYTHONPATH": str(run_dir / "code"), **(env or {})}
        self.count = 0
        self.daemon = self.start()

    def start(self) -> Started:
        """Start a netwrightd from the copy (as it is now) and wait until it owns its name."""
        self.count += 1
        self.daemon = start(f"netwrightd-copy-{self.count}", [
            "nsenter", f"--target={self.host.pid}", "--net", "--mount", "--root", "--wd",
            "--", PYTHON, "-m", "netwright.backend.service.daemon", "--bus", self.address,
            "--no-polkit", "--state-dir", str(self.run_dir / "state"), *self.args],
            self.run_dir, self.env)
        wait_until(lambda: name_has_owner(self.address, BUS_NAME), 60,
                   "the copied netwrightd to own its name", self.daemon)
        return self.daemon

    def restart(self) -> Started:
        """Stop this netwrightd (SIGTERM) and start the next from the copy, as systemd does."""
        self.daemon.stop(timeout=60)
        wait_until(lambda: not name_has_owner(self.address, BUS_NAME), 30,
                   "the copied netwrightd to let go of its name", self.daemon)
        return self.start()

    def close(self) -> None:
        for started in (self.daemon, self.host.holder, self.bus):
            started.stop()
