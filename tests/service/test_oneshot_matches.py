"""The blocking client (client/oneshot.py) sends a job's match rules with the job's call.

It does not wait for each AddMatch's reply before asking for the job (one bus round trip
each, issue 23); the bus handles a connection's messages in order, so the rules hold before
the job can signal. If the bus refuses a rule, the job's signals could never arrive: the
command must say so instead of waiting for them forever. A real dbus-daemon that allows one
match rule per connection refuses the second.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from svc_processes import start, wait_until

from netwright.backend.client.oneshot import SystemBackend
from netwright.backend.service.errors import BackendUnavailableError
from tests.tools.private_bus import write_system_bus_config


@contextlib.contextmanager
def _bus_with_one_match_rule() -> Iterator[str]:
    run_dir = Path(tempfile.mkdtemp(prefix="netwright-matches-"))
    config, socket = write_system_bus_config(run_dir, None)
    config.write_text(config.read_text().replace(
        "</busconfig>", '<limit name="max_match_rules_per_connection">1</limit>\n</busconfig>'))
    bus = start("dbus-daemon", ["dbus-daemon", f"--config-file={config}", "--nofork",
                                "--nopidfile"], run_dir)
    try:
        wait_until(socket.exists, 10, "the bus socket", bus)
        yield f"unix:path={socket}"
    finally:
        bus.stop()
        shutil.rmtree(run_dir, ignore_errors=True)


def test_a_refused_match_rule_is_said_not_waited_on(monkeypatch: pytest.MonkeyPatch) -> None:
    with _bus_with_one_match_rule() as address:
        monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", address)
        with SystemBackend.connect() as backend, pytest.raises(
                BackendUnavailableError, match="would not pass on the job's signals"):
            backend.run(backend.destroy("seed"))
