"""The lab probes its outside address by default, but only for a design that reaches the
host's network (a host NIC, or an address in the host): beyond a gateway the design never
reaches, every namespace was reported unable to reach 203.0.113.114, with the fix "add a
route … via a router that reaches it", where the design has none (the OpenStack example, a
pair of namespaces on a veth). `explain FILE` leaves the outside out for such a design too."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from netwright.backend.checks.results import CheckResult
from netwright.backend.checks.run import CheckOptions, CheckOptionsError, run_check
from netwright.backend.lab import LAB_OUTSIDE_ADDRESS
from netwright.backend.topology import parse_topology

EXAMPLES = Path(__file__).parents[2] / "examples"
# as the lab's backend sets them when the caller names no outside (service/checking.py)
LAB_DEFAULT = CheckOptions(probe=False, outside=LAB_OUTSIDE_ADDRESS,
                           outside_netns="nwlab-outside")
VETH = """
netwright: 1
name: pair
namespaces: {a: {}, b: {}}
interfaces:
  va: {kind: veth, namespace: a, peer: vb, addresses: [10.9.0.1/24]}
  vb: {kind: veth, namespace: b, peer: va, addresses: [10.9.0.2/24]}
"""


def targets(text: str, options: CheckOptions = LAB_DEFAULT) -> set[str]:
    result: CheckResult = asyncio.run(run_check(parse_topology(text), options))
    return {p.target.role for p in result.pairs}


def test_a_design_apart_from_the_hosts_network_gets_no_outside() -> None:
    assert "outside" not in targets(VETH)
    assert "outside" not in targets((EXAMPLES / "openstack-linuxbridge.yaml").read_text())


def test_a_host_nic_or_an_address_in_the_host_keeps_it() -> None:
    assert "outside" in targets((EXAMPLES / "seed-ipvlan-l2.yaml").read_text())
    assert "outside" in targets(VETH.replace("vb: {kind: veth, namespace: b,", "vb: {kind: veth,"))


def test_an_outside_the_caller_names_is_always_predicted() -> None:
    named = CheckOptions(probe=False, outside="198.51.100.7")
    assert "outside" in targets(VETH, named)


def test_a_named_outside_the_design_holds_is_refused_but_not_the_labs() -> None:
    """check and explain --deployed refuse it as explain FILE does (one sentence, one
    place: run.predict); the lab's own outside is the lab's business, never refused."""
    held = VETH.replace("vb: {kind: veth, namespace: b,", "vb: {kind: veth,").replace(
        "10.9.0.2/24", f"{LAB_OUTSIDE_ADDRESS}/24").replace("10.9.0.1/", "203.0.113.1/")
    with pytest.raises(CheckOptionsError, match=f"--target-outside {LAB_OUTSIDE_ADDRESS} is"
                       " held by host/vb in the topology, which the check targets anyway"):
        targets(held, CheckOptions(probe=False, outside=LAB_OUTSIDE_ADDRESS))
    assert "outside" in targets(held, LAB_DEFAULT)
