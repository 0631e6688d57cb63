"""A `persist: true` design after a reboot: NetworkManager brings its profiles back, the
runtime objects are gone, and applying the same design again recreates only those."""

from __future__ import annotations

from designs import netwright_profiles
from nm_harness import Harness

from netwright.backend.engine import Engine
from netwright.backend.topology import parse_topology

DESIGN = parse_topology("""netwright: 1
name: nme
interfaces:
  br0: {kind: bridge, persist: true, addresses: [10.77.0.1/24]}
  vh: {kind: veth, peer: vn, master: br0}
  vn: {kind: veth, peer: vh}
""")


async def test_reapplying_after_a_reboot_recreates_only_the_runtime_objects(
        harness: Harness, engine: Engine) -> None:
    await engine.apply(DESIGN)
    harness.nm.reboot()
    harness.nm.wait_for(lambda: harness.nm.addresses("br0") == ["10.77.0.1/24"],
                        "NetworkManager to bring br0 back from its profile")
    assert "vh" not in harness.nm.links()

    status = await engine.status("nme")
    states = {o.object: o.state for o in status.objects}
    assert states == {"br0": "present", "vh": "missing", "vn": "missing"}, status.render()
    plan = await engine.plan(DESIGN)
    assert plan.steps and all("NetworkManager" not in s.text for s in plan.steps), plan.render()

    await engine.apply(DESIGN)
    assert (await engine.status("nme")).ok
    assert harness.nm.links()["vh"].get("master") == "br0"
    assert netwright_profiles(harness) == ["netwright-nme-br0"]
    await engine.destroy("nme")
    assert netwright_profiles(harness) == []
