"""A design whose host NIC shares a LAN (and an address) with another deployment's NIC in the
lab hears, in its plan, which NIC keeps the default route and what that breaks."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from netwright.backend.lab import destroy_lab
from netwright.backend.lab.shared_lan import shared_lan_notes
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
