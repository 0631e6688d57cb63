"""Filling a child from its parent, and reading Inspect's facts, on real fact shapes.

The facts are built by the backend's own ``NicFacts``/``HostFacts`` and sent through their
``to_json()``, the very JSON Inspect answers with; the design is a real topology document, and
every filled result is validated by the contract.
"""

from __future__ import annotations

from typing import Any

from netwright.backend.nm.hostfacts import HostFacts as BackendFacts
from netwright.backend.nm.hostfacts import NicFacts
from netwright.backend.topology.document import Document
from netwright.gui.model.document import TopologyDocument
from netwright.gui.model.host_facts import HostFacts, parse_facts
from netwright.gui.model.host_warnings import MACVLAN_ON_WIFI, facts_problems
from netwright.gui.model.prefill import (
    free_address,
    host_nic_entry,
    nic_fill_edits,
    parent_net,
    prefill_for,
)
from netwright.gui.model.snapshot import Snapshot, take_snapshot

DESIGN = """\
netwright: 1
name: fill
host:
  nics:
    wlp2s0: {}
namespaces:
  net1: {}
  net2:
    routes:
      - {to: 10.0.0.0/8, via: 192.168.31.254}
interfaces:
  child1: {kind: ipvlan, parent: wlp2s0, mode: l2, namespace: net1}
  child2: {kind: ipvlan, parent: wlp2s0, mode: l2, namespace: net2}
  typed: {kind: ipvlan, parent: wlp2s0, mode: l2, namespace: net2, addresses: [192.168.31.77/24]}
  tagged: {kind: vlan, parent: wlp2s0, id: 10, namespace: net1}
"""


def facts(*nics: NicFacts, source: str = "networkmanager") -> HostFacts:
    """What the GUI gets from Inspect for these NICs (the backend's JSON, decoded)."""
    data: dict[str, Any] = BackendFacts(source, list(nics), "1.42.4").to_json()  # type: ignore[arg-type]
    data.update(mode="lab", deployments=["other"])
    return parse_facts(data)


def wifi_nic(**changes: Any) -> NicFacts:
    fields: dict[str, Any] = dict(
        name="wlp2s0", kind="veth", mac="02:00:00:00:00:01", mtu=1500, up=True, owner="",
        addresses=["192.168.31.240/24", "fe80::1/64"], gateways=["fe80::1", "192.168.31.1"],
        dns=["192.168.31.1"], wifi=True, managed=True)
    fields.update(changes)
    return NicFacts(**fields)


def design(text: str = DESIGN) -> TopologyDocument:
    document = TopologyDocument()
    document.load_text(text)
    return document


def validated(document: TopologyDocument, edits: Any) -> list[str]:
    """The errors of the document once ``edits`` are applied, from the contract itself."""
    document.apply(edits)
    checked = Document.from_text(document.render())
    return [p.message for p in checked.problems() if p.severity == "error"]


def test_inspect_json_reads_into_host_facts() -> None:
    host = facts(wifi_nic(), wifi_nic(name="mv9", owner="other:mv9", wifi=False),
                 wifi_nic(name="uplink", owner="nwlab:uplink", wifi=False))
    nic = host.nic("wlp2s0")
    assert nic is not None and nic.wifi and nic.managed is True
    assert nic.hints and "ipvlan" in nic.hints[0]
    assert str(nic.ipv4_interface()) == "192.168.31.240/24"
    # mv9 belongs to a deployed topology; a lab's uplink is the lab host's own NIC
    assert [n.name for n in host.usable_nics()] == ["wlp2s0", "uplink"]
    assert host.where() == "lab host, from NetworkManager 1.42.4"
    # Inspect's "gateway" is the first one, here IPv6: the IPv4 default needs the on-link one
    assert nic.gateway_in(nic.ipv4_interface().network) == "192.168.31.1"  # type: ignore[union-attr]
    assert parse_facts("nonsense").nics == {}


def test_a_new_child_gets_a_free_address_and_a_default_route() -> None:
    document = design()
    host = facts(wifi_nic())
    fill = prefill_for(document.snapshot, host, "child1")
    assert fill.source is not None and fill.source.label() == "192.168.31.0/24 via 192.168.31.1"
    # .1 is the gateway, .240 the parent's own; .77 is already in the design
    assert fill.address == "192.168.31.2/24"
    assert fill.describe() == "192.168.31.2/24 and default via 192.168.31.1 in net1"
    assert validated(document, fill.edits) == []
    assert document.get(("namespaces", "net1", "routes")) == [
        {"to": "default", "via": "192.168.31.1"}]
    second = prefill_for(document.snapshot, host, "child2")
    assert second.address == "192.168.31.3/24"  # .2 is child1's now
    assert validated(document, second.edits) == []
    assert document.get(("namespaces", "net2", "routes"))[-1] == {  # appended, not replaced
        "to": "default", "via": "192.168.31.1"}
    assert len(document.get(("namespaces", "net2", "routes"))) == 2


def test_what_the_user_typed_is_never_replaced() -> None:
    document = design()
    host = facts(wifi_nic())
    typed = prefill_for(document.snapshot, host, "typed")
    assert typed.address == ""  # it has 192.168.31.77/24 already
    assert [e.path for e in typed.edits] == [("namespaces", "net2", "routes", 1)]
    document.apply(typed.edits)
    again = prefill_for(document.snapshot, host, "child2")
    assert [e.path[:3] for e in again.edits] == [("interfaces", "child2", "addresses")]
    document.apply(again.edits)
    done = prefill_for(document.snapshot, host, "child2")
    assert not done.edits and "already has an address and net2 a default route" in done.reason


def test_a_vlan_is_not_filled_and_says_why() -> None:
    fill = prefill_for(design().snapshot, facts(wifi_nic()), "tagged")
    assert not fill.edits and "segment of their own" in fill.reason


def test_without_facts_the_designs_parent_entry_is_used() -> None:
    document = design(DESIGN.replace("wlp2s0: {}",
                                     "wlp2s0: {addresses: [10.1.0.1/30], gateway: 10.1.0.2}"))
    fill = prefill_for(document.snapshot, None, "child1")
    assert fill.source is not None and fill.source.label() == "10.1.0.0/30 via 10.1.0.2"
    assert fill.address == ""  # a /30 holds only the parent and its gateway
    assert "no free address" in fill.reason
    none = prefill_for(design().snapshot, None, "child1")
    assert not none.edits and "no backend connected" in none.reason


def test_the_hosts_facts_win_over_a_stale_design_entry() -> None:
    document = design(DESIGN.replace("wlp2s0: {}", "wlp2s0: {addresses: [10.9.9.9/24]}"))
    source = parent_net(document.snapshot, facts(wifi_nic()), "wlp2s0")
    assert source is not None and str(source.network) == "192.168.31.0/24"


def test_free_address_skips_everything_taken() -> None:
    import ipaddress

    network = ipaddress.IPv4Network("192.168.31.0/29")
    taken = {ipaddress.IPv4Address(f"192.168.31.{n}") for n in (1, 2, 3, 4, 5)}
    assert str(free_address(network, taken)) == "192.168.31.6/29"
    taken.add(ipaddress.IPv4Address("192.168.31.6"))
    assert free_address(network, taken) is None  # .7 is the broadcast address


def test_a_host_nic_is_referenced_with_its_addresses_and_on_link_gateway() -> None:
    nic = facts(wifi_nic()).nic("wlp2s0")
    assert nic is not None
    assert host_nic_entry(nic) == {"addresses": ["192.168.31.240/24"],
                                   "gateway": "192.168.31.1"}
    snapshot = take_snapshot(design().contract.tree)
    assert {e.path: e.value for e in nic_fill_edits(snapshot, nic)} == {
        ("host", "nics", "wlp2s0", "addresses"): ["192.168.31.240/24"],
        ("host", "nics", "wlp2s0", "gateway"): "192.168.31.1"}
    assert nic_fill_edits(Snapshot(), nic) == []  # not in the design: nothing to fill


def test_a_macvlan_on_wifi_is_warned_about() -> None:
    macvlans = DESIGN.replace("ipvlan, parent: wlp2s0, mode: l2, namespace: net2",
                              "macvlan, parent: wlp2s0, namespace: net2")
    snapshot = design(macvlans.replace("child1: {kind: ipvlan",
                                      "child1: {kind: macvlan")).snapshot
    warned = facts_problems(snapshot, facts(wifi_nic()))
    assert {(p.code, p.path) for p in warned} == {
        (MACVLAN_ON_WIFI, ("interfaces", key, "parent")) for key in ("child1", "child2", "typed")}
    assert "ipvlan" in warned[0].message
    assert facts_problems(snapshot, facts(wifi_nic(wifi=False))) == []
    assert facts_problems(design().snapshot, facts(wifi_nic())) == []  # ipvlan: the fix
    assert facts_problems(snapshot, None) == []
