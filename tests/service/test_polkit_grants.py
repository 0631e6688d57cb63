"""polkit's grants given without asking anyone are reused briefly; others never are.

Counted in polkitd's own log: the test rules log one line per rule evaluation, i.e. per
question netwrightd asks (svc_polkit.TEST_RULES).
"""

from __future__ import annotations

import time

import pytest
from dbus_fast.aio import MessageBus
from svc_polkit import USER_ALLOWED, USER_DEFAULT

from netwright.backend.service.authority import PolkitAuthority
from netwright.backend.service.errors import NotAuthorizedError


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def questions(polkitd, action: str, user: str) -> int:
    return polkitd.log_text().count(f"netwright-test: {action} for {user}\n")


def settled(polkitd, action: str, user: str, expected: int) -> int:
    """The count once polkitd's log has caught up (its writes reach the file a bit later)."""
    deadline = time.monotonic() + 3
    while questions(polkitd, action, user) < expected and time.monotonic() < deadline:
        time.sleep(0.02)
    return questions(polkitd, action, user)


async def test_a_grant_without_interaction_is_reused_until_it_expires(
    system_bus, polkitd, caller_factory
) -> None:
    sender = caller_factory("allowed").request(op="unique")["name"]
    bus = await MessageBus(bus_address=system_bus).connect()
    clock = Clock()
    try:
        authority = PolkitAuthority(bus, grant_seconds=2.0, clock=clock)
        before = questions(polkitd, "io.netwright.apply", USER_ALLOWED)
        for _ in range(5):
            await authority.authorize(sender, "io.netwright.apply")
        assert settled(polkitd, "io.netwright.apply", USER_ALLOWED, before + 1) == before + 1
        await authority.authorize(sender, "io.netwright.destroy")  # another action: asked
        assert settled(polkitd, "io.netwright.destroy", USER_ALLOWED, 1) >= 1
        clock.now += 2.5  # expired: asked again
        await authority.authorize(sender, "io.netwright.apply")
        assert settled(polkitd, "io.netwright.apply", USER_ALLOWED, before + 2) == before + 2
    finally:
        bus.disconnect()


async def test_a_challenge_or_a_denial_is_asked_every_time(
    system_bus, polkitd, caller_factory
) -> None:
    sender = caller_factory("default").request(op="unique")["name"]
    bus = await MessageBus(bus_address=system_bus).connect()
    try:
        authority = PolkitAuthority(bus, clock=Clock())
        before = questions(polkitd, "io.netwright.persist", USER_DEFAULT)
        for _ in range(2):  # auth_admin: no agent answers, refused each time, never kept
            with pytest.raises(NotAuthorizedError, match="authentication is required"):
                await authority.authorize(sender, "io.netwright.persist")
        # each call asked twice: without interaction, then with it for the password
        assert settled(polkitd, "io.netwright.persist", USER_DEFAULT, before + 4) == before + 4
    finally:
        bus.disconnect()
