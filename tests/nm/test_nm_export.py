"""`netwright export --format nmcli`: the script runs against a real NetworkManager, builds the
same profiles `apply` writes, and Netwright adopts them afterwards."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from nm_harness import Harness

from netwright.backend.nm.client import NmClient
from netwright.backend.nm.persist import plan_persist
from netwright.backend.nm.transaction import begin
from netwright.backend.topology import parse_topology

DESIGN = """netwright: 1
name: exp
namespaces: {ns1: {}}
interfaces:
  brx: {kind: bridge, persist: true, addresses: [10.81.0.1/24], mtu: 1400,
        mac: "02:00:00:00:00:81"}
  vx0: {kind: vxlan, vni: 42, remote: 10.81.0.9, persist: true, master: brx}
  vh: {kind: veth, peer: vn, master: brx}
  vn: {kind: veth, peer: vh, namespace: ns1, addresses: [10.81.0.2/24]}
"""


def export(tmp_path: Path, text: str) -> str:
    design = tmp_path / "exp.yaml"
    design.write_text(text)
    result = subprocess.run(
        [sys.executable, "-m", "netwright.backend.cli.main", "export", "--format", "nmcli",
         str(design)], capture_output=True, text=True, check=True, timeout=60)
    return result.stdout


def test_export_lists_only_the_persistent_part(tmp_path: Path) -> None:
    script = export(tmp_path, DESIGN)
    assert script.startswith("#!/bin/sh\n")
    assert script.count("nmcli connection add") == 2
    assert "con-name netwright-exp-brx ifname brx" in script
    assert "connection.master brx" in script
    assert "Runtime objects" in script and "vh, vn" in script
    nothing = export(tmp_path, "netwright: 1\nname: e\ninterfaces:\n  b: {kind: bridge}\n")
    assert "nmcli connection add" not in nothing


async def test_exported_script_builds_what_apply_would(tmp_path: Path, harness: Harness,
                                                       nm: NmClient) -> None:
    script = tmp_path / "exp.sh"
    script.write_text(export(tmp_path, DESIGN))
    subprocess.run(["sh", "-e", str(script)], check=True, env=harness.nm.env, timeout=120,
                   capture_output=True)
    assert harness.nm.addresses("brx") == ["10.81.0.1/24"]
    links = harness.nm.links()
    assert links["vx0"].get("master") == "brx"
    assert links["brx"]["mtu"] == 1400
    assert links["brx"]["address"] == "02:00:00:00:00:81"
    harness.nm.wait_for(lambda: harness.nm.device_state("brx") == "connected", "brx connected")

    topology = parse_topology(DESIGN)
    plan = await plan_persist(nm, topology, netns=harness.nm.netns)
    assert {s.action for s in plan.steps} <= {"modify"}  # adopted, never created twice
    await (await begin(nm, plan, netns=harness.nm.netns)).commit()
    assert (await plan_persist(nm, topology, netns=harness.nm.netns)).empty
    assert sorted(p for p in harness.nm.profiles() if p.startswith("netwright-")) == [
        "netwright-exp-brx", "netwright-exp-vx0"]
