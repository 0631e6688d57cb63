"""From check results and engine sentences back to canvas items."""

from __future__ import annotations

from pathlib import Path

from netwright.backend.topology.document import Document
from netwright.gui.model.paths import failing_key, path_wires, target_key
from netwright.gui.model.snapshot import take_snapshot

REPO = Path(__file__).resolve().parents[2]


def _snapshot(name: str):  # type: ignore[no-untyped-def]
    return take_snapshot(Document.from_file(REPO / "examples" / name).tree)


def test_the_path_to_the_parent_is_the_child_wire() -> None:
    seed = _snapshot("seed-ipvlan-l2.yaml")
    pair = {"source": "net1", "target_name": "wlp2s0 (host NIC)"}
    assert target_key(seed, pair) == "wlp2s0"
    assert path_wires(seed, pair) == [("parent", "ipvlan1", "wlp2s0")]
    across = {"source": "net1", "target_name": "net2/ipvlan2"}
    assert target_key(seed, across) == "ipvlan2"
    assert sorted(path_wires(seed, across)) == [("parent", "ipvlan1", "wlp2s0"),
                                                 ("parent", "ipvlan2", "wlp2s0")]


def test_paths_through_a_bridge_and_kernel_names() -> None:
    docker = _snapshot("docker-bridge.yaml")
    pair = {"source": "c1", "target_name": "c2/eth0"}
    assert target_key(docker, pair) == "c2-eth0"
    wires = path_wires(docker, pair)
    assert ("master", "veth-c1", "docker0") in wires and ("master", "veth-c2", "docker0") in wires


def test_a_failed_step_names_its_item() -> None:
    seed = _snapshot("seed-ipvlan-l2.yaml")
    assert failing_key(seed, "create ipvlan ipvlan2 in namespace net2") == "ipvlan2"
    assert failing_key(seed, "nothing known here") is None
