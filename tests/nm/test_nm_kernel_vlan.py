"""A persistent 802.1Q vlan through NetworkManager, on a stock kernel (the `kernel` tier: the
project's machines lack 8021q). Read back from the kernel, re-applied as a no-op, changed in
place, and removed on destroy; the engine's status agrees at each step."""

from __future__ import annotations

import pytest
from nm_harness import Harness

from netwright.backend.engine import Engine
from netwright.backend.topology import parse_topology
from netwright.backend.topology.model import Topology

pytestmark = pytest.mark.kernel


def design(vid: int = 31, address: str = "192.168.31.5/24") -> Topology:
    return parse_topology(f"""netwright: 1
name: vlans
host: {{nics: {{up0: {{}}}}}}
interfaces:
  v31: {{kind: vlan, parent: up0, id: {vid}, persist: true, addresses: [{address}]}}
""")


async def test_a_persistent_vlan(harness: Harness, engine: Engine) -> None:
    harness.nm.ip("link", "add", "up0", "type", "dummy")
    harness.nm.ip("link", "set", "up0", "up")
    await engine.apply(design())
    harness.nm.wait_for(lambda: harness.nm.addresses("v31") == ["192.168.31.5/24"], "v31 up")
    v31 = harness.nm.links()["v31"]
    assert v31["linkinfo"]["info_data"]["id"] == 31
    assert v31.get("link") == "up0"
    assert (harness.nm.keyfile_dir / "netwright-vlans-v31.nmconnection").exists()
    assert (await engine.plan(design())).empty
    assert (await engine.status("vlans")).ok

    await engine.apply(design(address="192.168.31.6/24"))  # updated in place
    harness.nm.wait_for(lambda: harness.nm.addresses("v31") == ["192.168.31.6/24"], "update")
    assert (await engine.status("vlans")).ok

    await engine.destroy("vlans")
    assert "v31" not in harness.nm.links()
    assert not list(harness.nm.keyfile_dir.glob("netwright-*"))
    assert "up0" in harness.nm.links()  # the parent was never ours
