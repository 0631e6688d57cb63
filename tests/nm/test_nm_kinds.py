"""Each persistent kind this kernel has (bridge, macvlan, vxlan) through NetworkManager, read
back from the kernel: the profile builder's settings mean what the topology says."""

from __future__ import annotations

from nm_harness import Harness

from netwright.backend.nm.client import NmClient
from netwright.backend.nm.persist import plan_persist
from netwright.backend.nm.transaction import begin
from netwright.backend.topology import parse_topology


def design(stp: bool = False) -> str:
    return f"""netwright: 1
name: kinds
host: {{nics: {{up0: {{addresses: [192.0.2.10/24]}}}}}}
interfaces:
  brk: {{kind: bridge, persist: true, stp: {str(stp).lower()}, mtu: 1400,
        mac: "02:00:00:00:00:42", addresses: [10.90.0.1/24, "fd90::1/64"]}}
  vxk: {{kind: vxlan, vni: 4242, remote: 192.0.2.99, local: 192.0.2.10, dev: up0,
        port: 4790, persist: true, master: brk}}
  mvk: {{kind: macvlan, parent: up0, mode: private, persist: true,
        addresses: [192.0.2.77/24]}}
"""


async def test_kinds_read_back_from_the_kernel(harness: Harness, nm: NmClient) -> None:
    harness.nm.ip("link", "add", "up0", "type", "veth", "peer", "name", "up0p")
    for name in ("up0", "up0p"):
        await nm.set_managed(await nm.wait_device(name), False)
        harness.nm.ip("link", "set", name, "up")
    harness.nm.ip("addr", "add", "192.0.2.10/24", "dev", "up0")
    topology = parse_topology(design())
    plan = await plan_persist(nm, topology, netns=harness.nm.netns)
    assert [s.object for s in plan.steps] == ["brk", "mvk", "vxk"]  # bridge before its port
    await (await begin(nm, plan, netns=harness.nm.netns)).commit()

    links = harness.nm.links()
    brk, vxk, mvk = links["brk"], links["vxk"], links["mvk"]
    assert brk["mtu"] == 1400
    assert brk["address"] == "02:00:00:00:00:42"
    assert sorted(harness.nm.addresses("brk")) == ["10.90.0.1/24", "fd90::1/64"]
    vx = vxk["linkinfo"]["info_data"]
    assert (vx["id"], vx["port"], vx["remote"], vx["local"]) == (4242, 4790, "192.0.2.99",
                                                              "192.0.2.10")
    assert vxk.get("master") == "brk"
    assert mvk["linkinfo"]["info_data"]["mode"] == "private"
    assert mvk.get("link") == "up0"
    assert harness.nm.addresses("mvk") == ["192.0.2.77/24"]

    # STP is a change NM cannot re-apply in place: the bridge is re-activated, and its port
    # profile comes back with it.
    changed = await plan_persist(nm, parse_topology(design(stp=True)), netns=harness.nm.netns)
    assert [(s.action, s.object) for s in changed.steps] == [("modify", "brk")]
    await (await begin(nm, changed, netns=harness.nm.netns)).commit()
    harness.nm.wait_for(
        lambda: harness.nm.links()["brk"]["linkinfo"]["info_data"]["stp_state"] == 1, "stp on")
    harness.nm.wait_for(lambda: harness.nm.links().get("vxk", {}).get("master") == "brk",
                        "the vxlan port back in the bridge")
    assert (await plan_persist(nm, parse_topology(design(stp=True)),
                               netns=harness.nm.netns)).empty
