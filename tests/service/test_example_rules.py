"""polkit/50-netwright-netdev.rules, as shipped: group netdev may apply, destroy and check
without a password, but making topologies permanent, adopting objects Netwright did not
create, and changing the machine's own forwarding, NAT, firewall, routes or NICs still need an
administrator."""

from __future__ import annotations

import grp
import json
import time

import pytest
from svc_callers import Caller, run_client
from svc_cli import NETWRIGHT, as_user
from svc_daemon import LAB_HOST
from svc_polkit import USER_ALLOWED
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


# A namespace behind a veth from the host: Netwright's own objects only. The host parts make
# the machine itself a router: forwarding on, the namespace masqueraded out of the uplink.
ROUTED = """netwright: 1
name: gw
host:
  nics: {wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}}
namespaces:
  inner: {routes: [{to: default, via: 10.77.0.1}]}
interfaces:
  gw0: {kind: veth, peer: gw1, addresses: [10.77.0.1/24]}
  gw1: {kind: veth, peer: gw0, namespace: inner, addresses: [10.77.0.2/24]}
"""
FORWARDING = "  forwarding: {ipv4: true}\n"
MASQUERADE = "  nat: [{masquerade: {from: 10.77.0.0/24, out: wlp2s0}}]\n"


def _with_host(*parts: str) -> str:
    return ROUTED.replace("namespaces:\n", "".join(parts) + "namespaces:\n", 1)


def test_netdev_member_needs_an_administrator_to_change_the_host(running, host, system_bus,
                                                                  service_run_dir,
                                                                  netdev_caller) -> None:
    """Own objects apply without a password; host forwarding, NAT or an address that takes
    the host's LAN is refused before the job starts (the kernel unchanged, nothing half
    applied) and names what needed which permission, through the CLI too; an allowed user
    can; restoring is destroy's."""
    try:
        assert run_client(NETDEV_USER, system_bus,
                          f"return (await client.apply({ROUTED!r})).plan.topology") == {
            "value": "gw"}
        origin = host.host_settings()
        lan = ROUTED + "  gwlan: {kind: bridge, addresses: [192.168.31.1/25]}\n"
        # the plan says so beforehand, in words and as the permission (the designer then
        # shows its plan dialog before polkit asks)
        planned = netdev_caller.call("Plan", "sa{sv}", _with_host(MASQUERADE), {})
        assert planned["ok"], planned
        plan = json.loads(planned["body"][0])
        assert plan["needs"] == ["io.netwright.host"], plan
        assert any("(io.netwright.host)" in note for note in plan["notes"]), plan
        for design, named in ((_with_host(FORWARDING), "IPv4 forwarding on"),
                              (_with_host(MASQUERADE), "masquerade of 10.77.0.0/24 out of wlp2s0"),
                              (lan, "192.168.31.1/25 on gwlan (overlaps the host's"
                                    " 192.168.31.0/24)")):
            before = host.snapshot()
            answer = netdev_caller.call("Apply", "sa{sv}", design, {})
            assert answer["error"] == "io.netwright.Error.NotAuthorized", answer
            assert named in answer["text"], answer
            assert "io.netwright.host" in answer["text"], answer
            assert "nothing was changed" in answer["text"], answer
            time.sleep(0.3)  # a job, had one started, would have begun changing things
            assert host.snapshot() == before
        design = service_run_dir / "gw-router.yaml"
        design.write_text(_with_host(FORWARDING, MASQUERADE))
        design.chmod(0o644)
        cli = as_user(NETDEV_USER, [NETWRIGHT, "apply", "--yes", str(design)], system_bus)
        assert cli.returncode != 0, cli
        # this netwrightd manages the lab host (--target lab): not "this machine's"
        assert "applying gw would change the lab host's own forwarding, NAT, firewall," \
            " routes or NICs (IPv4 forwarding on, masquerade of 10.77.0.0/24 out of wlp2s0)," \
            " which needs the permission to do so (io.netwright.host) besides io.netwright.apply;" \
            " nothing was changed: authentication is required" in " ".join(cli.stderr.split())
        assert "Traceback" not in cli.stderr
        assert "which needs the permission to do so (io.netwright.host)" in " ".join(
            cli.stdout.split()), cli.stdout  # the plan said so before it was accepted
        assert host.host_settings() == origin
        allowed = run_client(USER_ALLOWED, system_bus, (
            f"await client.apply({_with_host(FORWARDING, MASQUERADE)!r}, confirm=True)\n"
            "await client.confirm('gw')"))
        assert allowed == {"value": None}, allowed
        routed = host.host_settings()
        assert routed["forwarding"].split()[0] == "1"
        assert "masquerade" in routed["ruleset"]
        # restoring the host (destroy) is undoing a change someone allowed made: destroy's
        assert run_client(NETDEV_USER, system_bus, "await client.destroy('gw')") == {
            "value": None}
        assert host.host_settings() == origin
    finally:
        run_client(USER_ALLOWED, system_bus, "await client.destroy('gw')")
