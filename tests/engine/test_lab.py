"""The seed experiment on the lab host (macvlan stands in for ipvlan where the kernel lacks it)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from netwright.backend.dhcp.lab_server import LabDhcpServer, lab_server_dir
from netwright.backend.engine import Engine, Target
from netwright.backend.lab import LAB_OUTSIDE_ADDRESS, build_lab, destroy_lab, lab_topology
from tests.engine.conftest import ROOT, links, netns_list, run, sh, wait_for_no_orphans

SEED = (ROOT / "examples" / "seed-ipvlan-l2.yaml").read_text()
SEED_MACVLAN = SEED.replace("kind: ipvlan", "kind: macvlan").replace("mode: l2", "mode: bridge")


def ping(netns: str, address: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(f"ip netns exec {netns} ping -c1 -W1 {address}", shell=True,
                          capture_output=True, text=True, check=False)


@pytest.fixture
def lab(state_dir: Path, clean_host: Any) -> Any:
    yield state_dir
    engine = Engine(state_dir, Target.lab())
    for name in run(engine.deployments()):
        run(engine.destroy(name))
    run(destroy_lab(state_dir=state_dir))
    assert wait_for_no_orphans(clean_host) == clean_host


def test_seed_on_the_lab(lab: Path, topo: Any) -> None:
    seed = topo(SEED_MACVLAN)
    built = run(build_lab(seed, state_dir=lab))
    assert (built.host_netns, built.router_netns) == ("nwlab-host", "nwlab-router")
    uplink = links("nwlab-host")["wlp2s0"]
    assert uplink["addrs"] == ["192.168.31.240/24"] and "UP" in uplink["flags"]
    assert links("nwlab-router")["r-wlp2s0"]["addrs"] == ["192.168.31.1/24"]
    assert sh("ip netns exec nwlab-router sysctl -n net.ipv4.ip_forward").strip() == "1"
    # the router (and the outside behind it) is reachable from the lab uplink
    assert ping("nwlab-host", "192.168.31.1").returncode == 0
    assert ping("nwlab-host", LAB_OUTSIDE_ADDRESS).returncode == 0

    engine = Engine(lab, Target.lab())
    run(engine.apply(seed))
    for ns, name, address in (("lab-net1", "ipvlan1", "192.168.31.5/24"),
                              ("lab-net2", "ipvlan2", "192.168.31.6/24")):
        child = links(ns)[name]
        assert child["addrs"] == [address]
        assert "UP" in child["flags"] and "LOWER_UP" in child["flags"]
        assert child["linkinfo"]["info_kind"] == "macvlan"
    # the seed's first state: the children reach each other and the gateway, not the outside
    assert ping("lab-net1", "192.168.31.6").returncode == 0
    assert ping("lab-net1", "192.168.31.1").returncode == 0
    outside = ping("lab-net1", LAB_OUTSIDE_ADDRESS)
    assert outside.returncode != 0 and "Network is unreachable" in outside.stderr
    # and the real host's view is untouched: the seed lives only in lab namespaces
    assert "wlp2s0" not in links()
    deployment = run(engine.deployment("seed"))
    assert deployment.namespaces == {"net1": "lab-net1", "net2": "lab-net2"}
    assert deployment.host_netns == "nwlab-host"


def test_a_fresh_lab_presents_the_seeds_nic_before_any_topology(lab: Path, topo: Any) -> None:
    """The designer's Host dock lists what the lab host has: with no file yet, the seed's NIC."""
    built = run(build_lab(None, state_dir=lab))
    uplink = links("nwlab-host")["wlp2s0"]
    assert uplink["addrs"] == ["192.168.31.240/24"] and "UP" in uplink["flags"]
    assert links("nwlab-router")["r-wlp2s0"]["addrs"] == ["192.168.31.1/24"]
    assert ping("nwlab-host", LAB_OUTSIDE_ADDRESS).returncode == 0  # its gateway routes
    assert built.dhcp_leases is not None  # and the router serves DHCP behind it from the start
    # a topology naming another NIC adds it; the default stays (a lab is shared)
    run(build_lab(topo("netwright: 1\nname: other\nhost: {nics: {eth9: {addresses:"
                       " [10.8.0.2/24], gateway: 10.8.0.1}}}\n"), state_dir=lab))
    assert {"wlp2s0", "eth9"} <= set(links("nwlab-host"))


def test_the_default_nic_makes_way_for_a_topologys_nic_on_its_subnet(lab: Path, topo: Any
                                                                     ) -> None:
    """A design whose uplink is eth0 on 192.168.31.0/24 gets the lab's router at .1 on one
    LAN only: the default wlp2s0 goes (no deployment builds on it)."""
    run(build_lab(None, state_dir=lab))
    assert "wlp2s0" in links("nwlab-host")
    eth0 = topo("netwright: 1\nname: other\nhost: {nics: {eth0: {addresses:"
                " [192.168.31.10/24], gateway: 192.168.31.1}}}\nnamespaces: {n1: {}}\n")
    run(build_lab(eth0, state_dir=lab))
    host = links("nwlab-host")
    assert "eth0" in host and "wlp2s0" not in host
    router = links("nwlab-router")
    assert [name for name, link in router.items() if "192.168.31.1/24" in link["addrs"]] == [
        "r-eth0"]
    assert ping("nwlab-host", LAB_OUTSIDE_ADDRESS).returncode == 0


def test_the_default_nic_stays_while_a_deployment_builds_on_it(lab: Path, topo: Any) -> None:
    seed = topo(SEED_MACVLAN)
    run(build_lab(None, state_dir=lab))
    run(Engine(lab, Target.lab()).apply(seed))  # builds on the default wlp2s0
    run(build_lab(topo("netwright: 1\nname: other\nhost: {nics: {eth0: {addresses:"
                       " [192.168.31.10/24], gateway: 192.168.31.1}}}\n"), state_dir=lab))
    assert {"wlp2s0", "eth0"} <= set(links("nwlab-host"))


def test_lab_is_idempotent_and_shared(lab: Path, topo: Any) -> None:
    seed = topo(SEED_MACVLAN)
    run(build_lab(seed, state_dir=lab))
    infra = Engine(lab / "lab-infra", Target.host())
    assert run(infra.plan(lab_topology(seed.host.nics, Target.lab()))).empty
    other = topo("netwright: 1\nname: other\nhost: {nics: {eth9: {addresses: [10.8.0.2/24],"
                 " gateway: 10.8.0.1}}}\n")
    run(build_lab(other, state_dir=lab))
    run(build_lab(seed, state_dir=lab))
    assert {"wlp2s0", "eth9"} <= set(links("nwlab-host"))
    assert "10.8.0.1/24" in links("nwlab-router")["r-eth9"]["addrs"]
    assert sorted(netns_list()) == ["nwlab-host", "nwlab-outside", "nwlab-router"]


def test_destroy_lab_removes_deployments_in_it(lab: Path, topo: Any) -> None:
    seed = topo(SEED_MACVLAN)
    run(build_lab(seed, state_dir=lab))
    run(Engine(lab, Target.lab()).apply(seed))
    assert run(destroy_lab(state_dir=lab))
    assert netns_list() == []
    assert run(Engine(lab, Target.lab()).deployments()) == []
    assert not run(destroy_lab(state_dir=lab))


def test_lab_target_without_a_lab_says_so(state_dir: Path, topo: Any, clean_host: Any) -> None:
    from netwright.backend.engine import HostMismatch

    with pytest.raises(HostMismatch) as missing:
        run(Engine(state_dir, Target.lab()).plan(topo(SEED_MACVLAN)))
    assert "the lab host (namespace nwlab-host) does not exist: build it first" in str(
        missing.value)


def test_status_reports_the_host_nic(lab: Path, topo: Any) -> None:
    seed = topo(SEED_MACVLAN)
    run(build_lab(seed, state_dir=lab))
    engine = Engine(lab, Target.lab())
    run(engine.apply(seed))
    nic = {o.object: o for o in run(engine.status("seed")).objects}["wlp2s0"]
    assert (nic.what, nic.state) == ("host-nic", "present")
    sh("ip -n nwlab-host link set wlp2s0 down")
    nic = {o.object: o for o in run(engine.status("seed")).objects}["wlp2s0"]
    assert nic.state == "drifted"
    assert nic.differences == ["host NIC wlp2s0 is down: ipvlan1, ipvlan2 have no carrier"]
    sh("ip -n nwlab-host link set wlp2s0 up")


MACVLAN = (ROOT / "examples" / "macvlan-bridge.yaml").read_text()


def test_nics_on_one_subnet_share_one_lan_behind_one_gateway(lab: Path, topo: Any) -> None:
    """Wi-Fi and Ethernet to one router: the router holds the gateway once, on a bridge both
    NICs' cables join, and serves one DHCP range there; a child of either NIC reaches it."""
    engine = Engine(lab, Target.lab())
    seed, macvlan = topo(SEED_MACVLAN), topo(MACVLAN)  # wlp2s0 and eth1, both on .31.0/24
    run(build_lab(seed, state_dir=lab))
    run(engine.apply(seed))
    built = run(build_lab(macvlan, state_dir=lab))
    run(engine.apply(macvlan))
    router = links("nwlab-router")
    holders = [name for name, link in router.items() if "192.168.31.1/24" in link["addrs"]]
    assert len(holders) == 1 and router[holders[0]]["linkinfo"]["info_kind"] == "bridge"
    assert {router["r-wlp2s0"].get("master"), router["r-eth1"].get("master")} == {holders[0]}
    for ns in ("lab-net1", "lab-web"):  # a child of wlp2s0, one of eth1
        assert ping(ns, "192.168.31.1").returncode == 0
    assert ping("lab-web", LAB_OUTSIDE_ADDRESS).returncode == 0
    assert set(built.nics) == {"wlp2s0", "eth1"}
    assert all(nic.gateway == "192.168.31.1" for nic in built.nics.values())
    server = LabDhcpServer(lab_server_dir(lab), "nwlab-router").running()
    if server is not None:  # dnsmasq installed: one range, on the bridge
        assert [a for a in server.argv if a.startswith(("--dhcp-range", "--interface"))] == [
            f"--interface={holders[0]}", "--dhcp-range=192.168.31.128,192.168.31.239,"
            "255.255.255.0,120s"]


def _default_dev() -> str:
    route = sh("ip -n nwlab-host -4 route show default").split()
    return route[route.index("dev") + 1]


def test_the_default_route_stays_on_the_nic_of_the_first_design(lab: Path, topo: Any) -> None:
    """wlp2s0's design first: the host's default route stays on wlp2s0 when a design on eth0
    joins (the route went to the NIC first by name: docker's masquerade out wlp2s0 broke)."""
    seed = topo(SEED_MACVLAN)
    elsewhere = topo("netwright: 1\nname: other\nhost: {nics: {eth0: {addresses:"
                     " [10.8.0.2/24], gateway: 10.8.0.1}}}\n")
    engine = Engine(lab, Target.lab())
    run(build_lab(seed, state_dir=lab))
    run(engine.apply(seed))
    assert _default_dev() == "wlp2s0"
    run(build_lab(elsewhere, state_dir=lab))
    assert "eth0" in links("nwlab-host")
    assert _default_dev() == "wlp2s0"
