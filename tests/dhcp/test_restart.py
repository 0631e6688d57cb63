"""Clients outlive the backend, and a restarted backend leaves no orphan and no gap.

The backend is a real process killed with SIGKILL while its clients hold leases; the
"restarted backend" is a fresh ``DhcpClients`` that knows only the state directory.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

from netwright.backend.dhcp import DhcpClients
from netwright.backend.engine import Target
from tests.dhcp.conftest import (
    LAB_TWO_MACVLANS,
    LabRig,
    addresses,
    kill_mid_lease,
    run,
    udhcpc_pids,
)


def test_restart_adopts_clients_of_a_deployed_topology(lab_rig: LabRig, topo: Any,
                                                       tmp_path: Path) -> None:
    topology = topo(LAB_TWO_MACVLANS)
    lab_rig.deploy(topology)
    kill_mid_lease("backend_child.py", lab_rig.state_dir, tmp_path)
    before = udhcpc_pids(lab_rig.state_dir)
    assert len(before) == 2  # the leases live on while no backend runs

    restarted = DhcpClients(lab_rig.state_dir, Target.lab())
    assert restarted.reconcile({"dhcplab": topology}) == []
    assert udhcpc_pids(lab_rig.state_dir) == before  # adopted: no second client per interface
    states = {s.request.key: s for s in restarted.states(topology)}
    assert {k: s.phase for k, s in states.items()} == {"mv1": "bound", "mv2": "bound"}
    assert sorted(s.pid or 0 for s in states.values()) == before


def test_restart_stops_orphans_of_a_topology_no_longer_deployed(lab_rig: LabRig, topo: Any,
                                                                tmp_path: Path) -> None:
    topology = topo(LAB_TWO_MACVLANS)
    lab_rig.deploy(topology)
    kill_mid_lease("backend_child.py", lab_rig.state_dir, tmp_path)
    assert len(lab_rig.server.leases()) == 2

    restarted = DhcpClients(lab_rig.state_dir, Target.lab())
    assert restarted.reconcile({}) == [("dhcplab", "mv1"), ("dhcplab", "mv2")]
    assert udhcpc_pids(lab_rig.state_dir) == []
    assert lab_rig.served(set()) == {}  # stopped orphans released their leases
    assert addresses("lab-net1", "mv1") == []


def test_a_killed_client_is_restarted_with_the_same_lease(lab_rig: LabRig, topo: Any) -> None:
    topology = topo(LAB_TWO_MACVLANS)
    lab_rig.deploy(topology)
    lab_rig.clients.start(topology)
    first = run(lab_rig.clients.wait_for_leases(topology, 15))
    victim = lab_rig.clients.running("dhcplab")[("dhcplab", "mv1")]
    subprocess.run(["kill", "-9", str(victim.pid)], check=True)
    deadline = time.monotonic() + 5
    while ("dhcplab", "mv1") in lab_rig.clients.running() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert {s.request.key: s.phase for s in lab_rig.clients.states(topology)}["mv1"] == "stopped"

    lab_rig.clients.reconcile({"dhcplab": topology})
    again = run(lab_rig.clients.wait_for_leases(topology, 15))
    assert lab_rig.clients.running()[("dhcplab", "mv1")].pid != victim.pid
    assert again["mv1"].address == first["mv1"].address  # the server kept it for this client
    assert [f"{a['local']}/{a['prefixlen']}" for a in addresses("lab-net1", "mv1")] == [
        first["mv1"].address]
    assert len(udhcpc_pids(lab_rig.state_dir)) == 2


def test_renew_extends_the_lease(lab_rig: LabRig, topo: Any) -> None:
    topology = topo(LAB_TWO_MACVLANS)
    lab_rig.deploy(topology)
    lab_rig.clients.start(topology)
    first = run(lab_rig.clients.wait_for_leases(topology, 15))
    time.sleep(1.1)  # the script records whole seconds
    assert lab_rig.clients.renew("dhcplab") == 2
    deadline = time.monotonic() + 5
    renewed = first
    while time.monotonic() < deadline:
        renewed = lab_rig.clients.leases("dhcplab")
        if all(renewed[k].obtained > first[k].obtained for k in first if k in renewed):
            break
        time.sleep(0.05)
    assert all(renewed[k].expires > first[k].expires for k in first)
    assert {s.last_event for s in lab_rig.clients.states(topology)} == {"renew"}
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        served = {lease.address: lease.expires for lease in lab_rig.server.leases()}
        if all(served.get(renewed[k].ip, 0) >= int(renewed[k].expires) - 1 for k in renewed):
            break
        time.sleep(0.05)
    assert all(served[renewed[k].ip] >= int(renewed[k].expires) - 1 for k in renewed)


def test_changed_client_id_restarts_the_client(lab_rig: LabRig, topo: Any) -> None:
    topology = topo(LAB_TWO_MACVLANS)
    lab_rig.deploy(topology)
    lab_rig.clients.start(topology)
    run(lab_rig.clients.wait_for_leases(topology, 15))
    before = lab_rig.clients.running("dhcplab")
    changed = topo(LAB_TWO_MACVLANS.replace(
        "namespace: net2, addresses: [dhcp]", "namespace: net2,"
        " addresses: [{dhcp: {client-id: lab-two}}]"))
    lab_rig.clients.start(changed)
    after = lab_rig.clients.running("dhcplab")
    assert after[("dhcplab", "mv1")] == before[("dhcplab", "mv1")]
    assert after[("dhcplab", "mv2")].pid != before[("dhcplab", "mv2")].pid
    leases = run(lab_rig.clients.wait_for_leases(changed, 15))
    served = lab_rig.served({leases["mv1"].ip, leases["mv2"].ip})
    assert served[leases["mv2"].ip].client_id == "00:" + ":".join(
        f"{b:02x}" for b in b"lab-two")
    assert len(served) == 2  # the old identity's lease was released when its client stopped


def test_prepare_stops_only_clients_the_new_topology_drops(lab_rig: LabRig, topo: Any) -> None:
    topology = topo(LAB_TWO_MACVLANS)
    lab_rig.deploy(topology)
    lab_rig.clients.start(topology)
    first = run(lab_rig.clients.wait_for_leases(topology, 15))
    kept = lab_rig.clients.running("dhcplab")[("dhcplab", "mv1")]
    static = topo(LAB_TWO_MACVLANS.replace("namespace: net2, addresses: [dhcp]",
                                           "namespace: net2, addresses: [192.168.31.9/24]"))
    assert lab_rig.clients.prepare("dhcplab", static) == ["mv2"]
    assert list(lab_rig.clients.running("dhcplab")) == [("dhcplab", "mv1")]
    assert lab_rig.clients.running("dhcplab")[("dhcplab", "mv1")] == kept
    assert set(lab_rig.served({first["mv1"].ip})) == {first["mv1"].ip}  # mv2's released
    assert lab_rig.clients.prepare("dhcplab", None) == ["mv1"]
    assert udhcpc_pids(lab_rig.state_dir) == []
