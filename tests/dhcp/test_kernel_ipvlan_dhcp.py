"""Stock-kernel tier: ipvlan l2 children (one shared MAC) asking the lab's dnsmasq.

Run with tests/kernel/run-kernel-tier (this machine's kernel has no ipvlan).
- Distinct client-ids (derived by Netwright): two leases, two addresses, both reachable.
- The same client-id forced on both: the server sees one client and leases one address; the
  first child holds it, ipvlan refuses it to the second ("Address already assigned to an
  ipvlan device"); the
  prediction (``shared_identities``) names the pair, Status explains it; nothing crashes.
"""

from __future__ import annotations

import subprocess
import time
from typing import Any

import pytest

from netwright.backend.checks import CheckOptions, run_check
from netwright.backend.dhcp import client_id_bytes, client_id_text, shared_identities
from netwright.backend.lab import LAB_OUTSIDE_ADDRESS
from tests.dhcp.conftest import LabRig, addresses, mac_of, run, udhcpc_pids

pytestmark = pytest.mark.kernel

IPVLAN_LAB = """\
netwright: 1
name: dhcpvlan
host: {nics: {wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}}}
namespaces: {net1: {}, net2: {}}
interfaces:
  ipvlan1: {kind: ipvlan, parent: wlp2s0, mode: l2, namespace: net1, addresses: [ADDR1]}
  ipvlan2: {kind: ipvlan, parent: wlp2s0, mode: l2, namespace: net2, addresses: [ADDR2]}
"""


def ping(netns: str, address: str) -> bool:
    return subprocess.run(["ip", "netns", "exec", netns, "ping", "-c1", "-W2", address],
                          capture_output=True, check=False).returncode == 0


def test_distinct_client_ids_two_leases_both_reachable(lab_rig: LabRig, topo: Any) -> None:
    topology = topo(IPVLAN_LAB.replace("ADDR1", "dhcp").replace("ADDR2", "dhcp"))
    assert shared_identities(topology) == []
    lab_rig.deploy(topology)  # the engine's apply starts the clients
    leases = run(lab_rig.clients.wait_for_leases(topology, 60))
    assert set(leases) == {"ipvlan1", "ipvlan2"}
    assert leases["ipvlan1"].ip != leases["ipvlan2"].ip
    parent_mac = mac_of("nwlab-host", "wlp2s0")
    served = lab_rig.served({leases["ipvlan1"].ip, leases["ipvlan2"].ip})
    for key, ns in (("ipvlan1", "lab-net1"), ("ipvlan2", "lab-net2")):
        assert mac_of(ns, key) == parent_mac  # the seed's situation: one MAC for all
        line = served[leases[key].ip]
        assert line.mac == parent_mac
        assert line.client_id == client_id_text(client_id_bytes(f"netwright/dhcpvlan/{key}"))
        assert [f"{a['local']}/{a['prefixlen']}" for a in addresses(ns, key)] == [
            leases[key].address]
    assert ping("nwlab-router", leases["ipvlan1"].ip)
    assert ping("nwlab-router", leases["ipvlan2"].ip)
    # the check probes the leased addresses, and predicts them right
    deployment = run(lab_rig.engine.deployment("dhcpvlan"))
    result = run(run_check(deployment, CheckOptions(timeout=1.0, outside=LAB_OUTSIDE_ADDRESS)))
    pairs = {(p.source, p.target.address): p for p in result.pairs}
    for source, key in (("net1", "ipvlan2"), ("net2", "ipvlan1")):
        pair = pairs[(source, leases[key].ip)]
        assert pair.predicted.verdict == "reachable"
        assert pair.observed is not None and pair.observed.verdict == "reachable"


def test_forced_same_client_id_is_predicted_observed_and_explained(lab_rig: LabRig,
                                                                   topo: Any) -> None:
    same = "{dhcp: {client-id: same}}"
    topology = topo(IPVLAN_LAB.replace("ADDR1", same).replace("ADDR2", same))
    assert shared_identities(topology) == [["ipvlan1", "ipvlan2"]]  # predicted
    lab_rig.deploy(topology)
    deadline = time.monotonic() + 60
    states = {s.request.key: s for s in lab_rig.clients.states(topology)}
    while time.monotonic() < deadline and sorted(s.phase for s in states.values()) != [
            "bound", "refused"]:
        time.sleep(0.1)
        states = {s.request.key: s for s in lab_rig.clients.states(topology)}
    assert sorted(s.phase for s in states.values()) == ["bound", "refused"]
    bound = next(s for s in states.values() if s.phase == "bound")
    refused = next(s for s in states.values() if s.phase == "refused")
    assert bound.lease is not None
    served = list(lab_rig.served({bound.lease.ip}).values())
    assert [lease.address for lease in served] == [bound.lease.ip]  # one client to the server
    assert served[0].client_id == client_id_text(client_id_bytes("same"))
    text = refused.describe()
    # the kernel's words (6.1): "Address already assigned to an ipvlan device."
    assert bound.lease.ip in text and "already assigned to an ipvlan" in text
    assert "took both for one client" in text
    assert len(udhcpc_pids(lab_rig.state_dir)) == 2  # nothing crashed
    # the check predicts it in the same words, and probes only the address that exists
    deployment = run(lab_rig.engine.deployment("dhcpvlan"))
    assert deployment.leases == {bound.request.key: bound.lease.address}
    result = run(run_check(deployment, CheckOptions(timeout=1.0, outside=LAB_OUTSIDE_ADDRESS)))
    assert any("ipvlan1, ipvlan2" in note and "already assigned to an ipvlan" in note
               for note in result.notes)
    status = run(lab_rig.engine.status("dhcpvlan"))
    assert sorted(d["phase"] for d in status.dhcp) == ["bound", "refused"]
