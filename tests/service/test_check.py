"""Check over D-Bus: the connectivity checks probe a deployment in the daemon's lab host."""

from __future__ import annotations

from typing import Any

import pytest
from svc_callers import run_client
from svc_cli import NETWRIGHT, as_user
from svc_polkit import USER_ALLOWED

from tests.tools.unaddressed import unaddressed_design

# One deployment for both forms of Check. (A re-applied seed once lost one macvlan sibling's
# echo for ~3 s after a checked deployment's destroy: the old child still answered ARP for
# the address, see ops.NetnsDelete._delete_children.)
CHECK = """
await client.apply(seed)
steps = []
try:
    report = await client.check('seed', timeout=0.5)
    # port 9 (discard): nothing listens in the seed, so a TCP probe that ran is refused
    job = await client.check_job('seed', lambda d, t, x: steps.append((d, t, x)), timeout=0.5,
                                 port=9)
finally:
    await client.destroy('seed')
return {"report": report, "job": job, "steps": steps}
"""


def test_check_probes_the_seed_and_explains(running, system_bus) -> None:
    outcome = run_client(USER_ALLOWED, system_bus, CHECK)
    value = outcome["value"]
    report = value["report"]
    assert report["topology"] == "seed" and report["probed"] is True, outcome
    by_pair = {(p["source"], p["target"]): p for p in report["pairs"]}
    across = by_pair[("net1", "192.168.31.6")]
    assert across["observed"]["verdict"] == across["predicted"]["verdict"] == "reachable", across
    assert report["mismatches"] == 0, report
    # StartCheck, the same check as a job: progress signals, then the same kind of report
    assert value["steps"] and all(done <= total for done, total, _ in value["steps"]), value
    job = value["job"]
    assert job["topology"] == "seed" and job["probed"] is True and job["mismatches"] == 0
    assert len(job["pairs"]) == len(report["pairs"])
    # --port through netwrightd: the job probed TCP to it, the plain Check did not
    tcp = {(p["source"], p["target"]): p["observed"].get("tcp") for p in job["pairs"]}
    assert tcp[("net1", "192.168.31.6")]["error"] == "Connection refused", tcp
    assert across["observed"].get("tcp") is None, across


def test_check_of_a_topology_not_deployed_is_not_found(running, system_bus) -> None:
    outcome = run_client(USER_ALLOWED, system_bus, "return await client.check('nothing')")
    assert outcome["raised"] == "NotDeployed", outcome


def test_check_options_out_of_range_are_invalid_arguments(running, system_bus) -> None:
    outcome = run_client(USER_ALLOWED, system_bus,
                         "return await client.check('seed', timeout=99.0)")
    assert outcome["raised"] == "InvalidArgumentsError", outcome


@pytest.mark.parametrize("method", ["Check", "StartCheck"])
@pytest.mark.parametrize(("port", "words"), [
    (["u", 0], "TCP port 0 is out of range (1–65535)"),
    (["u", 65536], "TCP port 65536 is out of range (1–65535)"),
    (["s", "80"], "must have D-Bus type 'u'"),
])
def test_a_bad_port_is_invalid_arguments(running: Any, caller_factory: Any, method: str,
                                         port: list[Any], words: str) -> None:
    answer = caller_factory("allowed").call(method, "sa{sv}", "seed",
                                            {"tcp_port": {"$v": port}})
    assert answer["error"] == "io.netwright.Error.InvalidArguments", answer
    assert words in answer["text"], answer


# Arguments that only the deployment shows to be wrong: the check reads it first, in its job
ASKED_WRONG = """
await client.apply(seed)
raised = {}
try:
    for what, call in [("held outside", client.check('seed', outside='192.168.31.6')),
                       ("held outside, job", client.check_job('seed', outside='192.168.31.6')),
                       ("--from not held", client.check_job('seed', source='10.9.9.9'))]:
        try:
            await call
            raised[what] = None
        except Exception as exc:
            raised[what] = [type(exc).__name__, str(exc)]
finally:
    await client.destroy('seed')
return raised
"""


def test_check_arguments_the_deployment_refuses_are_invalid_arguments(running,
                                                                      system_bus) -> None:
    """`check --target-outside` an address the design holds, or `--from` one it does not:
    InvalidArguments with the check's sentence, not Failed."""
    raised = run_client(USER_ALLOWED, system_bus, ASKED_WRONG)["value"]
    for what in ("held outside", "held outside, job"):
        assert raised[what][0] == "InvalidArgumentsError", raised
        assert "--target-outside 192.168.31.6 is held by" in raised[what][1], raised
    assert raised["--from not held"][0] == "InvalidArgumentsError", raised
    assert "10.9.9.9 is no address of the topology" in raised["--from not held"][1], raised


BARE = unaddressed_design("bare", prefix="b")

def test_checking_a_deployment_without_addresses_claims_nothing(running, system_bus) -> None:
    """`netwright check NAME` of a deployment no namespace of which has an address: the
    sentence with its hint and exit 0, never "Every pair is reachable"."""
    run_client(USER_ALLOWED, system_bus, f"await client.apply({BARE!r})")
    try:
        shown = as_user(USER_ALLOWED, [NETWRIGHT, "check", "bare"], system_bus)
    finally:
        run_client(USER_ALLOWED, system_bus, "await client.destroy('bare')")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("Nothing to check in bare: no namespace of bare (ba, bb)"
                                   " has an address; give an interface"), shown.stdout
    assert "reachable" not in shown.stdout, shown.stdout
