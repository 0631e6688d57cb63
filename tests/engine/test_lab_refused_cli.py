"""``netwright plan|apply --local --lab`` of a design the engine refuses leaves the lab as it
was: the design's host NIC, added so the plan could be made, goes again."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path
from typing import Any

from netwright.backend.lab import destroy_lab
from tests.engine.conftest import ROOT, wait_for_no_orphans
from tests.engine.test_cli import cli

EMPTY = "netwright: 1\nname: empty\nnamespaces: {n0: {}}\n"
REFUSED = ROOT / "tests" / "service" / "data" / "lab-refused.yaml"


def _host_links() -> set[str]:
    out = subprocess.run(["ip", "-n", "nwlab-host", "-j", "link", "show"], check=True,
                         capture_output=True, text=True).stdout
    return {link["ifname"] for link in json.loads(out)}


def test_a_refused_local_lab_plan_or_apply_adds_no_nic(tmp_path: Path, clean_host: Any) -> None:
    state = tmp_path / "state"
    empty = tmp_path / "empty.yaml"
    empty.write_text(EMPTY)
    try:
        built = cli("plan", "--local", "--lab", str(empty), state_dir=state)
        assert built.returncode == 0, built.stderr
        subprocess.run(["ip", "-n", "nwlab-host", "link", "add", "vx0", "type", "veth",
                        "peer", "name", "vy0"], check=True)
        before = _host_links()
        for argv in (["plan"], ["apply", "--yes"]):
            answer = cli(*argv, "--local", "--lab", str(REFUSED), state_dir=state)
            assert answer.returncode == 1 and "vx0" in answer.stderr, answer.stderr
            assert _host_links() == before, f"{argv[0]}: the refused design's eth1 stayed"
    finally:
        subprocess.run(["ip", "-n", "nwlab-host", "link", "del", "vx0"], check=False)
        asyncio.run(destroy_lab(state_dir=state))
    assert wait_for_no_orphans(clean_host) == clean_host
