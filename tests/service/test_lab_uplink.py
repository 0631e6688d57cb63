"""The lab host's default route leaves by the NIC of the design being applied, unless another
deployment builds on the NIC it leaves by; a lab NIC nobody builds on makes way for a design's
own NIC on its subnet. A newcomer's design on a NIC of their own (eth0 on their own subnet),
or an example tried after another was destroyed in the same lab, checks out as it does in a
fresh lab: as an ordinary user, through the lab backend."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from svc_cli import NETWRIGHT, as_user
from svc_lab import PrivateLab, readable_copies

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "examples" / "docker-bridge.yaml"
MACVLAN = ROOT / "examples" / "macvlan-bridge.yaml"


@pytest.fixture
def designs() -> Iterator[Path]:
    """The examples, and docker-bridge on eth0 in 10.99.0.0/24 (not the stand-in wlp2s0's
    subnet), in a directory the test user can read."""
    with readable_copies("netwright-uplink-", DOCKER, MACVLAN) as directory:
        text = DOCKER.read_text().replace("wlp2s0", "eth0").replace("192.168.31.", "10.99.0.")
        (directory / "docker-eth0.yaml").write_text(text.replace("name: docker", "name: dock0"))
        beside = text.replace("name: docker", "name: dock9").replace("c1", "d1").replace(
            "c2", "d2").replace("docker0", "dockr9").replace("172.17.", "172.18.")
        (directory / "docker-eth0-beside.yaml").write_text(beside)
        for path in directory.iterdir():
            path.chmod(0o644)
        yield directory


def _netwright(lab: PrivateLab, *argv: str) -> Any:
    done = as_user(lab.user, [NETWRIGHT, *argv], env=lab.env)
    assert done.returncode == 0, (argv, done.stdout, done.stderr)
    return done


def _mismatches(lab: PrivateLab, name: str) -> list[tuple[str, str, str]]:
    checked = as_user(lab.user, [NETWRIGHT, "check", "--lab", "--json", name], env=lab.env)
    pairs = json.loads(checked.stdout)["pairs"]
    assert {p["role"] for p in pairs} >= {"gateway", "outside"}, pairs
    return [(p["source"], p["target"], p["observed"]["verdict"]) for p in pairs
            if not p["match"]]


def test_a_design_on_its_own_nic_gets_the_default_route(lab, designs) -> None:
    _netwright(lab, "apply", "--lab", "--yes", str(designs / "docker-eth0.yaml"))
    _netwright(lab, "confirm", "--lab", "dock0")
    # before: the route stayed on the stand-in wlp2s0, so the masquerade out eth0 saw none
    # of c1's and c2's traffic to the outside (two mismatches)
    assert _mismatches(lab, "dock0") == []
    _netwright(lab, "destroy", "--lab", "dock0")


def test_a_nic_nobody_builds_on_makes_way(lab, designs) -> None:
    _netwright(lab, "apply", "--lab", "--yes", str(designs / "macvlan-bridge.yaml"))
    _netwright(lab, "destroy", "--lab", "macvlan")  # the lab keeps eth1, unused now
    applied = _netwright(lab, "apply", "--lab", "--yes", str(designs / "docker-bridge.yaml"))
    assert "the lab host already holds" not in applied.stdout, applied.stdout
    _netwright(lab, "confirm", "--lab", "docker")
    # before: eth1 kept the default route and 192.168.31.240 beside wlp2s0, so c1 and c2
    # reached neither the gateway nor the outside (four mismatches)
    assert _mismatches(lab, "docker") == []
    _netwright(lab, "destroy", "--lab", "docker")


def test_a_design_kept_off_the_uplink_hears_it_in_its_plan(lab, designs) -> None:
    """docker keeps the route on wlp2s0; a design on eth0 of another subnet shares no LAN
    with it, and its masquerade out eth0 sees nothing beyond the gateway: its plan says so."""
    _netwright(lab, "apply", "--lab", "--yes", str(designs / "docker-bridge.yaml"))
    _netwright(lab, "confirm", "--lab", "docker")
    planned = _netwright(lab, "plan", "--lab", str(designs / "docker-eth0-beside.yaml"))
    assert ("WARNING: the lab host's default route leaves by wlp2s0, the NIC deployment docker"
            " builds on, not by eth0") in planned.stdout, planned.stdout
    _netwright(lab, "destroy", "--lab", "docker")
