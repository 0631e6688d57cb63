"""A bridge's leaf ports (``Layer2.leaf_ports``: a veth whose peer is on no bridge) are
added at once on an arrival instead of walked port by port: what every device's frames
reach must be exactly what the walk alone finds, on every example and on random layer-2
webs (bridges joined by veth pairs, loops among them, macvlan children, down ends)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netwright.backend.checks.l2 import Layer2
from netwright.backend.checks.network import Network
from netwright.backend.topology import Topology
from netwright.backend.topology.document import load_topology

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.yaml"))


def assert_walked_alike(topology: Topology, monkeypatch: pytest.MonkeyPatch) -> None:
    network = Network(topology)
    with_leaves = Layer2(network)
    with monkeypatch.context() as patch:
        patch.setattr(Layer2, "_leaf_ports", lambda self, bridge: ({}, frozenset()))
        walked = Layer2(network)
        expected = {key: walked.emit(key) for key in network.devices}
    assert {key: with_leaves.emit(key) for key in network.devices} == expected


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_reach_what_the_walk_reaches(path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    assert_walked_alike(load_topology(path)[1], monkeypatch)


@st.composite
def webs(draw: st.DrawFn) -> Topology:
    bridges = [f"br{b}" for b in range(draw(st.integers(1, 3)))]
    interfaces: dict[str, Any] = {b: {"kind": "bridge",
                                      "state": draw(st.sampled_from(["up"] * 5 + ["down"]))}
                                  for b in bridges}
    namespaces: dict[str, Any] = {}
    for i in range(draw(st.integers(1, 7))):
        end = draw(st.sampled_from(["namespace"] * 3 + ["bridge"]))  # the far end
        near: dict[str, Any] = {"kind": "veth", "peer": f"e{i}",
                                "master": draw(st.sampled_from(bridges))}
        far: dict[str, Any] = {"kind": "veth", "peer": f"p{i}",
                               "state": draw(st.sampled_from(["up"] * 5 + ["down"]))}
        if end == "bridge":
            far["master"] = draw(st.sampled_from(bridges))  # a loop when it is near's own
        else:
            namespaces[f"h{i}"] = {}
            far.update(namespace=f"h{i}", name="eth0", addresses=[f"10.0.0.{i + 1}/24"])
            if draw(st.booleans()):
                interfaces[f"m{i}"] = {"kind": "macvlan", "parent": f"e{i}",
                                       "namespace": f"h{i}", "name": "mv0",
                                       "mode": draw(st.sampled_from(["bridge", "private"]))}
        interfaces[f"p{i}"], interfaces[f"e{i}"] = near, far
    return Topology.model_validate({"netwright": 1, "name": "web", "namespaces": namespaces,
                                    "interfaces": interfaces})


@settings(max_examples=200, deadline=None)
@given(webs())
def test_random_webs_reach_what_the_walk_reaches(topology: Topology) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert_walked_alike(topology, monkeypatch)
