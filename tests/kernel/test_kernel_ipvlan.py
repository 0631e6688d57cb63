"""ipvlan on a real ipvlan kernel: every mode and flag, and the facts the contract relies on.

The contract (backend/topology) models ipvlan mode l2/l3/l3s with flag bridge/private/vepa,
defaults the mode to l3 and refuses two children of one parent with different modes. These tests
create the links with pyroute2 and read back what the kernel made of them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from kernel_readback import IPVLAN_FLAGS, IPVLAN_MODES, ipvlan_flags_known, link_facts

from netwright.backend.topology import Document
from netwright.backend.topology.model import IPVLAN_DEFAULT_MODE

FreshNetns = Callable[[], tuple[str, Any]]


def _veth_parent(ipr: Any, name: str) -> int:
    """A veth end to hang ipvlan children on (the lab's uplink NIC is a veth too)."""
    ipr.link("add", ifname=name, kind="veth", peer=f"{name}p")
    index: int = ipr.link_lookup(ifname=name)[0]
    return index


def _add_ipvlan(ipr: Any, name: str, parent: int, mode: str | None, flag: str | None) -> None:
    options: dict[str, int] = {}
    if mode is not None:
        options["ipvlan_mode"] = IPVLAN_MODES[mode]
    if flag is not None:
        options["ipvlan_flags"] = IPVLAN_FLAGS[flag]
    with ipvlan_flags_known():
        ipr.link("add", ifname=name, kind="ipvlan", link=parent, **options)


@pytest.mark.kernel
@pytest.mark.parametrize(("mode", "flag"), list(itertools.product(IPVLAN_MODES, IPVLAN_FLAGS)))
def test_every_ipvlan_mode_and_flag_reads_back_as_created(
    fresh_netns: FreshNetns, mode: str, flag: str
) -> None:
    _, ipr = fresh_netns()
    parent = _veth_parent(ipr, "uplink0")
    _add_ipvlan(ipr, "child0", parent, mode, flag)

    facts = link_facts(ipr, "child0")
    assert (facts.kind, facts.ipvlan_mode, facts.ipvlan_flag) == ("ipvlan", mode, flag)
    assert facts.parent_index == parent


@pytest.mark.kernel
def test_ipvlan_without_a_mode_is_l3_as_the_contract_assumes(fresh_netns: FreshNetns) -> None:
    _, ipr = fresh_netns()
    parent = _veth_parent(ipr, "uplink0")
    _add_ipvlan(ipr, "child0", parent, mode=None, flag=None)

    facts = link_facts(ipr, "child0")
    assert (facts.ipvlan_mode, facts.ipvlan_flag) == (IPVLAN_DEFAULT_MODE, "bridge")


@pytest.mark.kernel
def test_a_second_child_with_another_mode_silently_switches_its_sibling(
    fresh_netns: FreshNetns,
) -> None:
    """The kernel fact behind the contract's ``ipvlan-mixed-modes`` error."""
    _, ipr = fresh_netns()
    parent = _veth_parent(ipr, "uplink0")
    _add_ipvlan(ipr, "first", parent, "l3s", "vepa")
    assert link_facts(ipr, "first").ipvlan_mode == "l3s"

    _add_ipvlan(ipr, "second", parent, "l2", "private")  # accepted without a word

    first = link_facts(ipr, "first")
    assert (first.ipvlan_mode, first.ipvlan_flag) == ("l2", "private")


MIXED = """\
netwright: 1
name: mixed
host: {{nics: {{uplink0: {{addresses: [192.168.31.240/24]}}}}}}
namespaces: {{net1: {{}}, net2: {{}}}}
interfaces:
  first: {{kind: ipvlan, parent: uplink0, mode: {mode1}, flag: {flag1}, namespace: net1,
          addresses: [192.168.31.5/24]}}
  second: {{kind: ipvlan, parent: uplink0, mode: {mode2}, flag: {flag2}, namespace: net2,
           addresses: [192.168.31.6/24]}}
"""


def _problem_codes(text: str) -> set[str]:
    return {p.code for p in Document.from_text(text).problems() if p.severity == "error"}


def test_the_contract_refuses_mixed_modes_before_the_kernel_can_switch_siblings() -> None:
    mixed = MIXED.format(mode1="l2", flag1="bridge", mode2="l3", flag2="bridge")
    same = MIXED.format(mode1="l2", flag1="bridge", mode2="l2", flag2="bridge")
    assert "ipvlan-mixed-modes" in _problem_codes(mixed)
    assert "ipvlan-mixed-modes" not in _problem_codes(same)


def test_the_contract_refuses_mixed_flags_too() -> None:
    mixed = MIXED.format(mode1="l2", flag1="bridge", mode2="l2", flag2="private")
    assert "ipvlan-mixed-modes" in _problem_codes(mixed)
