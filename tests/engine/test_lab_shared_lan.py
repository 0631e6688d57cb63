"""A design whose host NIC shares a LAN (and an address) with another deployment's NIC in the
lab hears, in its plan, which NIC keeps the default route and what that breaks."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from netwright.backend.lab import destroy_lab
from netwright.backend.lab.shared_lan import shared_lan_notes, uplink_elsewhere_notes
from netwright.backend.topology import parse_topology
from netwright.backend.topology.model import HostNic
from tests.engine.conftest import ROOT, wait_for_no_orphans
from tests.engine.test_cli import cli

DOCKER = ROOT / "examples" / "docker-bridge.yaml"
MACVLAN = ROOT / "examples" / "macvlan-bridge.yaml"
NIC = HostNic.model_validate({"addresses": ["192.168.31.240/24"], "gateway": "192.168.31.1"})
BOTH = {"wlp2s0": NIC, "eth1": NIC}


def _design(path: Path) -> Any:
    return parse_topology(path.read_text(), str(path))


def test_the_design_whose_nic_lost_the_default_route_hears_what_breaks() -> None:
    [note] = shared_lan_notes(_design(DOCKER), BOTH, "eth1", {"eth1": ["macvlan"]})
    assert note.startswith("WARNING: the lab host already holds 192.168.31.240 on eth1 (the NIC"
                           " deployment macvlan builds on), the address this design gives"
                           " wlp2s0"), note
    assert ("the host's default route leaves by eth1, not wlp2s0" in note
            and "masquerade" in note), note


def test_the_design_joining_beside_the_uplink_hears_what_it_takes() -> None:
    [note] = shared_lan_notes(_design(MACVLAN), BOTH, "wlp2s0", {"wlp2s0": ["docker"]})
    assert "192.168.31.240 on wlp2s0 (the NIC deployment docker builds on)" in note, note
    assert "the host's default route leaves by wlp2s0, not eth1" in note, note


def test_no_warning_without_another_deployment_on_the_lan() -> None:
    assert shared_lan_notes(_design(MACVLAN), BOTH, "wlp2s0", {}) == []
    assert shared_lan_notes(_design(MACVLAN), BOTH, "eth1", {"eth1": ["macvlan"]}) == []


def test_the_second_design_on_one_lan_is_warned_in_its_plan(tmp_path: Path,
                                                             clean_host: Any) -> None:
    state = tmp_path / "state"
    try:
        applied = cli("apply", "--local", "--lab", "--yes", str(DOCKER), state_dir=state)
        assert applied.returncode == 0, applied.stderr
        planned = cli("plan", "--local", "--lab", "--json", str(MACVLAN), state_dir=state)
        assert planned.returncode == 0, planned.stderr
        notes = json.loads(planned.stdout).get("notes", [])
        assert any(n.startswith("WARNING: the lab host already holds 192.168.31.240 on"
                                " wlp2s0") for n in notes), notes
    finally:
        cli("destroy", "--local", "--lab", "docker", state_dir=state)
        asyncio.run(destroy_lab(state_dir=state))
    assert wait_for_no_orphans(clean_host) == clean_host


def _docker_on_eth0() -> Any:
    text = DOCKER.read_text().replace("wlp2s0", "eth0").replace("192.168.31.", "10.99.0.")
    return parse_topology(text, "docker-eth0.yaml")


ETH0 = HostNic.model_validate({"addresses": ["10.99.0.240/24"], "gateway": "10.99.0.1"})


def test_a_design_whose_nic_is_on_another_lan_than_the_kept_uplink_hears_it() -> None:
    """The route stays on wlp2s0 for docker (build._uplink_for); a design on eth0 of its
    own subnet shares no LAN with it, so shared_lan_notes says nothing: this does."""
    nics = {"wlp2s0": NIC, "eth0": ETH0}
    assert shared_lan_notes(_docker_on_eth0(), nics, "wlp2s0", {"wlp2s0": ["docker"]}) == []
    [note] = uplink_elsewhere_notes(_docker_on_eth0(), nics, "wlp2s0", {"wlp2s0": ["docker"]})
    assert note.startswith("WARNING: the lab host's default route leaves by wlp2s0, the NIC"
                           " deployment docker builds on, not by eth0: "), note
    assert "rules this design sets on eth0 for it (masquerade" in note, note


def test_no_uplink_warning_when_the_route_is_the_designs_or_nobodys() -> None:
    nics = {"wlp2s0": NIC, "eth0": ETH0}
    assert uplink_elsewhere_notes(_docker_on_eth0(), nics, "eth0", {"wlp2s0": ["docker"]}) == []
    assert uplink_elsewhere_notes(_docker_on_eth0(), nics, "wlp2s0", {}) == []
    # on the uplink's own LAN the shared-LAN warning speaks instead
    assert uplink_elsewhere_notes(_design(MACVLAN), BOTH, "wlp2s0",
                                  {"wlp2s0": ["docker"]}) == []
