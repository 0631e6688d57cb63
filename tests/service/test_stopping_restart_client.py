"""The asyncio client (the designer's, the command line's fallback) across a netwrightd restart.

test_stopping_restart_cli.py holds the blocking client to the rule: a read that the stopping
system netwrightd refused (io.netwright.Error.Stopping) waits for the next one and is made
again there, once; a refused change is not made again, and says so. BackendClient failed at
once instead ("netwrightd is stopping: …"), so the designer showed "status unknown" for a
status asked during `systemctl restart netwrightd`. It now follows the same rule, in the same
words. And a long-lived client keeps hearing the backend across the restart: StateChanged
from the next netwrightd reaches its listeners, its own job's signals end the job, and its
restart listeners hear once that a new netwrightd owns the name (the designer then asks its
status again: what the recovery left, what failed while nobody owned the name).

The client runs as an unprivileged user (svc_client_run.py); the old daemon stays stopping
while a held call waits on polkit (svc_stopping), and the test starts the next netwrightd
itself, as systemd would.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from svc_callers import CLIENT_SCRIPT
from svc_cli import NETWRIGHT, as_user, as_user_background
from svc_daemon import PYTHON
from svc_polkit import USER_ALLOWED
from svc_stopping import ended, refused_during_stop, wait_for

from netwright.backend.client.restart import STOPPING_WAIT_SECONDS, not_resent_sentence


def _snippet(body: str) -> list[str]:
    """argv of a BackendClient snippet on the system backend (svc_client_run.py)."""
    return [PYTHON, str(CLIENT_SCRIPT), "system", body]


def _outcome(command: subprocess.Popen[str], timeout: float = 60) -> dict[str, Any]:
    out, err = command.communicate(timeout=timeout)
    assert command.returncode == 0 and out.strip(), err
    outcome: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return outcome


@pytest.mark.usefixtures("users")
def test_a_read_the_stopping_netwrightd_refused_is_answered_by_the_next(
        running, system_bus, service_run_dir, caller_factory) -> None:
    command = refused_during_stop(running, system_bus, service_run_dir, caller_factory,
                                  argv=_snippet("return await client.plan(seed)"),
                                  member="Plan")
    try:
        assert command.poll() is None, command.communicate()  # waiting, not failed
        running.start()  # systemd's restart starts the next netwrightd (the old one exited)
        outcome = _outcome(command)
        assert "raised" not in outcome, outcome
        assert outcome["value"]["steps"], outcome  # the plan, from the next netwrightd
    finally:
        ended(command)
        running.ensure()


@pytest.mark.usefixtures("users")
def test_a_change_the_stopping_netwrightd_refused_is_not_sent_again(
        running, system_bus, service_run_dir, caller_factory) -> None:
    command = refused_during_stop(running, system_bus, service_run_dir, caller_factory,
                                  argv=_snippet("return await client.apply(seed)"),
                                  member="Apply")
    try:
        assert command.poll() is None, command.communicate()
        new = running.start()
        outcome = _outcome(command)
        # the command line's words (oneshot.py), from the same function
        said = not_resent_sentence("Apply", "a new one", STOPPING_WAIT_SECONDS)
        assert outcome == {"raised": "BackendStoppingError", "message": said}, outcome
        time.sleep(0.5)
        assert "Apply" not in new.log_text() and "apply" not in new.log_text()
    finally:
        ended(command)
        running.ensure()


LISTENING = """
import asyncio, sys
heard = []
changed = asyncio.Event()
def on_state(topology, state):
    heard.append([topology, state])
    changed.set()
client.state_listeners.append(on_state)
restarted = []
client.restart_listeners.append(lambda: restarted.append(True))
print("listening", file=sys.stderr, flush=True)
await asyncio.wait_for(changed.wait(), 60)
result = await client.destroy("resub")  # a job of the next netwrightd: its signals end it
return {"heard": heard, "removed": len(result.plan.steps), "restarts": len(restarted)}
"""


@pytest.fixture
def resub() -> Iterator[Path]:
    """A design file the test users can read."""
    directory = Path(tempfile.mkdtemp(prefix="netwright-resub-"))
    directory.chmod(0o755)
    path = directory / "resub.yaml"
    path.write_text("netwright: 1\nname: resub\nnamespaces:\n  rs: {}\n")
    path.chmod(0o644)
    yield path
    shutil.rmtree(directory, ignore_errors=True)


@pytest.mark.timeout(300)
@pytest.mark.usefixtures("users")
def test_a_long_lived_client_hears_the_next_netwrightd(running, system_bus,
                                                        resub: Path) -> None:
    client = as_user_background(USER_ALLOWED, _snippet(LISTENING), address=system_bus)
    try:
        assert client.stderr is not None
        assert client.stderr.readline() == "listening\n", client.communicate()
        old = running.started
        assert old is not None
        os.kill(old.pid, signal.SIGTERM)  # systemctl restart: the stop, then the start
        assert old.process.wait(90) == 0, old.log_text()[-3000:]
        running.start()
        applied = as_user(USER_ALLOWED, [NETWRIGHT, "apply", "--yes", str(resub)],
                          address=system_bus)
        assert applied.returncode == 0, applied.stderr
        wait_for(lambda: client.poll() is not None, "the client to end", 120)
        outcome = _outcome(client)
        assert outcome.get("value", {}).get("heard", [None])[0] == ["resub", "deployed"], outcome
        assert outcome["value"]["removed"] > 0, outcome
        assert outcome["value"]["restarts"] == 1, outcome  # the designer asks again then
    finally:
        ended(client)
        running.ensure()
        as_user(USER_ALLOWED, [NETWRIGHT, "destroy", "resub"], address=system_bus)
