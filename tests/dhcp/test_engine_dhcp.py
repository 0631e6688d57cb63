"""The engine runs the DHCP clients: started on apply, shown in the plan and Status, left alone
by a re-apply, released on destroy, adopted (not doubled) after the backend is killed, and the
checks probe the leased addresses."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from netwright.backend.checks import CheckOptions, run_check
from netwright.backend.engine import Engine, Target
from netwright.backend.lab import LAB_OUTSIDE_ADDRESS, build_lab
from tests.dhcp.conftest import (
    LAB_TWO_MACVLANS,
    ROOT,
    LabRig,
    addresses,
    kill_mid_lease,
    run,
    udhcpc_pids,
)


def netwright(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "netwright.backend.cli.main", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)


def test_apply_leases_status_reapply_destroy(lab_rig: LabRig, topo: Any) -> None:
    topology = topo(LAB_TWO_MACVLANS)
    run(build_lab(topology, state_dir=lab_rig.state_dir))
    engine = lab_rig.engine
    plan = run(engine.plan(topology))
    assert any("mv1 in namespace net1 asks DHCP" in note and "no client-id sent" in note
               for note in plan.notes)
    assert "asks DHCP" in plan.render() and plan.to_json()["notes"] == plan.notes

    run(engine.apply(topology))  # waits for the leases
    leases = engine.dhcp.leases("dhcplab")
    assert set(leases) == {"mv1", "mv2"} and leases["mv1"].ip != leases["mv2"].ip
    assert set(lab_rig.served({leases["mv1"].ip, leases["mv2"].ip})) == {
        leases["mv1"].ip, leases["mv2"].ip}

    status = run(engine.status("dhcplab"))
    assert status.ok, status.render()  # the leased addresses are not drift
    assert {d["interface"]: (d["phase"], d["address"], d["server"], d["router"])
            for d in status.dhcp} == {
        key: ("bound", lease.address, "192.168.31.1", "192.168.31.1")
        for key, lease in leases.items()}
    assert all(d["obtained"] <= time.time() < d["expires"] for d in status.dhcp)
    assert "DHCP lease" in status.render() and status.to_json()["dhcp"] == status.dhcp
    assert run(engine.deployment("dhcplab")).leases == {
        key: lease.address for key, lease in leases.items()}

    # the rig's engine runs in this process: the CLI reads its state directly (--local)
    shown = netwright("dhcp", "leases", "dhcplab", "--local", "--lab", "--json",
                      "--state-dir", str(lab_rig.state_dir))
    assert shown.returncode == 0, shown.stderr
    assert {c["interface"]: c["address"] for c in json.loads(shown.stdout)} == {
        key: lease.address for key, lease in leases.items()}
    served = netwright("dhcp", "server", "--local", "--lab", "--json", "--state-dir",
                       str(lab_rig.state_dir))
    assert {line["address"] for line in json.loads(served.stdout)} == {
        lease.ip for lease in leases.values()}

    pids = udhcpc_pids(lab_rig.state_dir)
    again = run(engine.apply(topology))
    assert again.plan.empty  # the leased addresses are left alone: no "remove address" step
    assert udhcpc_pids(lab_rig.state_dir) == pids
    assert [f"{a['local']}/{a['prefixlen']}" for a in addresses("lab-net1", "mv1")] == [
        leases["mv1"].address]

    run(engine.destroy("dhcplab"))
    assert udhcpc_pids(lab_rig.state_dir) == []
    assert lab_rig.served(set()) == {}  # released, as the server's lease file shows


def test_checks_probe_leased_addresses(lab_rig: LabRig, topo: Any) -> None:
    topology = topo(LAB_TWO_MACVLANS)
    run(build_lab(topology, state_dir=lab_rig.state_dir))
    run(lab_rig.engine.apply(topology))
    leases = lab_rig.engine.dhcp.leases("dhcplab")
    deployment = run(lab_rig.engine.deployment("dhcplab"))
    result = run(run_check(deployment, CheckOptions(timeout=0.5, outside=LAB_OUTSIDE_ADDRESS)))
    pairs = {(p.source, p.target.address): p for p in result.pairs}
    pair = pairs[("net1", leases["mv2"].ip)]
    assert pair.predicted.verdict == "reachable"
    assert pair.observed is not None and pair.observed.verdict == "reachable"
    assert pairs[("net2", leases["mv1"].ip)].observed.verdict == "reachable"  # type: ignore[union-attr]


def test_backend_killed_mid_lease_leaves_no_orphan_after_restart(lab_rig: LabRig, topo: Any,
                                                                 tmp_path: Path) -> None:
    topology = topo(LAB_TWO_MACVLANS)
    run(build_lab(topology, state_dir=lab_rig.state_dir))
    kill_mid_lease("engine_child.py", lab_rig.state_dir, tmp_path)
    before = udhcpc_pids(lab_rig.state_dir)
    assert len(before) == 2

    # one client also dies while no backend runs
    victim = lab_rig.clients.running("dhcplab")[("dhcplab", "mv2")]
    subprocess.run(["kill", "-9", str(victim.pid)], check=True)

    restarted = Engine(lab_rig.state_dir, Target.lab())
    run(restarted.recover())
    after = udhcpc_pids(lab_rig.state_dir)
    survivor = next(pid for pid in before if pid != victim.pid)
    assert len(after) == 2 and survivor in after  # adopted, not doubled
    assert victim.pid not in after  # the dead one was started again
    # the restarted client takes its lease again (a client killed with SIGKILL never
    # released it; the server kept it for that client-id)
    assert set(run(restarted.dhcp.wait_for_leases(topology, 15))) == {"mv1", "mv2"}
    run(restarted.destroy("dhcplab"))
    assert udhcpc_pids(lab_rig.state_dir) == []
    assert lab_rig.served(set()) == {}
