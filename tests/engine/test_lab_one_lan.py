"""Two designs whose uplinks differ but share a subnet, deployed in one lab: docker-bridge on
wlp2s0 and macvlan-bridge on eth1, both 192.168.31.240/24 behind 192.168.31.1. The lab host
is then a machine whose Wi-Fi and Ethernet reach one router: each design checks out against
the lab, and the host it makes imports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from netwright.backend.hostimport.imports import host_import
from netwright.backend.service.observe_calls import LAB_LAN_NETNS
from netwright.backend.topology import parse_topology
from tests.engine.conftest import ROOT, wait_for_no_orphans
from tests.engine.test_cli import cli

EXAMPLES = ROOT / "examples"


def test_two_designs_on_one_subnet_check_and_import(tmp_path: Path, clean_host: Any) -> None:
    state = tmp_path / "state"
    for example in ("docker-bridge.yaml", "macvlan-bridge.yaml"):
        applied = cli("apply", "--local", "--lab", "--yes", str(EXAMPLES / example),
                      state_dir=state)
        assert applied.returncode == 0, applied.stderr
    try:
        checked = cli("check", "--local", "--lab", "--json", "macvlan", state_dir=state)
        pairs = json.loads(checked.stdout)["pairs"]
        # the children reach the gateway and the outside through it (before: no reply, as
        # the router held 192.168.31.1 on both NICs' cables and answered through the other)
        wrong = [(p["source"], p["role"], p["observed"]["verdict"]) for p in pairs
                 if p["role"] in ("gateway", "outside") and not p["match"]]
        assert wrong == [] and {p["role"] for p in pairs} >= {"gateway", "outside"}, pairs
        # each child reaches eth1's 192.168.31.240 past macvlan's parent isolation: the host
        # answers its ARP on wlp2s0, which holds the address too, and the reply leaves by
        # wlp2s0, whose route docker-bridge added first
        parents = [(p["source"], p["predicted"]["verdict"], p["observed"]["verdict"],
                    p["predicted"]["reason"]) for p in pairs if p["role"] == "parent"]
        assert sorted(p[:3] for p in parents) == [("db", "reachable", "reachable"),
                                                  ("web", "reachable", "reachable")], parents
        assert all("reachable through wlp2s0" in p[3] for p in parents), parents

        found = host_import("lab", host="nwlab-host", hide=LAB_LAN_NETNS, prefix="lab-")
        parse_topology(found.text, "lab")  # validates, or raises with the problems
        nics = yaml.safe_load(found.text)["host"]["nics"]
        assert nics["wlp2s0"]["addresses"] == ["192.168.31.240/24"]
        assert "addresses" not in nics["eth1"]
        assert found.skipped == ["the host's IPv4 forwarding (on): the file leaves the host's"
                                 " own settings alone (host.forwarding would make Netwright"
                                 " own it); check --host reads it from the kernel",  # docker's
                                 "192.168.31.240 on eth1: the host holds it on wlp2s0 too, and"
                                 " a file gives an address to one NIC only, so it is kept on"
                                 " wlp2s0",
                                 "the host's nftables tables inet netwright-docker (its NAT and"
                                 " firewall): the file has no NAT or firewall of what is"
                                 " already on the host"]
    finally:
        for name in ("macvlan", "docker"):
            cli("destroy", "--local", "--lab", name, state_dir=state)
    assert wait_for_no_orphans(clean_host) == clean_host
