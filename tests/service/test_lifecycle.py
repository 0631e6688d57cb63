"""As the allowed user, through the client and the real daemon: apply, status, destroy.

Every step is checked against the kernel of the daemon's host namespace (iproute2 through
nsenter), not against what the daemon says it did.
"""

from __future__ import annotations

from pathlib import Path

from svc_callers import run_client
from svc_polkit import USER_ALLOWED, USER_DENIED

SEED = (Path(__file__).parent / "data" / "seed-macvlan.yaml").read_text()

APPLY = """
seen = []
result = await client.apply(seed, progress=lambda d, t, x: seen.append([d, t, x]))
return {"steps": [s.text for s in result.plan.steps], "progress": seen}
"""


def test_seed_apply_status_destroy_as_allowed_user(running, host, system_bus) -> None:
    applied = run_client(USER_ALLOWED, system_bus, APPLY)
    assert "value" in applied, applied
    assert applied["value"]["steps"], "the first apply has steps"
    done, total, _text = applied["value"]["progress"][-1]
    assert done == total > 0

    assert {"lab-net1", "lab-net2"} <= set(host.netns())
    mv1 = host.links("lab-net1")["mv1"]
    assert mv1["kind"] == "macvlan"
    assert mv1["addresses"] == ["192.168.31.5/24"]
    assert mv1["alias"] == "netwright:seed:mv1"
    assert host.links("lab-net2")["mv2"]["addresses"] == ["192.168.31.6/24"]

    status = run_client(USER_DENIED, system_bus, "return 1")  # the denied user can connect…
    assert status == {"value": 1}
    status = run_client(USER_ALLOWED, system_bus, "return await client.status('seed')")
    assert status["value"]["deployed"] is True and status["value"]["ok"] is True, status
    listed = run_client(USER_ALLOWED, system_bus, "return await client.deployments()")
    assert "seed" in listed["value"]

    again = run_client(USER_ALLOWED, system_bus, "return (await client.plan(seed)).steps")
    assert again == {"value": []}, "applying twice is a no-op plan"

    destroyed = run_client(USER_ALLOWED, system_bus, "return await client.destroy('seed')")
    assert "value" in destroyed, destroyed
    assert not {"lab-net1", "lab-net2"} & set(host.netns())
    gone = run_client(USER_ALLOWED, system_bus, "return await client.status('seed')")
    assert gone.get("raised") == "NotDeployed" or gone["value"]["deployed"] is False, gone


def test_denied_user_cannot_destroy_what_allowed_user_applied(running, host, system_bus) -> None:
    assert "value" in run_client(USER_ALLOWED, system_bus, "return await client.apply(seed)")
    before = host.snapshot()
    refused = run_client(USER_DENIED, system_bus, "return await client.destroy('seed')")
    assert refused["raised"] == "NotAuthorizedError", refused
    assert host.snapshot() == before
    assert "value" in run_client(USER_ALLOWED, system_bus, "return await client.destroy('seed')")
    assert not {"lab-net1", "lab-net2"} & set(host.netns())


def test_host_facts_show_the_lab_uplink(running, system_bus) -> None:
    facts = run_client(USER_ALLOWED, system_bus, (
        "await client.plan(seed)\n"  # the lab host gains the NICs a topology builds on
        "return await client.inspect()"
    ))["value"]
    assert facts["mode"] == "system"
    assert isinstance(facts["deployments"], list)
    assert facts["kinds"]["macvlan"] is True and facts["kinds"]["veth"] is True, facts["kinds"]
    nics = {nic["name"]: nic for nic in facts["nics"]}
    assert "192.168.31.240/24" in nics["wlp2s0"]["addresses"], facts
    assert nics["wlp2s0"]["gateways"] == ["192.168.31.1"], facts


def test_host_facts_say_which_impairments_and_port_rules_the_kernel_can_carry(
        running, system_bus) -> None:
    """netem (impairment other than a rate) and bridge conntrack (stateful port rules) failed
    only at Apply on a kernel without them: Inspect reports them, as it reports link kinds,
    with the values Plan's own probes find."""
    from netwright.backend.engine import nft_capabilities, qdisc

    facts = run_client(USER_ALLOWED, system_bus, "return await client.inspect()")["value"]
    features = facts["features"]
    assert set(features) == {"netem", "tbf", "bridge-conntrack", "bridge-reject"}, features
    assert features == {**qdisc.supported(["netem", "tbf"]),
                        **nft_capabilities.supported(nft_capabilities.FEATURES)}
