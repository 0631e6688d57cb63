"""The topologies the NetworkManager engine tests apply, and how they read the result."""

from __future__ import annotations

from pathlib import Path

from nm_harness import ENGINE_NETNS_PREFIX, Harness

from netwright.backend.engine import Engine, Target
from netwright.backend.topology import parse_topology
from netwright.backend.topology.model import Topology


def design(address: str = "10.77.0.1/24", persist: bool = True, extra: str = "") -> Topology:
    """A bridge (kept by NetworkManager when ``persist``) with a veth port into ns1."""
    peer = address.rsplit(".", 1)[0] + ".2/24"
    return parse_topology(f"""netwright: 1
name: nme
namespaces: {{ns1: {{}}}}
interfaces:
  br0: {{kind: bridge, persist: {str(persist).lower()}, addresses: [{address}]}}
  vh: {{kind: veth, peer: vn, master: br0}}
  vn: {{kind: veth, peer: vh, namespace: ns1, addresses: [{peer}]}}
{extra}""")


def harness_engine(harness: Harness, tmp_path: Path) -> Engine:
    """An engine whose host is the namespace the harness's NetworkManager runs in."""
    return Engine(tmp_path / "state",
                  Target(host_netns=harness.nm.netns, netns_prefix=ENGINE_NETNS_PREFIX))


def netwright_profiles(harness: Harness) -> list[str]:
    return sorted(p for p in harness.nm.profiles() if p.startswith("netwright-"))
