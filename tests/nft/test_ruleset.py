"""The tables a design's rules become, sent to this kernel's nf_tables through libnftables.

Each case is applied twice in a fresh namespace (replacing is idempotent, one transaction),
read back with ``nft -j list``, and removed; a foreign table in the same namespace stays
byte-identical through all of it. Verdicts on real packets are the prediction tests' job.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from netwright.backend.nft.ruleset import place_tables, replace_commands, table_name
from netwright.backend.topology import parse_topology

pytestmark = pytest.mark.root

SG = """netwright: 1
name: sg
host:
  forwarding: {ipv4: true}
  nat:
    - {masquerade: {from: 10.0.0.0/24, out: br-int}}
    - {publish: {proto: tcp, port: 8080, to: 10.0.0.11, to-port: 22}}
  firewall:
    forward:
      policy: drop
      stateful: true
      rules:
        - {action: accept, in: br-int, proto: udp, dport: "5000-5010", from: 10.0.0.0/24}
        - {action: reject, proto: icmp, to: 10.0.0.12}
namespaces:
  vm1: {routes: [{to: default, via: 10.0.0.1}]}
interfaces:
  br-int: {kind: bridge, addresses: [10.0.0.1/24]}
  tap-vm1:
    kind: veth
    peer: vm1-eth0
    master: br-int
    port-firewall:
      to-port: {policy: drop, rules: [{action: accept, proto: icmp},
                                      {action: accept, proto: tcp, dport: 22, from: 10.0.0.0/24}]}
      anti-spoofing: {mac: "fa:16:3e:00:00:11", ips: [10.0.0.11]}
  vm1-eth0: {kind: veth, name: eth0, namespace: vm1, peer: tap-vm1, addresses: [10.0.0.11/24]}
"""
APPLY = """
import json, sys
from netwright.backend.nft.binding import Nft
Nft().run(json.loads(sys.stdin.read()))
"""


@pytest.fixture
def netns() -> Iterator[str]:
    name = f"nft-{uuid.uuid4().hex[:8]}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    yield name
    subprocess.run(["ip", "netns", "del", name], check=False)


def nft(ns: str, *args: str) -> str:
    return subprocess.run(["ip", "netns", "exec", ns, "nft", *args], capture_output=True,
                          text=True, check=True).stdout


def send(ns: str, commands: list[dict]) -> None:
    subprocess.run(["ip", "netns", "exec", ns, sys.executable, "-c", APPLY],
                   input=json.dumps(commands), text=True, check=True)


def test_docker_and_security_group_tables_are_what_the_kernel_lists(netns: str,
                                                                    tmp_path: Path) -> None:
    design = parse_topology(SG)
    foreign = ("table ip docker {\n chain FORWARD {\n  type filter hook forward priority 0;"
               " policy drop;\n  ip saddr 172.17.0.0/16 accept\n }\n}\n")
    (tmp_path / "foreign.nft").write_text(foreign)
    nft(netns, "-f", str(tmp_path / "foreign.nft"))
    before = nft(netns, "-j", "list", "table", "ip", "docker")
    tables = place_tables(design, None)
    assert [(t.family, t.name) for t in tables] == [("inet", "netwright-sg"),
                                                   ("bridge", "netwright-sg")]
    for table in tables:
        send(netns, replace_commands(table))
        send(netns, replace_commands(table))
    listed = nft(netns, "list", "ruleset")
    assert "ct state established,related accept" in listed
    assert 'iifname "br-int" ip saddr 10.0.0.0/24 udp dport 5000-5010 accept' in listed
    assert "tcp dport 8080 dnat ip to 10.0.0.11:22" in listed
    assert 'ip saddr 10.0.0.0/24 oifname "br-int" masquerade' in listed
    assert "ether saddr != fa:16:3e:00:00:11 drop" in listed
    assert listed.count("chain to-tap-vm1") == 1
    for table in tables:
        send(netns, [{"delete": {"table": {"family": table.family, "name": table.name}}}])
    assert table_name("sg") not in nft(netns, "list", "tables")
    assert nft(netns, "-j", "list", "table", "ip", "docker") == before


def test_a_place_without_rules_has_no_table() -> None:
    design = parse_topology(SG)
    assert place_tables(design, "vm1") == []
