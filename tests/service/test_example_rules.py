"""polkit/50-netwright-netdev.rules, as shipped: group netdev may apply, destroy and check
without a password, but making topologies permanent still needs an administrator."""

from __future__ import annotations

import grp

import pytest
from svc_callers import Caller, run_client
from svc_topologies import SEED
from svc_users import ensure_user

NETDEV_USER = "nwtest-netdev"


@pytest.fixture(scope="module")
def netdev_caller(system_bus, service_run_dir):
    try:
        grp.getgrnam("netdev")
    except KeyError:
        pytest.fail("group netdev is missing (Debian creates it); the example rules need it")
    ensure_user(NETDEV_USER, ("netdev",))
    caller = Caller(NETDEV_USER, system_bus, service_run_dir / "caller-netdev.log")
    yield caller
    caller.stop()


def test_netdev_member_applies_and_destroys_without_a_password(running, host, system_bus,
                                                               netdev_caller) -> None:
    outcome = run_client(NETDEV_USER, system_bus, (
        "await client.apply(seed)\n"
        "deployed = await client.deployments()\n"
        "await client.destroy('seed')\n"
        "return deployed"
    ))
    assert outcome == {"value": ["seed"]}, outcome
    assert "lab-net1" not in host.netns()


def test_netdev_member_still_needs_an_administrator_to_persist(running, host, netdev_caller):
    before = host.snapshot()
    persistent = SEED + "  br9:\n    kind: bridge\n    persist: true\n"
    answer = netdev_caller.call("Apply", "sa{sv}", persistent, {})
    assert answer["error"] == "io.netwright.Error.NotAuthorized", answer
    assert "permanent" in answer["text"]
    assert host.snapshot() == before
