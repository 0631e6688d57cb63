"""polkit decides, per call, for the caller: allowed, denied, and the default (a challenge)."""

from __future__ import annotations

from pathlib import Path

import pytest

SEED = (Path(__file__).parent / "data" / "seed-macvlan.yaml").read_text()

MUTATING = [
    ("Apply", "sa{sv}", [SEED, {}]),
    ("Destroy", "sa{sv}", ["seed", {}]),
    ("Cancel", "s", ["apply-seed-1"]),
]


def test_reading_follows_the_policy_default_unless_a_rule_says_no(
    running, caller_factory
) -> None:
    for role in ("allowed", "default"):  # inspect is allow_any=yes in io.netwright.policy
        answer = caller_factory(role).call("Validate", "s", SEED)
        assert answer["ok"], answer
    answer = caller_factory("denied").call("Validate", "s", SEED)  # the test rule says NO
    assert answer["error"] == "io.netwright.Error.NotAuthorized", answer


@pytest.mark.parametrize("call", MUTATING, ids=[c[0] for c in MUTATING])
def test_denied_user_is_refused_and_kernel_unchanged(running, host, caller_factory, call) -> None:
    member, signature, body = call
    before = host.snapshot()
    answer = caller_factory("denied").call(member, signature, *body)
    assert answer["error"] == "io.netwright.Error.NotAuthorized", answer
    assert "denied" in answer["text"]
    assert host.snapshot() == before


@pytest.mark.parametrize("call", MUTATING, ids=[c[0] for c in MUTATING])
def test_default_user_gets_a_challenge_no_agent_can_answer(
    running, host, caller_factory, call
) -> None:
    member, signature, body = call
    before = host.snapshot()
    answer = caller_factory("default").call(member, signature, *body)
    assert answer["error"] == "io.netwright.Error.NotAuthorized", answer
    assert "authentication is required" in answer["text"]
    assert host.snapshot() == before


def test_check_is_refused_to_the_denied_user(running, caller_factory) -> None:
    answer = caller_factory("denied").call("Check", "sa{sv}", "seed", {})
    assert answer["error"] == "io.netwright.Error.NotAuthorized", answer


def test_unprivileged_user_cannot_own_the_bus_name(running, caller_factory) -> None:
    answer = caller_factory("allowed").request(op="own", name="io.netwright.Backend1")
    assert answer["ok"] is False
    assert answer["error"] == "org.freedesktop.DBus.Error.AccessDenied", answer


def test_version_property_needs_no_authorisation(running, caller_factory) -> None:
    answer = caller_factory("denied").call(
        "Get", "ss", "io.netwright.Backend1", "Version",
        interface="org.freedesktop.DBus.Properties",
    )
    assert answer["ok"], answer
    assert answer["body"] == ["1.20"]
