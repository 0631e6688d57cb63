"""Comparing a design with the observed host, and copying observed objects into a design:
pure data (snapshots in, differences and edits out)."""

from __future__ import annotations

from typing import Any

from netwright.gui.model.live_compare import DRIFTED, EXTRA, MISSING, compare, overlay
from netwright.gui.model.live_copy import copy_edits, needed
from netwright.gui.model.snapshot import take_snapshot

LIVE: dict[str, Any] = {
    "netwright": 1, "name": "live-host",
    "host": {"nics": {"wlp2s0": {"addresses": ["192.168.31.240/24"]}}},
    "namespaces": {"obs-red": {"existing": True}, "sleep-42": {"existing": True}},
    "interfaces": {
        "obsbr0": {"kind": "bridge", "existing": True, "mtu": 1500},
        "obsvh1": {"kind": "veth", "existing": True, "mtu": 1400, "peer": "eth0",
                   "master": "obsbr0"},
        "eth0": {"kind": "veth", "existing": True, "namespace": "obs-red", "mtu": 1400,
                 "peer": "obsvh1", "addresses": ["172.30.0.2/24"]},
        "obsvh2": {"kind": "veth", "existing": True, "mtu": 1500, "peer": "sleep-42-eth",
                   "master": "obsbr0"},
        "sleep-42-eth": {"kind": "veth", "name": "eth0", "existing": True,
                         "namespace": "sleep-42", "mtu": 1500, "peer": "obsvh2"},
    },
    "layout": {"obsbr0": {"x": 0, "y": 0}, "obs-red": {"x": 300, "y": 0},
               "sleep-42": {"x": 300, "y": 200}, "wlp2s0": {"x": 0, "y": -200}},
}
DESIGN: dict[str, Any] = {
    "netwright": 1, "name": "mine",
    "namespaces": {"obs-red": {"existing": True}, "blue": {}},
    "interfaces": {
        # eth0 in obs-red as the kernel knows it, under another key, with another address
        "red-end": {"kind": "veth", "name": "eth0", "namespace": "obs-red", "existing": True,
                    "peer": "obsvh1", "addresses": ["172.30.0.9/24"]},
        "obsvh1": {"kind": "veth", "existing": True, "peer": "red-end", "master": "obsbr0",
                   "mtu": 1500},
        "obsbr0": {"kind": "bridge", "existing": True},
        "eth0": {"kind": "veth", "namespace": "blue", "peer": "b2"},
        "b2": {"kind": "veth", "peer": "eth0", "master": "obsbr0"},
    },
    "layout": {"obs-red": {"x": 0, "y": 0}, "blue": {"x": 400, "y": 100}},
}


def test_objects_match_as_the_kernel_knows_them_and_each_difference_is_named() -> None:
    result = compare(take_snapshot(DESIGN), take_snapshot(LIVE),
                     {"forwarding": {"ipv4": False, "ipv6": False}, "nftables": []})
    assert result.design_to_live["red-end"] == "eth0"  # by namespace and kernel name
    kinds = {d.key: d.kind for d in result.differences}
    assert kinds == {
        "blue": MISSING, "eth0 (design)": MISSING, "b2": MISSING,
        "eth0": DRIFTED, "obsvh1": DRIFTED,
        "sleep-42": EXTRA, "wlp2s0": EXTRA, "obsvh2": EXTRA, "sleep-42-eth": EXTRA}
    texts = {d.key: d.text for d in result.differences}
    assert texts["eth0"] == "veth eth0 in namespace obs-red: addresses 172.30.0.9/24 →" \
        " 172.30.0.2/24"
    assert texts["obsvh1"] == "veth obsvh1 in the host: MTU 1500 → 1400"
    assert texts["blue"] == "namespace blue: in the design, not on the host"
    assert result.summary() == "3 missing on the host, 4 extra on the host, 2 drifted"


def test_a_changed_parent_or_state_is_drift() -> None:
    design = {**LIVE, "interfaces": {**LIVE["interfaces"], "obsvh2": {
        **LIVE["interfaces"]["obsvh2"], "master": None, "state": "down"}}}
    result = compare(take_snapshot(design), take_snapshot(LIVE))
    drifted = [d.text for d in result.differences if d.kind == DRIFTED]
    assert drifted == ["veth obsvh2 in the host: state down → up; master none → obsbr0"]


def test_the_overlay_draws_missing_objects_wired_to_what_the_host_calls_them() -> None:
    design, live = take_snapshot(DESIGN), take_snapshot(LIVE)
    data = overlay(LIVE, design, compare(design, live))
    assert data["namespaces"]["blue"] == {}
    assert data["interfaces"]["eth0 (design)"] == {"kind": "veth", "namespace": "blue",
                                                   "peer": "b2", "name": "eth0"}
    assert data["interfaces"]["b2"] == {"kind": "veth", "peer": "eth0 (design)",
                                        "master": "obsbr0"}
    assert data["interfaces"]["eth0"] == LIVE["interfaces"]["eth0"]  # the host's, untouched


def test_a_copy_brings_what_it_needs_and_reuses_what_the_design_has() -> None:
    live = take_snapshot(LIVE)
    assert needed(live, ["obsvh2"]) == ["obsvh2", "sleep-42-eth", "obsbr0", "sleep-42"]
    design = take_snapshot(DESIGN)
    edits, keys = copy_edits(design, live, ["obsvh2"])
    # obsbr0 is the design's already; the container's eth0 keeps its key (free in the design)
    assert keys == ["obsvh2", "sleep-42-eth", "sleep-42"]
    values = {e.path: e.value for e in edits}
    assert values[("interfaces", "obsvh2")]["master"] == "obsbr0"
    assert values[("interfaces", "sleep-42-eth")] == LIVE["interfaces"]["sleep-42-eth"]
    assert values[("namespaces", "sleep-42")] == {"existing": True}
    # placed right of the design (its right edge 400, plus the gap), as on the host
    assert values[("layout", "sleep-42")] == {"x": 600, "y": 0}


def test_a_key_the_design_uses_for_something_else_is_renamed_keeping_the_kernel_name() -> None:
    live = take_snapshot(LIVE)
    design = take_snapshot({"netwright": 1, "name": "d", "namespaces": {"net1": {}},
                            "interfaces": {"eth0": {"kind": "macvlan", "namespace": "net1"}}})
    edits, keys = copy_edits(design, live, ["obs-red"])
    assert keys == ["obs-red", "eth0-2", "obsvh1", "obsbr0"]
    values = {e.path: e.value for e in edits}
    assert values[("interfaces", "eth0-2")]["name"] == "eth0"
    assert values[("interfaces", "obsvh1")]["peer"] == "eth0-2"
    assert copy_edits(take_snapshot(LIVE), live, ["obs-red"]) == ([], [])
