"""A command that a restarting system netwrightd refuses waits for the next one.

While systemd restarts netwrightd (`systemctl restart`, or a restart after a failure), the
stopping daemon refuses what it no longer serves (io.netwright.Error.Stopping), and a command
such as `netwright plan` failed at once with "netwrightd is stopping: …", although the next
netwrightd was a moment away. Now the blocking client waits for the bus name to pass to a
new netwrightd and makes a read again there, once, saying nothing; if none comes it names the
service and how long it waited. A change (here `destroy`) is not sent again by itself: the
command says that nothing was done and that running it again makes it on the new one.

The old daemon stays stopping while a call of the held user waits on polkit
(svc_stopping.sigterm_while_held); the test then starts the next netwrightd itself, as systemd
would. The commands run as an unprivileged user, from a shell's point of view (exit status,
standard output and error).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from svc_cli import NETWRIGHT
from svc_stopping import ended, refused_during_stop

from netwright.backend.client.restart import (
    STOPPING_WAIT_SECONDS,
    not_back_sentence,
)

DESIGN = "netwright: 1\nname: waited\nnamespaces:\n  wa: {}\n"


@pytest.fixture
def design() -> Iterator[Path]:
    """A design file the test users can read."""
    directory = Path(tempfile.mkdtemp(prefix="netwright-waited-"))
    directory.chmod(0o755)
    path = directory / "waited.yaml"
    path.write_text(DESIGN)
    path.chmod(0o644)
    yield path
    shutil.rmtree(directory, ignore_errors=True)


@pytest.mark.usefixtures("users")
def test_a_read_the_stopping_netwrightd_refused_is_made_again_on_the_next(
        running, system_bus, service_run_dir, caller_factory, design: Path) -> None:
    command = refused_during_stop(running, system_bus, service_run_dir, caller_factory,
                                   argv=[NETWRIGHT, "plan", str(design)], member="Plan")
    try:
        assert command.poll() is None, command.communicate()  # still waiting, not failed
        running.start()  # systemd's restart starts the next netwrightd
        out, err = command.communicate(timeout=60)
        assert (command.returncode, err) == (0, ""), (err, running.log()[-3000:])
        assert "waited" in out and "wa" in out, out  # the plan, from the new netwrightd
    finally:
        ended(command)
        running.ensure()


@pytest.mark.usefixtures("users")
def test_a_read_whose_netwrightd_does_not_come_back_says_what_it_waited_for(
        running, system_bus, service_run_dir, caller_factory, design: Path) -> None:
    command = refused_during_stop(running, system_bus, service_run_dir, caller_factory,
                                   argv=[NETWRIGHT, "plan", str(design)], member="Plan")
    try:
        began = time.monotonic()
        _out, err = command.communicate(timeout=60)
        assert command.returncode == 1, err
        assert err == f"netwright: {not_back_sentence(STOPPING_WAIT_SECONDS)}\n", err
        assert "io.netwright.Backend1 on the system bus" in err
        assert time.monotonic() - began < STOPPING_WAIT_SECONDS + 5
    finally:
        ended(command)
        running.ensure()


@pytest.mark.usefixtures("users")
def test_a_change_the_stopping_netwrightd_refused_is_not_sent_again_by_itself(
        running, system_bus, service_run_dir, caller_factory) -> None:
    command = refused_during_stop(running, system_bus, service_run_dir, caller_factory,
                                   argv=[NETWRIGHT, "destroy", "nothere"], member="Destroy")
    try:
        assert command.poll() is None, command.communicate()
        new = running.start()
        _out, err = command.communicate(timeout=60)
        assert command.returncode == 1, err
        assert err.startswith(
            "netwright: netwrightd (io.netwright.Backend1 on the system bus) was stopping and"
            " refused the destroy before doing anything (nothing was changed); it was not sent"
            " again by itself"), err
        assert err.endswith("a new one runs now: run the command again to make it there\n"), err
        time.sleep(0.5)
        assert "Destroy" not in new.log_text() and "destroy" not in new.log_text()
    finally:
        ended(command)
        running.ensure()
