"""A change to the host's own connection is only on trial until the user confirms it.

The harness's bridge br0 plays the host's uplink (the default route goes through it). A
confirmed apply that changes it is applied at once, but kept only if ``confirm_deployment``
comes before the window ends; otherwise (nobody answered: the change cut them off) the
previous deployment comes back, NetworkManager's profiles, devices and the engine's own
objects alike. These tests read the result from the kernel, nmcli and the keyfiles.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from designs import design, netwright_profiles
from nm_harness import Harness

from netwright.backend.engine import BusyError, Engine
from netwright.backend.nm.client import NmClient
from netwright.backend.outcomes.errors import ConfirmationExpired, NothingToConfirm

OLD, NEW = "192.0.2.10/24", "192.0.2.20/24"
WINDOW = 5  # seconds: the shortest window the engine accepts
EXTRA = "  br1: {kind: bridge, persist: true, addresses: [198.51.100.1/24]}\n"


async def on_uplink(harness: Harness, engine: Engine) -> None:
    """Deploy br0 with OLD and make it carry the host's default route."""
    await engine.apply(design(OLD))
    harness.nm.ip("route", "add", "default", "via", "192.0.2.1", "dev", "br0")


async def change_uplink(harness: Harness, engine: Engine) -> dict[str, object]:
    """Apply NEW on br0, plus a new persistent bridge br1, as a confirmed trial."""
    result = await engine.apply(design(NEW, extra=EXTRA), confirm=True,
                                confirm_seconds=WINDOW)
    assert result.awaiting_confirmation is not None
    harness.nm.wait_for(lambda: harness.nm.addresses("br0") == [NEW], "the change")
    assert "netwright-nme-br1" in netwright_profiles(harness)
    return result.awaiting_confirmation


async def past_deadline(awaiting: dict[str, object]) -> None:
    """Sleep until the trial's deadline (``awaiting``: as the apply reported it, rounded to the
    millisecond, hence the 10 ms) has passed: the window, not counted from the apply's end."""
    deadline = float(str(awaiting["deadline"]))
    await asyncio.sleep(max(0.0, deadline + 0.01 - time.time()))


def assert_restored(harness: Harness) -> None:
    harness.nm.wait_for(lambda: harness.nm.addresses("br0") == [OLD], "the restore")
    assert OLD in (harness.nm.keyfile_dir / "netwright-nme-br0.nmconnection").read_text()
    assert netwright_profiles(harness) == ["netwright-nme-br0"]  # br1 came with the trial
    assert "br1" not in harness.nm.links()
    assert harness.nm.links()["vh"].get("master") == "br0"


async def checkpoints(harness: Harness) -> list[str]:
    nm = await NmClient.connect(harness.bus.address)
    try:
        return await nm.checkpoints()
    finally:
        nm.close()


async def test_a_confirmed_change_is_kept(harness: Harness, engine: Engine) -> None:
    await on_uplink(harness, engine)
    awaiting = await change_uplink(harness, engine)
    assert "default route" in str(awaiting["reason"])
    assert 0 < float(str(awaiting["seconds"])) <= WINDOW
    assert (await engine.status("nme")).awaiting_confirmation is not None
    assert len(await checkpoints(harness)) == 1  # NetworkManager's own safety net

    await engine.confirm_deployment("nme")
    assert await checkpoints(harness) == []
    assert engine.awaiting_confirmation("nme") is None
    await past_deadline(awaiting)  # past the deadline, nothing comes back
    assert (await engine.status("nme")).awaiting_confirmation is None
    assert harness.nm.addresses("br0") == [NEW]
    assert "netwright-nme-br1" in netwright_profiles(harness)
    with pytest.raises(NothingToConfirm, match="no change awaiting confirmation"):
        await engine.confirm_deployment("nme")
    await engine.destroy("nme")
    assert netwright_profiles(harness) == []


async def test_without_confirmation_the_previous_deployment_returns(harness: Harness,
                                                                    engine: Engine) -> None:
    """Nobody answers: the next engine call after the deadline restores everything."""
    await on_uplink(harness, engine)
    awaiting = await change_uplink(harness, engine)
    with pytest.raises(BusyError, match="awaits confirmation"):
        await engine.apply(design(NEW), confirm=True)
    await past_deadline(awaiting)
    status = await engine.status("nme")  # any call finishes expired trials first
    assert status.awaiting_confirmation is None
    assert_restored(harness)
    assert status.ok, status.render()
    assert await checkpoints(harness) == []
    assert (await engine.plan(design(OLD))).empty  # the engine's record is the old design too
    await engine.destroy("nme")


async def test_a_late_confirmation_is_refused_and_restores(harness: Harness,
                                                           engine: Engine) -> None:
    await on_uplink(harness, engine)
    await past_deadline(await change_uplink(harness, engine))
    with pytest.raises(ConfirmationExpired, match="too late"):
        await engine.confirm_deployment("nme")
    assert_restored(harness)
    await engine.destroy("nme")


async def test_revert_restores_at_once(harness: Harness, engine: Engine) -> None:
    await on_uplink(harness, engine)
    await change_uplink(harness, engine)
    result = await engine.revert("nme")
    assert result.awaiting_confirmation is None
    # the checkpoint restored br0 (the profile then matched): the report counts that too
    assert [s.object for s in result.plan.steps if "checkpoint" in s.text] == ["br0"]
    assert_restored(harness)
    assert engine.awaiting_confirmation("nme") is None
    assert await checkpoints(harness) == []
    await engine.destroy("nme")
    assert netwright_profiles(harness) == []


async def test_destroy_during_the_trial_removes_everything(harness: Harness,
                                                           engine: Engine) -> None:
    """Destroy is an explicit request: the trial ends with it, and nothing comes back when
    NetworkManager's checkpoint would have ended."""
    await on_uplink(harness, engine)
    await change_uplink(harness, engine)
    await engine.destroy("nme")
    assert await checkpoints(harness) == []
    assert engine.awaiting_confirmation("nme") is None
    assert netwright_profiles(harness) == []
    assert "br0" not in harness.nm.links()
