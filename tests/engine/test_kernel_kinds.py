"""ipvlan, 802.1q vlan and dummy: applied and read back (stock-kernel tier, marked ``kernel``).

Run with tests/kernel/run-kernel-tier (a VM with Debian's stock kernel on machines whose kernel
lacks these kinds).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from netwright.backend.engine import Engine, Target
from netwright.backend.lab import LAB_OUTSIDE_ADDRESS, build_lab, destroy_lab
from tests.engine.conftest import links, run
from tests.engine.test_lab import SEED, ping

pytestmark = pytest.mark.kernel


@pytest.mark.parametrize(("mode", "flag"), [("l2", "bridge"), ("l2", "private"),
                                             ("l3", "vepa"), ("l3s", "bridge")])
def test_ipvlan_modes_and_flags(engine: Engine, topo: Any, clean_host: Any, mode: str,
                                flag: str) -> None:
    text = f"""
netwright: 1
name: iv
namespaces: {{i1: {{}}}}
interfaces:
  iu0: {{kind: veth, peer: iu1}}
  iu1: {{kind: veth, peer: iu0}}
  iv: {{kind: ipvlan, parent: iu0, mode: {mode}, flag: {flag}, namespace: i1,
        addresses: [10.5.0.5/24]}}
"""
    run(engine.apply(topo(text)))
    child = links("i1")["iv"]
    data = child["linkinfo"]["info_data"]
    assert child["linkinfo"]["info_kind"] == "ipvlan"
    assert data["mode"] == mode
    assert data.get(flag) is True  # ip -j prints the ipvlan flag as {"private": true}
    assert child["addrs"] == ["10.5.0.5/24"]
    assert run(engine.plan(topo(text))).empty


def test_vlan_and_dummy(engine: Engine, topo: Any, clean_host: Any) -> None:
    text = """
netwright: 1
name: vd
namespaces: {v1: {}}
interfaces:
  d0: {kind: dummy, addresses: [10.6.0.1/24]}
  d0.7: {kind: vlan, parent: d0, id: 7, addresses: [10.6.7.1/24]}
  nsd: {kind: dummy, namespace: v1}
  nsd.8: {kind: vlan, parent: nsd, id: 8, protocol: 802.1ad, namespace: v1}
"""
    run(engine.apply(topo(text)))
    host = links()
    assert host["d0"]["linkinfo"]["info_kind"] == "dummy"
    assert host["d0.7"]["linkinfo"]["info_data"]["id"] == 7
    assert host["d0.7"]["addrs"] == ["10.6.7.1/24"]
    inner = links("v1")["nsd.8"]["linkinfo"]["info_data"]
    assert inner["id"] == 8 and inner["protocol"] == "802.1ad"
    assert run(engine.plan(topo(text))).empty


def test_seed_with_ipvlan_on_the_lab(state_dir: Path, topo: Any, clean_host: Any) -> None:
    seed = topo(SEED)
    run(build_lab(seed, state_dir=state_dir))
    engine = Engine(state_dir, Target.lab())
    try:
        run(engine.apply(seed))
        assert links("lab-net1")["ipvlan1"]["addrs"] == ["192.168.31.5/24"]
        assert ping("lab-net1", "192.168.31.6").returncode == 0
        assert ping("lab-net1", "192.168.31.1").returncode == 0
        assert ping("lab-net1", LAB_OUTSIDE_ADDRESS).returncode != 0
    finally:
        run(destroy_lab(state_dir=state_dir))
