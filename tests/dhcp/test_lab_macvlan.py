"""Lab, two macvlan children (distinct MACs) on the emulated uplink, a real dnsmasq serving.

Each child gets its own lease; the address sits on the child with the lease's lifetime; the
server's lease file shows both (keyed by each child's MAC-based client-id); stopping the
clients releases both leases (the lease file shows it) and removes the addresses.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

from netwright.backend.dhcp import requests
from tests.dhcp.conftest import (
    LAB_TWO_MACVLANS,
    ROOT,
    LabRig,
    addresses,
    mac_of,
    run,
    udhcpc_pids,
)


def netwright(*args: str) -> subprocess.CompletedProcess[str]:
    """The command line, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "netwright.backend.cli.main", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)


def test_two_children_two_leases_then_released(lab_rig: LabRig, topo: Any) -> None:
    topology = topo(LAB_TWO_MACVLANS)
    assert [r.origin for r in requests(topology)] == ["mac", "mac"]
    lab_rig.deploy(topology)
    lab_rig.clients.start(topology)  # the engine's apply starts them too: this adds none
    leases = run(lab_rig.clients.wait_for_leases(topology, 15))
    assert set(leases) == {"mv1", "mv2"}
    assert leases["mv1"].ip != leases["mv2"].ip
    for key, ns in (("mv1", "lab-net1"), ("mv2", "lab-net2")):
        lease = leases[key]
        assert lease.server == "192.168.31.1" and lease.router == "192.168.31.1"
        assert 100 < lease.seconds_left() <= 120
        on_link = addresses(ns, key)
        assert [f"{a['local']}/{a['prefixlen']}" for a in on_link] == [lease.address]
        assert 0 < on_link[0]["valid_life_time"] <= 120  # not permanent: it expires unrenewed

    served = lab_rig.served({leases["mv1"].ip, leases["mv2"].ip})
    assert set(served) == {leases["mv1"].ip, leases["mv2"].ip}
    for key, ns in (("mv1", "lab-net1"), ("mv2", "lab-net2")):
        line = served[leases[key].ip]
        mac = mac_of(ns, key)
        assert line.mac == mac and line.client_id == "01:" + mac

    assert len(udhcpc_pids(lab_rig.state_dir)) == 2
    shown = netwright("dhcp", "leases", "dhcplab", "--lab", "--local", "--json",
                      "--state-dir", str(lab_rig.state_dir))
    assert shown.returncode == 0, shown.stderr
    assert {c["interface"]: (c["address"], c["server"]) for c in json.loads(shown.stdout)} == {
        key: (lease.address, "192.168.31.1") for key, lease in leases.items()}
    on_server = netwright("dhcp", "server", "--local", "--json",
                          "--state-dir", str(lab_rig.state_dir))
    assert {line["client_id"] for line in json.loads(on_server.stdout)} == {
        "01:" + mac_of("lab-net1", "mv1"), "01:" + mac_of("lab-net2", "mv2")}
    obtained = {key: lease.obtained for key, lease in leases.items()}
    time.sleep(1.1)  # "obtained" has a resolution of one second
    renewed = netwright("dhcp", "renew", "dhcplab", "--lab", "--local",
                        "--state-dir", str(lab_rig.state_dir))
    assert renewed.returncode == 0 and "asked 2 DHCP clients" in renewed.stdout, renewed
    deadline = time.monotonic() + 15
    while any(lease.obtained <= obtained[key] for key, lease in
              lab_rig.clients.leases("dhcplab").items()):
        assert time.monotonic() < deadline, "the clients did not renew"
        time.sleep(0.2)
    assert lab_rig.clients.stop("dhcplab") == 2
    assert udhcpc_pids(lab_rig.state_dir) == []
    assert lab_rig.served(set()) == {}  # the RELEASEs reached dnsmasq
    assert addresses("lab-net1", "mv1") == [] and addresses("lab-net2", "mv2") == []
