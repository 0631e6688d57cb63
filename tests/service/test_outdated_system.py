"""A system netwrightd started before Netwright's files were replaced (an upgrade, or a
``git pull`` of the checkout a developer's daemon runs from) runs no new code and stops once
no job runs (its state is on disk and it recovers on start; D-Bus activation starts the new
one).

The daemon runs from a copy of ``netwright.backend`` (PYTHONPATH) in a network namespace of
its own, on a private bus of its own (the session's daemon owns the name on the shared one),
without polkit (only root can reach that bus here).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from svc_bus import name_has_owner, start_system_bus
from svc_daemon import PYTHON, start_host
from svc_processes import start, wait_until
from svc_topologies import star

from netwright.backend.client.client import BackendClient
from netwright.backend.service.errors import OUTDATED_SENTENCE, OutdatedBackendError
from tests.tools.code_copy import copy_backend, replace_module

BUS_NAME = "io.netwright.Backend1"


class CopiedDaemon:
    """netwrightd from a copy of the package, on a private bus, in a namespace of its own."""

    def __init__(self, run_dir: Path) -> None:
        self.package = copy_backend(run_dir / "code")
        self.bus, self.address = start_system_bus(run_dir)
        self.host = start_host(run_dir)
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "PYTHONUNBUFFERED": "1",
               "PYTHONPATH": str(run_dir / "code"),
               "NETWRIGHT_CODE_RECHECK_SECONDS": "0"}  # it looks at every call
        self.daemon = start("netwrightd-copy", [
            "nsenter", f"--target={self.host.pid}", "--net", "--mount", "--root", "--wd",
            "--", PYTHON, "-m", "netwright.backend.service.daemon", "--bus", self.address,
            "--no-polkit", "--state-dir", str(run_dir / "state")], run_dir, env)
        wait_until(lambda: name_has_owner(self.address, BUS_NAME), 60,
                   "the copied netwrightd to own its name", self.daemon)

    def close(self) -> None:
        for started in (self.daemon, self.host.holder, self.bus):
            started.stop()


@pytest.fixture
def copied(tmp_path: Path) -> Iterator[CopiedDaemon]:
    daemon = CopiedDaemon(tmp_path)
    yield daemon
    daemon.close()


async def refusal_while_a_job_runs(address: str, package: Path) -> tuple[
        OutdatedBackendError, str, bool]:
    """Start an apply, replace a module, ask for a validation; then wait for the apply.
    Returns the refusal, the apply's topology, whether the daemon was still serving after
    the refusal (while the apply ran)."""
    from dbus_fast.aio import MessageBus

    client = await BackendClient.attach(await MessageBus(bus_address=address).connect())
    try:
        job = await client.start_apply(star("upg", 150))  # about 1.5 s of work
        replace_module(package, "engine/__init__.py")
        try:
            await client.validate("netwright: 1\nname: v\n")
        except OutdatedBackendError as exc:
            refusal = exc
        else:
            raise AssertionError("an outdated netwrightd validated")
        serving = name_has_owner(address, BUS_NAME)
        result = await client.wait_job(job)
        return refusal, result.plan.topology, serving
    finally:
        client.close()


def test_an_outdated_system_daemon_refuses_and_stops_once_no_job_runs(
        copied: CopiedDaemon) -> None:
    refusal, applied, serving = asyncio.run(
        refusal_while_a_job_runs(copied.address, copied.package))
    sentence = str(refusal)
    assert sentence.startswith(OUTDATED_SENTENCE) and "incident" not in sentence, sentence
    assert "it stops once its 1 running job ends" in sentence, sentence
    assert refusal.exiting is False and refusal.deployments == ()
    assert serving, "it stopped under a running job"
    assert applied == "upg", "the running job finished"
    assert copied.daemon.process.wait(15) == 0, copied.daemon.log_text()
    log = copied.daemon.log_text()
    assert "stopping on its files being replaced" in log and "incident" not in log, log
    assert json.loads(copied.host.run("ip", "-j", "netns", "list") or "[]"), \
        "what it applied stays: the next netwrightd finds it in its state"
