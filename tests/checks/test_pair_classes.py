"""Explaining one pair per class (``checks/pair_classes.py``) gives exactly what explaining
every pair alone gives: the same prediction for every pair and the same neighbour entries, on
every example and on random topologies built to put pairs at the classes' edges (duplicate
addresses, src and host routes, rp_filter, firewall rules, DAD states, MTUs, down links)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netwright.backend.checks.explain import Explainer, default_outside
from netwright.backend.checks.pair_classes import PairClasses
from netwright.backend.topology import Topology
from netwright.backend.topology.document import load_topology

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.yaml"))
ADDRESSES = ["10.0.0.1/24", "10.0.0.2/24", "10.0.0.3/24", "10.0.0.4/16", "10.0.1.5/24",
             "fd00::1/64", "fd00::2/64", "fd00::3/64"]
ROUTES = [{"to": "default", "via": "10.0.0.1"}, {"to": "10.0.0.3/32", "via": "10.0.0.1"},
          {"to": "10.0.0.0/25", "dev": "eth0"}, {"to": "10.0.0.0/24", "dev": "eth0",
                                                 "src": "10.0.0.2"},
          {"to": "10.0.0.0/8", "via": "10.0.0.1"}, {"to": "10.0.1.0/24", "via": "10.0.0.1"}]
SYSCTLS = [{}, {"net.ipv4.conf.all.rp_filter": 1}, {"net.ipv4.ip_forward": 1}]
FIREWALL = {"input": {"policy": "accept", "rules": [{"action": "drop", "from": "10.0.0.2"}]}}


def assert_same(topology: Topology, **options: Any) -> Explainer:
    """Both ways of explaining agree pair by pair; the class-based explainer is returned."""
    alone = Explainer(topology, **options)
    expected = alone.pairs(by_class=False)
    grouped = Explainer(topology, **options)
    assert grouped.pairs() == expected
    assert grouped.neighbour_steps == alone.neighbour_steps
    return grouped


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("probe_size", [None, 0, 1400])
def test_examples_explained_by_class_as_alone(path: Path, probe_size: int | None) -> None:
    topology = load_topology(path)[1]
    assert_same(topology, outside=default_outside(topology), probe_size=probe_size)


def mesh(n: int, **extra: Any) -> dict[str, Any]:
    interfaces: dict[str, Any] = {"br0": {"kind": "bridge"}}
    for i in range(n):
        interfaces[f"p{i}"] = {"kind": "veth", "peer": f"e{i}", "master": "br0"}
        interfaces[f"e{i}"] = {"kind": "veth", "peer": f"p{i}", "name": "eth0",
                               "namespace": f"h{i}",
                               "addresses": [f"10.0.0.{i + 1}/24", f"fd00::{i + 1}/64"]}
    return {"netwright": 1, "name": "mesh", "namespaces": {f"h{i}": {} for i in range(n)},
            "interfaces": interfaces, **extra}


def test_a_mesh_is_explained_once_per_sender() -> None:
    """The case the classes are for: every peer pair of a mesh joins its sender's class."""
    explainer = assert_same(Topology.model_validate(mesh(6)))
    classes = PairClasses(explainer)
    assert len(classes.by_place) == 12  # six namespaces, two IP versions


@pytest.mark.parametrize("change", [
    lambda t: t["namespaces"]["h1"].update(routes=[{"to": "10.0.0.3/32", "dev": "eth0"}]),
    lambda t: t["namespaces"]["h1"].update(sysctls={"net.ipv4.conf.all.rp_filter": 1}),
    lambda t: t["interfaces"]["e2"]["addresses"].append("10.0.0.9/24"),
    lambda t: t["interfaces"]["e3"].update(mtu=1400),
    lambda t: t["interfaces"]["e3"].update(addresses=["10.0.0.2/24"]),
    lambda t: t["namespaces"]["h1"].update(firewall=FIREWALL),
], ids=["host-route", "rp_filter", "second-address", "mtu", "duplicate", "firewall"])
def test_what_singles_out_an_address_leaves_its_pairs_alone(change: Any) -> None:
    """Each of these makes some namespace's pairs depend on addresses: it leaves its class
    (or every class), and the predictions still agree with the pair-by-pair ones."""
    design = mesh(5)
    change(design)
    explainer = assert_same(Topology.model_validate(design))
    plain = {place for place, version in PairClasses(explainer).by_place if version == 4}
    assert len(plain) < 5


@st.composite
def topologies(draw: st.DrawFn) -> Topology:
    """A few namespaces on one or two bridges, a router between them, and the things that
    decide whether a pair may share a class, drawn at random."""
    interfaces: dict[str, Any] = {"br0": {"kind": "bridge"}, "br1": {"kind": "bridge"}}
    namespaces: dict[str, Any] = {"r": {"sysctls": {"net.ipv4.ip_forward": 1,
                                                    "net.ipv6.conf.all.forwarding": 1}}}
    interfaces["ra"] = {"kind": "veth", "peer": "rpa", "namespace": "r",
                        "addresses": ["10.0.0.1/24", "fd00::ff/64"]}
    interfaces["rpa"] = {"kind": "veth", "peer": "ra", "master": "br0"}
    interfaces["rb"] = {"kind": "veth", "peer": "rpb", "namespace": "r",
                        "addresses": ["10.0.1.1/24"]}
    interfaces["rpb"] = {"kind": "veth", "peer": "rb", "master": "br1"}
    count = draw(st.integers(2, 6))
    # at most one thing that concerns a whole class (a rule, rp_filter, an MTU), in one place
    spoiler = draw(st.sampled_from([None, None, None, "rp_filter", "firewall", "mtu"]))
    spoiled = draw(st.integers(0, count - 1))
    for i in range(count):
        for j in range(draw(st.sampled_from([1, 1, 1, 2]))):
            key = f"e{i}{j}"
            own = [f"10.0.0.{10 + 10 * j + i}/24", f"fd00::{10 + 10 * j + i}/64"]
            interfaces[key] = {
                "kind": "veth", "peer": f"p{i}{j}", "namespace": f"h{i}",
                "name": "eth0" if j == 0 else "eth1",
                "addresses": draw(st.sampled_from([own, own, own[:1], []]))
                + draw(st.lists(st.sampled_from(ADDRESSES), unique=True, max_size=1)),
                "state": draw(st.sampled_from(["up"] * 12 + ["down"])),
            }
            if spoiler == "mtu" and i == spoiled:
                interfaces[key]["mtu"] = 1400
            interfaces[f"p{i}{j}"] = {"kind": "veth", "peer": key,
                                      "master": draw(st.sampled_from(["br0"] * 4 + ["br1"]))}
        namespace: dict[str, Any] = {
            "routes": draw(st.lists(st.sampled_from(ROUTES), unique_by=str, max_size=1))
            if draw(st.integers(0, 2)) == 0 else [ROUTES[0]],
            "sysctls": draw(st.sampled_from([{}, {}, {"net.ipv4.ip_forward": 1}]))}
        if spoiler == "firewall" and i == spoiled:
            namespace["firewall"] = FIREWALL
        if spoiler == "rp_filter" and i == spoiled:
            namespace["sysctls"] = {"net.ipv4.conf.all.rp_filter": 1}
        namespaces[f"h{i}"] = namespace
    return Topology.model_validate({"netwright": 1, "name": "classes",
                                    "namespaces": namespaces, "interfaces": interfaces})


@settings(max_examples=200, deadline=None)
@given(topologies(), st.sampled_from([None, 0, 1400]), st.booleans())
def test_random_topologies_explained_by_class_as_alone(
        topology: Topology, probe_size: int | None, tentative: bool) -> None:
    states = {("e00", "fd00::10"): "tentative"} if tentative else None
    assert_same(topology, probe_size=probe_size, address_states=states)
