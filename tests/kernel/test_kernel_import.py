"""`netwright import` of dummy, 802.1Q/802.1ad vlan and ipvlan objects, which this machine's
kernel lacks: a namespace plays the host (as the lab's does), built with iproute2; the file
validates, carries each kind's fields, plans nothing when applied where it came from, and as a
design rebuilds the same graph on an empty host."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from netwright.backend.engine import Engine
from netwright.backend.engine.target import Target
from netwright.backend.hostimport.to_topology import host_yaml
from netwright.backend.observe.host import observe_host
from netwright.backend.topology import parse_topology

FreshNetns = Callable[[], tuple[str, Any]]


def _ip(command: str) -> None:
    subprocess.run(f"set -e\n{command}", shell=True, check=True, capture_output=True)


def _build(host: str, child: str) -> None:
    """In ``host``: a dummy NIC with an 802.1Q and an 802.1ad vlan; an ipvlan (l3, private)
    of that dummy moved into ``child``, which holds a dummy of its own, down. (The vlans are
    up: the kernel brings a vlan up with its parent, so a down one would not rebuild down.)"""
    _ip(f"""
ip -n {host} link add nic0 type dummy
ip -n {host} link set nic0 up
ip -n {host} addr add 192.0.2.1/24 dev nic0
ip -n {host} link add link nic0 name nic0.100 type vlan id 100
ip -n {host} link add link nic0 name nic0.7 type vlan protocol 802.1ad id 7
ip -n {host} link set nic0.100 up
ip -n {host} link set nic0.7 up
ip -n {host} link add link nic0 name ipv0 type ipvlan mode l3 private
ip -n {host} link set ipv0 netns {child}
ip -n {child} addr add 192.0.2.9/24 dev ipv0
ip -n {child} link set ipv0 up
ip -n {child} link add dum1 type dummy
""")


@pytest.fixture
def built(fresh_netns: FreshNetns) -> tuple[str, str]:
    """(host, child): two fresh namespaces holding what ``_build`` makes."""
    host, _ = fresh_netns()
    child, _ = fresh_netns()
    _build(host, child)
    return host, child


def _imported(host: str, **options: Any) -> tuple[str, dict[str, Any]]:
    text, skipped = host_yaml(observe_host(host=host), "kinds", **options)
    assert skipped == []
    parse_topology(text)  # validates, or raises with the problems
    data: dict[str, Any] = yaml.safe_load(text)
    return text, data


@pytest.mark.kernel
def test_dummy_vlan_and_ipvlan_are_imported_with_their_fields(
        built: tuple[str, str], tmp_path: Path) -> None:
    host, child = built
    text, data = _imported(host)
    links = data["interfaces"]
    assert links["nic0"] == {**links["nic0"], "kind": "dummy", "existing": True,
                             "addresses": ["192.0.2.1/24"]}
    assert links["nic0.100"] == {**links["nic0.100"], "kind": "vlan", "parent": "nic0",
                                 "id": 100, "protocol": "802.1Q"}
    assert links["nic0.7"] == {**links["nic0.7"], "kind": "vlan", "parent": "nic0", "id": 7,
                               "protocol": "802.1ad"}
    # an ipvlan moved into another namespace still names its parent in the host
    assert links["ipv0"] == {**links["ipv0"], "kind": "ipvlan", "namespace": child,
                             "parent": "nic0", "mode": "l3", "flag": "private",
                             "addresses": ["192.0.2.9/24"]}
    assert links["dum1"] == {**links["dum1"], "kind": "dummy", "namespace": child,
                             "state": "down"}

    # applied where it came from, the file changes nothing
    engine = Engine(tmp_path / "state", Target(host_netns=host))
    plan = asyncio.run(engine.plan(parse_topology(text)))
    assert plan.steps == []


@pytest.mark.kernel
def test_the_design_copy_rebuilds_the_same_graph_on_an_empty_host(
        built: tuple[str, str], fresh_netns: FreshNetns, tmp_path: Path) -> None:
    host, child = built
    _, first = _imported(host)
    design, _ = _imported(host, as_design=True)
    empty, _ = fresh_netns()
    # the original goes away first, so the copy's namespace gets its name back
    _ip(f"ip netns del {child}\nip netns del {host}")
    engine = Engine(tmp_path / "state", Target(host_netns=empty))
    try:
        asyncio.run(engine.apply(parse_topology(design)))
        _, again = _imported(empty)
        assert set(again["interfaces"]) == set(first["interfaces"])
        for key in first["interfaces"]:
            assert {k: v for k, v in again["interfaces"][key].items() if k != "mac"} == {
                k: v for k, v in first["interfaces"][key].items() if k != "mac"}
    finally:
        asyncio.run(engine.destroy("kinds"))
