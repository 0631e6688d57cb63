"""A route via the DHCP gateway next to ``addresses: [dhcp]``: the lab, a real dnsmasq, udhcpc.

The namespace's only address comes from DHCP, so the engine cannot add the route before the
lease (the kernel answers ENETUNREACH and the apply used to roll back). The plan says the
DHCP client adds it; the apply succeeds and the route works; a status while the lease is
away is not drift; the route comes back with the address; a route deleted by hand while the
lease holds is drift and the next apply adds it; an interface re-created by apply gets its
address and route back at once (its client is restarted); destroy leaves nothing.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from typing import Any

from netwright.backend.dhcp import processes
from netwright.backend.lab import LAB_OUTSIDE_ADDRESS, build_lab
from tests.dhcp.conftest import LabRig, addresses, run, sh, udhcpc_pids

ROUTED = """\
netwright: 1
name: dhcproute
host: {nics: {wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}}}
namespaces:
  net1:
    routes:
      - {to: default, via: 192.168.31.1}
      - {to: 10.77.0.0/16, via: 192.168.31.1, metric: 7}
      - {to: 10.66.0.0/16, via: 10.5.5.1}
interfaces:
  mv1: {kind: macvlan, parent: wlp2s0, mode: bridge, namespace: net1, addresses: [dhcp]}
"""


def routes(netns: str = "lab-net1") -> set[tuple[str, str | None, str | None, str | None]]:
    """(destination, gateway, device, protocol) of every IPv4 route in ``netns``."""
    out = json.loads(sh(f"ip -n {netns} -j -4 route show") or "[]")
    return {(r["dst"], r.get("gateway"), r.get("dev"), r.get("protocol")) for r in out}


WANTED = {("default", "192.168.31.1", "mv1", "static"),
          ("10.77.0.0/16", "192.168.31.1", "mv1", "static")}


def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
    return True


def test_route_via_the_dhcp_gateway(lab_rig: LabRig, topo: Any) -> None:
    topology = topo(ROUTED)
    run(build_lab(topology, state_dir=lab_rig.state_dir))
    engine = lab_rig.engine

    plan = run(engine.plan(topology))
    assert not [s.text for s in plan.steps if "route" in s.text]
    assert any("once leased, its client adds routes default via 192.168.31.1, 10.77.0.0/16"
               " via 192.168.31.1 metric 7, 10.66.0.0/16 via 10.5.5.1" in note
               for note in plan.notes), plan.notes

    run(engine.apply(topology))  # used to fail: "Network is unreachable", rolled back
    lease = engine.dhcp.leases("dhcproute")["mv1"]
    assert routes() >= WANTED
    ping = subprocess.run(["ip", "netns", "exec", "lab-net1", "ping", "-c1", "-W2",
                           LAB_OUTSIDE_ADDRESS], capture_output=True, check=False)
    assert ping.returncode == 0, ping.stdout
    status = run(engine.status("dhcproute"))
    assert status.ok, status.render()
    # a gateway the lease does not hold: never added, and Status says why
    assert ("route 10.66.0.0/16 via 10.5.5.1 cannot be added through mv1: the gateway is"
            " outside the lease's subnet 192.168.31.0/24") in status.dhcp[0]["text"]
    assert status.dhcp[0]["routes"][0] == "default via 192.168.31.1"
    assert run(engine.apply(topology)).plan.empty

    # the lease's address goes (the kernel takes the routes with it): waiting, not drift
    sh(f"ip -n lab-net1 addr del {lease.address} dev mv1")
    assert not WANTED & routes()
    status = run(engine.status("dhcproute"))
    assert status.ok, status.render()
    # the next lease event puts the address and the routes back
    assert lab_rig.clients.renew("dhcproute") == 1
    assert wait_for(lambda: routes() >= WANTED), routes()

    # deleted by hand while the lease holds: drift, and apply adds it again
    sh("ip -n lab-net1 route del 10.77.0.0/16")
    status = run(engine.status("dhcproute"))
    assert not status.ok
    assert "add route 10.77.0.0/16 via 192.168.31.1 metric 7 in namespace net1" in status.render()
    again = run(engine.apply(topology))
    assert [s.text for s in again.plan.steps] == [
        "add route 10.77.0.0/16 via 192.168.31.1 metric 7 in namespace net1"]
    assert routes() >= WANTED

    # the interface re-created by apply: its client starts again, address and routes at once
    before = lab_rig.clients.running("dhcproute")[("dhcproute", "mv1")]
    sh("ip -n lab-net1 link del mv1")
    run(engine.apply(topology))
    after = lab_rig.clients.running("dhcproute")[("dhcproute", "mv1")]
    assert after.pid != before.pid and not processes.alive(before)
    assert [a["local"] for a in addresses("lab-net1", "mv1")] == [
        engine.dhcp.leases("dhcproute")["mv1"].ip]
    assert routes() >= WANTED

    run(engine.destroy("dhcproute"))
    assert udhcpc_pids(lab_rig.state_dir) == []


def test_changed_lease_routes_reach_a_running_client(lab_rig: LabRig, topo: Any) -> None:
    """A re-apply that adds a lease route while the lease holds: the client stays, the engine
    adds the route (and the client's next bound will too); dropped again, the engine removes
    it, and no renew of the client brings it back."""
    plain = topo(ROUTED.replace("      - {to: 10.77.0.0/16, via: 192.168.31.1, metric: 7}\n", ""))
    run(build_lab(plain, state_dir=lab_rig.state_dir))
    run(lab_rig.engine.apply(plain))
    client = lab_rig.clients.running("dhcproute")[("dhcproute", "mv1")]
    assert ("10.77.0.0/16", "192.168.31.1", "mv1", "static") not in routes()
    run(lab_rig.engine.apply(topo(ROUTED)))
    assert lab_rig.clients.running("dhcproute")[("dhcproute", "mv1")] == client
    assert wait_for(lambda: routes() >= WANTED), routes()
    run(lab_rig.engine.apply(plain))  # and a dropped one is removed by the engine
    bound = lab_rig.clients.leases("dhcproute")["mv1"].obtained
    time.sleep(max(0.0, bound + 1.1 - time.time()))  # "obtained" has a resolution of 1 s
    assert lab_rig.clients.renew("dhcproute") == 1
    # the renew's event script has run (not a fixed sleep: under load it may take longer)
    assert wait_for(lambda: getattr(lab_rig.clients.leases("dhcproute").get("mv1"),
                                    "obtained", bound) > bound, 15)
    assert ("10.77.0.0/16", "192.168.31.1", "mv1", "static") not in routes()
    assert lab_rig.clients.running("dhcproute")[("dhcproute", "mv1")] == client
