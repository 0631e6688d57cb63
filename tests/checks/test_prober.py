"""The prober and the neighbour pins on namespaces built by hand with iproute2.

Nothing here goes through the engine: the namespaces, bridge and veths are made with ip(8)
inside the test namespace, so a fault in the prober cannot hide behind one in the engine.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import threading
from typing import Any

import pytest

from netwright.backend.checks.netns import call_in, netns_path
from netwright.backend.checks.prober import EchoProber, Probe
from netwright.backend.checks.run import CheckOptions, run_check
from netwright.backend.topology import Topology

pytestmark = pytest.mark.root


def sh(command: str) -> str:
    return subprocess.run(command, shell=True, check=True, capture_output=True,
                          text=True).stdout


def probe(probes: list[Probe], timeout: float = 0.3) -> list[Any]:
    return asyncio.run(EchoProber(timeout=timeout, retries=1).run(probes))


def test_replies_errors_and_silence(lan: dict[str, Any]) -> None:
    one, two, _three = (netns_path(n) for n in lan["names"])
    results = probe([
        Probe(one, "10.77.0.2"),  # a peer
        Probe(one, "10.77.0.1"),  # itself
        Probe(two, "fd77::3"),  # IPv6 peer
        Probe(one, "192.0.2.1"),  # no route: the kernel refuses at sendto
        Probe(one, "10.77.0.99"),  # on-link, nobody there: no reply, retried
    ])
    peer, own, six, no_route, nobody = results
    assert peer.verdict == own.verdict == six.verdict == "reachable"
    assert peer.rtt_ms is not None and 0 < peer.rtt_ms < 1000
    assert (no_route.verdict, no_route.errno, no_route.error) == (
        "unreachable", "ENETUNREACH", "Network is unreachable")
    assert nobody.verdict == "unreachable" and nobody.attempts == 2
    assert nobody.error in ("no reply", "Host unreachable")


def test_a_link_taken_down_is_seen(lan: dict[str, Any]) -> None:
    sh(f"ip link set vp{lan['tag']}3 down")
    results = probe([Probe(netns_path(lan["names"][0]), "10.77.0.3")])
    assert results[0].verdict == "unreachable"


def test_ping_group_range_is_put_back(lan: dict[str, Any]) -> None:
    ns = lan["names"][0]
    before = sh(f"ip netns exec {ns} sysctl -n net.ipv4.ping_group_range").split()
    probe([Probe(netns_path(ns), "10.77.0.2")])
    after = sh(f"ip netns exec {ns} sysctl -n net.ipv4.ping_group_range").split()
    assert before == after == ["1", "0"]


def test_many_probes_at_once(lan: dict[str, Any]) -> None:
    paths = [netns_path(n) for n in lan["names"]]
    probes = [Probe(p, f"10.77.0.{j}") for p in paths for j in (1, 2, 3)] * 50
    results = probe(probes, timeout=1.0)
    assert all(r.verdict == "reachable" for r in results)


def test_probes_to_one_target_are_told_apart(lan: dict[str, Any]) -> None:
    """Probes from one socket share a packet per size and round, and replies are matched by
    address: a small, a full-size and a too-big probe to one target each get their own
    answer, and so do two probes to the same target at the same size."""
    one = netns_path(lan["names"][0])
    model = Probe(one, "10.77.0.2")
    small, full, too_big, again = probe([
        model, Probe.like(model, one, 1500), Probe.like(model, one, 1600), model])
    assert small.verdict == full.verdict == again.verdict == "reachable"
    assert (too_big.verdict, too_big.errno) == ("unreachable", "EMSGSIZE")


def bridge_topology(lan: dict[str, Any]) -> Topology:
    """The hand-built LAN described as a topology (what the explanation works from)."""
    interfaces: dict[str, Any] = {"br": {"kind": "bridge", "name": lan["bridge"]}}
    for i, ns in enumerate(lan["names"], start=1):
        interfaces[f"p{i}"] = {"kind": "veth", "name": f"vp{lan['tag']}{i}", "peer": f"e{i}",
                               "master": "br"}
        interfaces[f"e{i}"] = {"kind": "veth", "name": "eth0", "peer": f"p{i}", "namespace": ns,
                               "addresses": [f"10.77.0.{i}/24"]}
    return Topology.model_validate({"netwright": 1, "name": "handmade",
                                    "namespaces": {ns: {} for ns in lan["names"]},
                                    "interfaces": interfaces})


def permanent_entries(ns: str) -> list[str]:
    return [line for line in sh(f"ip -n {ns} neigh show nud permanent").splitlines() if line]


def test_neighbour_pins_are_used_and_removed(lan: dict[str, Any]) -> None:
    """With a budget below what the mesh needs, entries are pinned, then removed again."""
    seen: list[list[str]] = []
    original = EchoProber.run

    async def spying_run(self: EchoProber, probes: list[Probe]) -> list[Any]:
        seen.append(permanent_entries(lan["names"][0]))
        return await original(self, probes)

    EchoProber.run = spying_run  # type: ignore[method-assign]
    try:
        result = asyncio.run(run_check(bridge_topology(lan),
                                       CheckOptions(timeout=0.5, neighbour_budget=2)))
    finally:
        EchoProber.run = original  # type: ignore[method-assign]
    assert not result.mismatches
    assert result.neighbour_table["pinned"] == result.neighbour_table["entries_needed"] == 6
    assert len(seen[0]) == 2  # two peers pinned in the first namespace while probing
    assert all("PERMANENT" in line for line in seen[0])
    assert all(not permanent_entries(ns) for ns in lan["names"])
    assert any("pinned" in note for note in result.notes)


def test_a_check_makes_only_the_probes_it_sends(lan: dict[str, Any],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Each pair predicted to pass full-size packets is sent the full-size probe alone, and
    that is the only probe made for it (no small echo made beside it and never sent: a mesh
    of 200 made 40,000 of those)."""
    made: list[Probe] = []
    sent: list[Probe] = []
    like, run = Probe.like, EchoProber.run

    def counted_like(other: Probe, netns: str, size: int = 0) -> Probe:
        made.append(like(other, netns, size))
        return made[-1]

    async def counted_run(self: EchoProber, probes: list[Probe]) -> list[Any]:
        sent.extend(probes)
        return await run(self, probes)

    monkeypatch.setattr(Probe, "like", staticmethod(counted_like))
    monkeypatch.setattr(EchoProber, "run", counted_run)
    result = asyncio.run(run_check(bridge_topology(lan), CheckOptions(timeout=0.5)))
    assert not result.mismatches
    peers = [p for p in result.pairs if p.target.role != "self"]
    assert peers and all(p.observed and p.observed.size for p in peers)
    assert len(made) == len(sent) == len(result.pairs)
    assert {id(p) for p in made} == {id(p) for p in sent}


def test_the_kernel_reads_have_a_phase_of_their_own(lan: dict[str, Any]) -> None:
    """``seconds`` places the kernel's reads (host forwarding, foreign rules, rp_filter, the
    host's routes) apart from the explanation, whose clock has always included them; a bare
    design predicted without probing reads nothing, and says no reads."""
    probed = asyncio.run(run_check(bridge_topology(lan), CheckOptions(timeout=0.5)))
    assert 0 < probed.seconds["reads"] <= probed.seconds["explain"]
    assert "probe" in probed.seconds
    predicted = asyncio.run(run_check(bridge_topology(lan), CheckOptions(probe=False)))
    assert "reads" not in predicted.seconds and "explain" in predicted.seconds


def test_tcp_port_probe(lan: dict[str, Any]) -> None:
    server_ns = netns_path(lan["names"][1])

    def listen() -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("10.77.0.2", 0))
        sock.listen(16)
        return sock

    holder: list[socket.socket] = []
    worker = threading.Thread(target=lambda: holder.append(call_in(server_ns, listen)))
    worker.start()
    worker.join()
    server = holder[0]
    port = server.getsockname()[1]
    try:
        result = asyncio.run(run_check(bridge_topology(lan),
                                       CheckOptions(timeout=0.5, tcp_port=port)))
    finally:
        server.close()
    by_target = {(p.source, p.target.address): p.observed for p in result.pairs}
    to_server = by_target[(lan["names"][0], "10.77.0.2")]
    assert to_server is not None and to_server.tcp is not None
    assert to_server.tcp["verdict"] == "reachable"
    refused = by_target[(lan["names"][0], "10.77.0.3")]
    assert refused is not None and refused.tcp is not None
    assert refused.tcp["error"] == "Connection refused"


def test_a_namespace_that_is_gone_is_a_clear_error(lan: dict[str, Any]) -> None:
    from netwright.backend.checks.netns import NamespaceError
    from netwright.backend.topology.problems import NetwrightError

    topology = bridge_topology(lan)
    sh(f"ip netns del {lan['names'][2]}")
    with pytest.raises(NamespaceError, match="is the topology deployed") as caught:
        asyncio.run(run_check(topology, CheckOptions(timeout=0.2)))
    assert isinstance(caught.value, NetwrightError)


def test_a_full_size_probe_dropped_by_the_veth_peer_is_no_neighbour_table(
        lan: dict[str, Any]) -> None:
    """The bridge port (vp…1) with MTU 1400 drops the 1500-byte frame its peer hands it:
    the send fails with ENOBUFS, the kernel's NET_XMIT_DROP, not a full neighbour table."""
    sh(f"ip link set vp{lan['tag']}1 mtu 1400")
    one = netns_path(lan["names"][0])
    small, big = probe([Probe(one, "10.77.0.2"), Probe(one, "10.77.0.2", 1500)])
    assert small.verdict == "reachable"
    assert (big.verdict, big.errno, big.limited_by) == ("unreachable", "ENOBUFS", None)
    assert "the device the sender's interface hands it to" in big.error
    assert "neighbour" not in big.error
