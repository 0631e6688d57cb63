"""A call still in flight when netwrightd stops starts no job: it is refused, in a sentence.

SIGTERM cancels the jobs that run and waits for them; a call that polkit was still asking
about then (a password prompt open) went on once it was answered and started its job after
the others had stopped, and the end of the daemon's loop cancelled that job half-way, for
the next netwrightd's recovery to finish. polkit keeps the held user's Apply waiting here
(svc_polkit.PolkitHold) while the test sends SIGTERM, then answers yes. Every check reads
the kernel of the daemon's host namespace, not what the daemon says.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from svc_callers import run_client
from svc_cli import NETWRIGHT, as_user_background
from svc_polkit import USER_ALLOWED, USER_HELD, polkit_hold

SEED_FILE = Path(__file__).parent / "data" / "seed-macvlan.yaml"
REFUSED = ("netwright: netwrightd is stopping: nothing was changed; try again once it is"
           " back\n")


def test_an_apply_polkit_answers_after_sigterm_is_refused_and_changes_nothing(
        running, host, system_bus, service_run_dir, users) -> None:
    before = host.snapshot()
    assert running.started is not None
    daemon = running.started
    with polkit_hold(service_run_dir) as hold:
        command = as_user_background(USER_HELD, [NETWRIGHT, "apply", "--yes", str(SEED_FILE)],
                                     address=system_bus)
        try:
            hold.wait_until_asked(60, command)  # the Apply waits on polkit
            os.kill(daemon.pid, signal.SIGTERM)
            deadline = time.monotonic() + 30
            while "stopping on SIGTERM" not in daemon.log_text():
                assert time.monotonic() < deadline, daemon.log_text()[-3000:]
                time.sleep(0.05)
        except BaseException:
            command.kill()
            command.wait()
            raise
    _out, err = command.communicate(timeout=90)  # polkit has said yes: the Apply goes on
    assert daemon.process.wait(90) == 0
    log = daemon.log_text()
    assert (command.returncode, err) == (1, REFUSED), (err, log[-3000:])
    assert "not starting the apply of topology seed for uid" in log, log[-3000:]
    assert "job apply-seed" not in log, log[-3000:]
    assert host.snapshot() == before  # nothing half made for a recovery to finish

    again = running.start()  # a next netwrightd finds nothing to recover, nor deployed
    assert "recovered interrupted jobs" not in again.log_text()
    status = run_client(USER_ALLOWED, system_bus, "return await client.status('seed')")
    assert status.get("raised") == "NotDeployed" or status["value"]["deployed"] is False, status
