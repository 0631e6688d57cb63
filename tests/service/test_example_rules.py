"""polkit/50-netwright-netdev.rules, as shipped: group netdev may apply, destroy and check
without a password, but making topologies permanent, and adopting objects Netwright did not
create, still need an administrator."""

from __future__ import annotations

import grp
import time

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


LAB_HOST = "nwlab-host"  # the host the daemon manages (--target lab)
# A bridge someone else made on the host (a container runtime's, a VM's): Netwright's design
# may name it as existing, and only an administrator may hand it to a topology, because
# destroy then deletes it.
FOREIGN = ("netwright: 1\nname: takeover\n"
           "interfaces:\n  victimbr0: {kind: bridge, existing: true}\n")


def test_netdev_member_cannot_adopt_what_netwright_did_not_create(running, host,
                                                                   netdev_caller) -> None:
    host.run("ip", "-n", LAB_HOST, "link", "add", "victimbr0", "type", "bridge")
    try:
        assert netdev_caller.call("Apply", "sa{sv}", FOREIGN, {})["ok"]
        _wait_deployed(netdev_caller, "takeover")
        preview = netdev_caller.call("Adopt", "sasa{sv}", "takeover", ["victimbr0"],
                                     {"preview": {"$v": ["b", True]}})
        assert preview["ok"], preview  # what a confirmation names: nothing is marked
        answer = netdev_caller.call("Adopt", "sasa{sv}", "takeover", ["victimbr0"], {})
        assert answer["error"] == "io.netwright.Error.NotAuthorized", answer
        assert "io.netwright.adopt" in answer["text"], answer
        assert host.links(LAB_HOST)["victimbr0"]["alias"] == ""  # not marked
        assert netdev_caller.call("Destroy", "sa{sv}", "takeover", {})["ok"]
        _wait_gone(netdev_caller, "takeover")
        assert "victimbr0" in host.links(LAB_HOST)  # still there: never Netwright's
    finally:
        host.run("ip", "-n", LAB_HOST, "link", "del", "victimbr0", check=False)
        run_client(None, running.address, "await client.destroy('takeover')")


def _wait_deployed(caller, name: str) -> None:
    _wait(caller, lambda names: name in names, f"{name} to be deployed")


def _wait_gone(caller, name: str) -> None:
    _wait(caller, lambda names: name not in names, f"{name} to be destroyed")


def _wait(caller, done, what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        answer = caller.call("List")
        if answer["ok"] and done(answer["body"][0]):
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
