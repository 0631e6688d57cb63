"""A change on trial while NetworkManager restarts or stops: NM keeps its checkpoints in
memory only, so they go with it, and nothing of NM's will roll the change back any more.

Confirming in time must then keep the change (not call it "too late" and undo it), and a
revert that cannot reach NetworkManager must say so and leave the trial to try again.
"""

from __future__ import annotations

import pytest
from nm_harness import Harness
from test_nm_trial import NEW, change_uplink, on_uplink

from netwright.backend.engine import Engine
from netwright.backend.nm.errors import NmError


async def test_confirming_after_networkmanager_restarted_keeps_the_change(
        harness: Harness, engine: Engine) -> None:
    await on_uplink(harness, engine)
    await change_uplink(harness, engine)
    harness.nm.restart()  # the checkpoint is gone; the new configuration is still live

    await engine.confirm_deployment("nme")  # in time: kept, not "came too late"
    assert engine.awaiting_confirmation("nme") is None
    assert harness.nm.addresses("br0") == [NEW]
    assert "netwright-nme-br1" in harness.nm.profiles()
    assert NEW in (harness.nm.keyfile_dir / "netwright-nme-br0.nmconnection").read_text()


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
