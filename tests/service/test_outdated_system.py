"""A system netwrightd started before Netwright's files were replaced (an upgrade, or a
``git pull`` of the checkout a developer's daemon runs from) runs no new code and stops once
no job runs (its state is on disk and it recovers on start; D-Bus activation starts the new
one).

The daemon runs from a copy of ``netwright.backend`` (svc_copied.CopiedDaemon).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from svc_bus import name_has_owner
from svc_copied import BUS_NAME, CopiedDaemon
from svc_topologies import star

from netwright.backend.client.client import BackendClient
from netwright.backend.service.errors import OUTDATED_SENTENCE, OutdatedBackendError
from tests.tools.code_copy import replace_module


@pytest.fixture
def copied(tmp_path: Path) -> Iterator[CopiedDaemon]:
    daemon = CopiedDaemon(tmp_path, env={"NETWRIGHT_CODE_RECHECK_SECONDS": "0"})  # every call
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
