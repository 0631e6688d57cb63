"""A change on trial while NetworkManager restarts or stops: NM keeps its checkpoints in
memory only, so they go with it, and nothing of NM's will roll the change back any more.

Confirming in time must then keep the change (not call it "too late" and undo it), and a
revert that cannot reach NetworkManager must say so and leave the trial to try again.
"""

from __future__ import annotations

import re

import pytest
from designs import design
from nm_harness import Harness
from test_nm_trial import EXTRA, NEW, change_uplink, on_uplink, past_deadline

from netwright.backend.engine import Engine
from netwright.backend.nm.errors import NmError
from netwright.backend.outcomes.errors import ConfirmationExpired


async def test_confirming_after_networkmanager_restarted_keeps_the_change(
        harness: Harness, engine: Engine) -> None:
    await on_uplink(harness, engine)
    result = await engine.apply(design(NEW, extra=EXTRA), confirm=True, confirm_seconds=60)
    assert result.awaiting_confirmation is not None  # a window long enough for a restart
    harness.nm.restart()  # the checkpoint is gone; the new configuration is still live

    await engine.confirm_deployment("nme")  # in time: kept, not "came too late"
    assert engine.awaiting_confirmation("nme") is None
    assert harness.nm.addresses("br0") == [NEW]
    assert "netwright-nme-br1" in harness.nm.profiles()
    assert NEW in (harness.nm.keyfile_dir / "netwright-nme-br0.nmconnection").read_text()
    assert (await engine.status("nme")).ok  # NM took its devices back with their profiles
    await engine.destroy("nme")
    assert harness.nm.profiles() == {"lo": "loopback"}


async def test_confirming_while_networkmanager_is_stopped_keeps_the_change(
        harness: Harness, engine: Engine) -> None:
    await on_uplink(harness, engine)
    await change_uplink(harness, engine)
    harness.nm.stop()

    await engine.confirm_deployment("nme")
    assert engine.awaiting_confirmation("nme") is None
    assert harness.nm.addresses("br0") == [NEW]
    assert "br1" in harness.nm.links()


async def test_reverting_while_networkmanager_is_stopped_says_what_to_do(
        harness: Harness, engine: Engine) -> None:
    await on_uplink(harness, engine)
    await change_uplink(harness, engine)
    harness.nm.stop()

    with pytest.raises(NmError) as refused:
        await engine.revert("nme")
    said = str(refused.value)
    assert "NetworkManager is not running" in said, said
    assert "netwright revert nme" in said and "persist: true" not in said, said
    assert engine.awaiting_confirmation("nme") is not None  # still on trial: try again


async def test_a_window_that_ended_while_networkmanager_was_stopped(
        harness: Harness, engine: Engine) -> None:
    """Nothing can restore the profiles until NetworkManager runs again: status says the
    window ended (not "confirm within 0 s"), and a late confirm says it came too late."""
    await on_uplink(harness, engine)
    awaiting = await change_uplink(harness, engine)
    harness.nm.stop()
    await past_deadline(awaiting)

    shown = (await engine.status("nme")).render()
    assert "within 0 s" not in shown, shown
    assert "not confirmed in time" in shown and "netwright revert nme" in shown, shown
    assert ".)" not in shown, shown
    with pytest.raises(ConfirmationExpired) as late:
        await engine.confirm_deployment("nme")
    said = str(late.value)
    assert "too late" in said and "NetworkManager is not running" in said, said
    assert re.search(r"the window ended \d+ s ago", said), said
    # status's words for a window that ended undone (trial_end_pending)
    assert ("NetworkManager is not running here, so the previous configuration could not be"
            " restored yet: start NetworkManager") in said, said
