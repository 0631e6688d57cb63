"""The GUI explains while the user designs, so half-made and invalid topologies are the norm:
the explanation must give a verdict for every pair of any model, never a traceback."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from netwright.backend.checks.explain import explain
from netwright.backend.topology import Topology

KEYS = ["a", "b", "c", "d", "e", "nic0"]
NAMESPACES = [None, "n1", "n2", "ghost"]
ADDRESSES = ["10.0.0.1/24", "10.0.0.2/24", "10.0.1.1/24", "fd00::1/64", "192.168.31.5/24",
             "192.168.31.240/24"]


@st.composite
def interfaces(draw: st.DrawFn) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key in draw(st.lists(st.sampled_from(KEYS[:-1]), unique=True, max_size=5)):
        kind = draw(st.sampled_from(["bridge", "veth", "ipvlan", "macvlan", "vxlan", "dummy"]))
        link: dict[str, Any] = {"kind": kind}
        namespace = draw(st.sampled_from(NAMESPACES))
        if namespace:
            link["namespace"] = namespace
        link["addresses"] = draw(st.lists(st.sampled_from(ADDRESSES), unique=True, max_size=2))
        link["state"] = draw(st.sampled_from(["up", "up", "down"]))
        if draw(st.booleans()):
            link["master"] = draw(st.sampled_from(KEYS))
        if kind == "veth":
            link["peer"] = draw(st.sampled_from(KEYS))
        if kind == "ipvlan":
            link.update(parent=draw(st.sampled_from(KEYS)),
                        mode=draw(st.sampled_from(["l2", "l3", "l3s"])),
                        flag=draw(st.sampled_from(["bridge", "private", "vepa"])))
        if kind == "macvlan":
            link.update(parent=draw(st.sampled_from(KEYS)),
                        mode=draw(st.sampled_from(["bridge", "private", "vepa", "passthru"])))
        if kind == "vxlan":
            link.update(vni=1, remote="10.0.0.2", dev=draw(st.sampled_from(KEYS)))
        found[key] = link
    return found


@st.composite
def topologies(draw: st.DrawFn) -> Topology:
    routes = st.lists(st.fixed_dictionaries({
        "to": st.sampled_from(["default", "10.0.1.0/24", "fd00::/64"]),
        "via": st.sampled_from(["10.0.0.2", "192.168.31.1", "10.9.9.9", "fd00::2"]),
    }), max_size=2)
    return Topology.model_validate({
        "netwright": 1, "name": "fuzz",
        "host": {"nics": {"nic0": {"addresses": ["192.168.31.240/24"],
                                   "gateway": "192.168.31.1"}}},
        "namespaces": {"n1": {"routes": draw(routes),
                              "sysctls": {"net.ipv4.ip_forward": draw(st.sampled_from([0, 1]))}},
                       "n2": {"routes": draw(routes)}},
        "interfaces": draw(interfaces()),
    })


@settings(max_examples=300, deadline=None)
@given(topologies())
def test_any_model_gets_a_verdict_for_every_pair(topology: Topology) -> None:
    for pair in explain(topology, outside="203.0.113.114"):
        assert pair.predicted.verdict in ("reachable", "unreachable")
        assert pair.predicted.reason
        if pair.predicted.verdict == "unreachable":
            assert pair.predicted.disposition not in ("accepted", "delivered")
