"""802.1Q/802.1ad vlan and dummy interfaces, which this machine's kernel lacks, read back."""

from __future__ import annotations

import errno
from collections.abc import Callable
from typing import Any

import pytest
from kernel_readback import IPVLAN_MODES, MACVLAN_MODES, VLAN_PROTOCOLS, link_facts, link_names
from pyroute2 import NetlinkError

from netwright.backend.topology import Document

FreshNetns = Callable[[], tuple[str, Any]]


@pytest.mark.kernel
@pytest.mark.parametrize(("protocol", "vlan_id"), [("802.1Q", 100), ("802.1ad", 4094)])
def test_vlan_reads_back_with_its_id_protocol_and_parent(
    fresh_netns: FreshNetns, protocol: str, vlan_id: int
) -> None:
    _, ipr = fresh_netns()
    ipr.link("add", ifname="trunk0", kind="dummy")
    parent = ipr.link_lookup(ifname="trunk0")[0]
    ipr.link("add", ifname="trunk0.v", kind="vlan", link=parent, vlan_id=vlan_id,
             vlan_protocol=VLAN_PROTOCOLS[protocol])

    facts = link_facts(ipr, "trunk0.v")
    assert (facts.kind, facts.vlan_id, facts.vlan_protocol) == ("vlan", vlan_id, protocol)
    assert facts.parent_index == parent


@pytest.mark.kernel
def test_dummy_parents_ipvlan_and_macvlan_children_moved_into_other_namespaces(
    fresh_netns: FreshNetns,
) -> None:
    """A dummy stands in for a NIC; children moved away keep pointing at their parent."""
    _, host = fresh_netns()
    child_ns, guest = fresh_netns()
    parents = {}
    for parent in ("nic0", "nic1"):
        host.link("add", ifname=parent, kind="dummy", state="up")
        parents[parent] = host.link_lookup(ifname=parent)[0]
    host.link("add", ifname="ipv0", kind="ipvlan", link=parents["nic0"],
              ipvlan_mode=IPVLAN_MODES["l2"])
    host.link("add", ifname="mac0", kind="macvlan", link=parents["nic1"],
              macvlan_mode=MACVLAN_MODES["bridge"])
    for name in ("ipv0", "mac0"):
        host.link("set", index=host.link_lookup(ifname=name)[0], net_ns_fd=child_ns)
    for name, address in (("ipv0", "10.9.0.2"), ("mac0", "10.9.0.3")):
        index = guest.link_lookup(ifname=name)[0]
        guest.addr("add", index=index, address=address, prefixlen=24)
        guest.link("set", index=index, state="up")

    assert {link_facts(host, p).kind for p in parents} == {"dummy"}
    assert link_names(host) == {"lo", "nic0", "nic1"}
    ipv, mac = link_facts(guest, "ipv0"), link_facts(guest, "mac0")
    assert (ipv.kind, ipv.ipvlan_mode, mac.kind, mac.macvlan_mode) == (
        "ipvlan", "l2", "macvlan", "bridge")
    assert (ipv.parent_index, mac.parent_index) == (parents["nic0"], parents["nic1"])
    for facts in (ipv, mac):
        assert facts.parent_netnsid is not None  # the parent lives in another namespace
        assert facts.up
    assert (ipv.addresses, mac.addresses) == (("10.9.0.2/24",), ("10.9.0.3/24",))


@pytest.mark.kernel
@pytest.mark.parametrize("first", ["ipvlan", "macvlan"])
def test_ipvlan_and_macvlan_cannot_share_a_parent(fresh_netns: FreshNetns, first: str) -> None:
    """The kernel refuses the second kind on a parent with EBUSY (one rx handler per NIC)."""
    _, ipr = fresh_netns()
    ipr.link("add", ifname="nic0", kind="dummy")
    parent = ipr.link_lookup(ifname="nic0")[0]
    kinds = {"ipvlan": {"ipvlan_mode": IPVLAN_MODES["l2"]},
             "macvlan": {"macvlan_mode": MACVLAN_MODES["bridge"]}}
    second = "macvlan" if first == "ipvlan" else "ipvlan"
    ipr.link("add", ifname="child0", kind=first, link=parent, **kinds[first])

    with pytest.raises(NetlinkError) as refused:
        ipr.link("add", ifname="child1", kind=second, link=parent, **kinds[second])
    assert refused.value.code == errno.EBUSY
    assert link_names(ipr) == {"lo", "nic0", "child0"}


MIXED_KINDS = """\
netwright: 1
name: mixedkinds
host: {{nics: {{uplink0: {{addresses: [192.168.31.240/24]}}}}}}
namespaces: {{net1: {{}}, net2: {{}}}}
interfaces:
  first: {{kind: ipvlan, parent: uplink0, mode: l2, namespace: net1,
          addresses: [192.168.31.5/24]}}
  second: {{kind: {second}, parent: uplink0, mode: {mode}, namespace: net2,
           addresses: [192.168.31.6/24]}}
"""


def _errors(text: str) -> list[str]:
    return [p.code for p in Document.from_text(text).problems() if p.severity == "error"]


def test_the_contract_refuses_ipvlan_and_macvlan_on_one_parent() -> None:
    assert _errors(MIXED_KINDS.format(second="ipvlan", mode="l2")) == []  # the valid twin
    assert _errors(MIXED_KINDS.format(second="macvlan", mode="bridge")) != []
