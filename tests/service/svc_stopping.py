"""A netwrightd kept stopping while the test works: SIGTERM once a call waits on polkit.

A stopping netwrightd waits (up to 10 s) for the calls in progress; one the held user makes
waits on polkit (svc_polkit.PolkitHold) as long as the test holds it, so the daemon stays
stopping until the test lets polkit answer. polkitd answers nobody else meanwhile.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator

from svc_daemon import Daemon
from svc_polkit import PolkitHold


@contextlib.contextmanager
def sigterm_while_held(daemon: Daemon, hold: PolkitHold,
                       waiting: subprocess.Popen[str]) -> Iterator[None]:
    """SIGTERM ``daemon`` once the call of ``waiting`` (a process of the held user: a
    command, or a caller) waits on polkit; the block runs while the daemon stops.
    ``waiting`` is killed if the block fails (a caller is started anew when next asked for)."""
    assert daemon.started is not None
    try:
        hold.wait_until_asked(60, waiting)
        os.kill(daemon.started.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while "stopping on SIGTERM" not in daemon.log():
            assert time.monotonic() < deadline, daemon.log()[-3000:]
            time.sleep(0.05)
        yield
    except BaseException:
        waiting.kill()
        waiting.wait()
        raise
