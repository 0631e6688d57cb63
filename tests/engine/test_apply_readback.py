"""Apply, then read the kernel back with iproute2: every link kind this kernel has."""

from __future__ import annotations

import os
import subprocess
from typing import Any

import pytest

from netwright.backend.engine import Engine
from tests.engine.conftest import ip_json, links, run, sh

SEGMENT = """
netwright: 1
name: kinds
namespaces:
  a:
    routes: [{to: default, via: 10.0.0.254}, {to: 198.51.100.0/24, via: 10.0.0.253, metric: 50},
             {to: "2001:db8:99::/64", via: "fd00::254"}]
    sysctls: {net.ipv4.ip_forward: 1}
  b: {}
interfaces:
  br0: {kind: bridge, addresses: [10.0.0.254/24, "fd00::254/64"], mtu: 1450}
  va: {kind: veth, peer: va-h, namespace: a, mtu: 1450,
       addresses: [10.0.0.1/24, 10.0.0.11/24, "fd00::1/64"]}
  va-h: {kind: veth, peer: va, master: br0, mtu: 1450}
  vb: {kind: veth, peer: vb-h, namespace: b, addresses: [10.0.0.2/24], state: down,
       mac: "02:00:00:00:00:0b"}
  vb-h: {kind: veth, peer: vb, master: br0}
  vx: {kind: vxlan, vni: 42, remote: 192.0.2.9, dev: br0, port: 4790, namespace: b,
       addresses: [10.9.0.1/24]}
"""


def test_every_kind_reads_back(engine: Engine, topo: Any, clean_host: Any) -> None:
    run(engine.apply(topo(SEGMENT)))
    host = links()
    assert host["br0"]["linkinfo"]["info_kind"] == "bridge"
    assert host["br0"]["mtu"] == 1450
    assert sorted(host["br0"]["addrs"]) == ["10.0.0.254/24", "fd00::254/64"]
    assert host["br0"]["ifalias"] == "netwright:kinds:br0"
    assert host["va-h"]["master"] == "br0" and host["vb-h"]["master"] == "br0"
    assert "UP" in host["va-h"]["flags"]
    a = links("a")
    assert a["va"]["linkinfo"]["info_kind"] == "veth"
    assert a["va"]["mtu"] == 1450
    assert sorted(a["va"]["addrs"]) == ["10.0.0.1/24", "10.0.0.11/24", "fd00::1/64"]
    assert a["lo"]["ifalias"] == "netwright:kinds:a" and "UP" in a["lo"]["flags"]
    b = links("b")
    assert "UP" not in b["vb"]["flags"], "state: down is kept"
    assert b["vb"]["address"] == "02:00:00:00:00:0b"
    assert b["vx"]["linkinfo"]["info_kind"] == "vxlan"
    data = b["vx"]["linkinfo"]["info_data"]
    assert data["id"] == 42 and data["remote"] == "192.0.2.9" and data["port"] == 4790
    assert b["vx"]["addrs"] == ["10.9.0.1/24"]
    routes = {(r["dst"], r.get("gateway"), r.get("metric")) for r in ip_json("route", "a")
              if r.get("protocol") == "static"}
    assert routes == {("default", "10.0.0.254", None), ("198.51.100.0/24", "10.0.0.253", 50)}
    routes6 = {(r["dst"], r.get("gateway")) for r in ip_json("-6 route", "a")
               if r.get("protocol") == "static"}
    assert routes6 == {("2001:db8:99::/64", "fd00::254")}
    assert sh("ip netns exec a sysctl -n net.ipv4.ip_forward").strip() == "1"
    # and it works: a reaches the bridge's address through the veth
    sh("ip netns exec a ping -c1 -W2 10.0.0.254")


@pytest.mark.parametrize("mode", ["bridge", "vepa", "private", "passthru", "source"])
def test_macvlan_modes(engine: Engine, topo: Any, clean_host: Any, mode: str) -> None:
    run(engine.apply(topo(f"""
netwright: 1
name: mv-{mode}
namespaces: {{n1: {{}}}}
interfaces:
  up0: {{kind: veth, peer: up1, addresses: [10.1.0.1/24]}}
  up1: {{kind: veth, peer: up0}}
  mv: {{kind: macvlan, parent: up0, mode: {mode}, namespace: n1, addresses: [10.1.0.5/24]}}
""")))
    mv = links("n1")["mv"]
    assert mv["linkinfo"]["info_kind"] == "macvlan"
    assert mv["linkinfo"]["info_data"]["mode"] == mode
    assert mv["addrs"] == ["10.1.0.5/24"]
    assert mv["ifalias"] == f"netwright:mv-{mode}:mv"
    assert run(engine.plan(topo(f"""
netwright: 1
name: mv-{mode}
namespaces: {{n1: {{}}}}
interfaces:
  up0: {{kind: veth, peer: up1, addresses: [10.1.0.1/24]}}
  up1: {{kind: veth, peer: up0}}
  mv: {{kind: macvlan, parent: up0, mode: {mode}, namespace: n1, addresses: [10.1.0.5/24]}}
"""))).empty


def test_destroy_takes_a_child_off_its_parent_even_if_its_namespace_is_held(
        engine: Engine, topo: Any, clean_host: Any) -> None:
    """A namespace outlives its unmounting while anything holds it (a probe's socket with
    packets waiting for ARP, a shell inside): a macvlan child of a host NIC in it must still
    leave the NIC's segment with the destroy, or it answers for the destroyed address."""
    sh("ip link add nwkeep0 type veth peer name nwkeep1")
    run(engine.apply(topo("""
netwright: 1
name: held
host: {nics: {nwkeep0: {}}}
namespaces: {n1: {}}
interfaces:
  mv: {kind: macvlan, parent: nwkeep0, mode: bridge, namespace: n1, addresses: [10.1.0.5/24]}
""")))
    held = os.open("/run/netns/n1", os.O_RDONLY)
    try:
        run(engine.destroy("held"))
        inside = subprocess.run(["nsenter", f"--net=/proc/self/fd/{held}", "ip", "-br", "link"],
                                pass_fds=(held,), capture_output=True, text=True, check=True)
    finally:
        os.close(held)
    assert [line.split()[0] for line in inside.stdout.splitlines()] == ["lo"], inside.stdout
    assert "nwkeep0" in links(), "the host NIC stays"


def test_namespaces_are_visible_to_ip_netns(engine: Engine, topo: Any, clean_host: Any) -> None:
    run(engine.apply(topo("netwright: 1\nname: vis\nnamespaces: {vis1: {}}\n")))
    assert "vis1" in sh("ip netns list")
    assert sh("ip netns exec vis1 ip -br link").startswith("lo")


def test_deployment_names_where_things_are(engine: Engine, topo: Any, clean_host: Any) -> None:
    run(engine.apply(topo(SEGMENT)))
    deployment = run(engine.deployment("kinds"))
    assert deployment.namespaces == {"a": "a", "b": "b"}
    assert deployment.interfaces["va"] == ("va", "a")
    assert deployment.interfaces["br0"] == ("br0", None)
    assert run(engine.deployments()) == ["kinds"]


def _link_local(netns: str | None = None) -> dict[str, list[str]]:
    return {e["ifname"]: [a["local"] for a in e.get("addr_info", [])
                          if a["family"] == "inet6" and a.get("scope") == "link"]
            for e in ip_json("addr show", netns)}


def test_no_ipv6_link_local_without_ipv6(engine: Engine, topo: Any, clean_host: Any) -> None:
    """A topology without IPv6 gets no link-local addresses, so no autoconfiguration storm."""
    v4_only = """
netwright: 1
name: v4
namespaces:
  a: {routes: [{to: default, via: 10.0.0.254}]}
  b: {}
interfaces:
  br0: {kind: bridge, addresses: [10.0.0.254/24]}
  va: {kind: veth, peer: va-h, namespace: a, addresses: [10.0.0.1/24]}
  va-h: {kind: veth, peer: va, master: br0}
  vb: {kind: veth, peer: vb-h, namespace: b, addresses: [10.0.0.2/24]}
  vb-h: {kind: veth, peer: vb, master: br0}
"""
    run(engine.apply(topo(v4_only)))
    sh("sleep 0.5")
    assert _link_local()["br0"] == [] and _link_local()["va-h"] == []
    assert _link_local("a")["va"] == [] and _link_local("b")["vb"] == []
    assert links()["va-h"]["addrs"] == [] and "UP" in links()["va-h"]["flags"]


def test_ipv6_link_local_kept_with_ipv6(engine: Engine, topo: Any, clean_host: Any) -> None:
    run(engine.apply(topo(SEGMENT)))
    deadline = 50
    while not _link_local("a")["va"] and deadline:
        sh("sleep 0.1")
        deadline -= 1
    assert _link_local("a")["va"], "IPv6 in use: the kernel's link-local stays"
