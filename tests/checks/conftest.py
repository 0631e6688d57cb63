"""Fixtures for checks against the kernel: a real engine, and an uplink with a router behind it.

Everything runs inside the namespace tests/tools/run-isolated made; the uplink is a veth whose
far end sits in a router namespace holding the gateway address and an "outside" address, the
same shape as the lab (and as kernel-facts.md's measurements).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from netwright.backend.engine import Engine, Target
from netwright.backend.topology import Topology

GATEWAY = "192.168.31.1"
OUTSIDE = "203.0.113.114"


def sh(command: str) -> None:
    subprocess.run(command, shell=True, check=True, capture_output=True)


def ignore_gone(command: str) -> None:
    subprocess.run(command, shell=True, check=False, capture_output=True)


def load_nft_modules() -> None:
    """The stock kernel's nftables parts are modules that nothing loads inside the VM tier:
    nf_tables itself, conntrack expressions, and bridge conntrack and reject (a kernel with
    them built in, or without them, is left as it is)."""
    release = os.uname().release
    found = sorted(path.name.split(".ko")[0] for path in Path(f"/lib/modules/{release}").glob(
        "kernel/net/**/*.ko*") if path.name.startswith(("nft_", "nf_conntrack_bridge",
                                                         "nf_tables", "nf_nat", "nf_reject")))
    for module in ["nf_tables", *found]:
        ignore_gone(f"modprobe -q {module}")


@pytest.fixture
def uplink() -> Iterator[Callable[..., str]]:
    """``uplink(nic, host_cidr)``: host NIC ``nic`` (with that address, if any) wired to a
    router holding GATEWAY and OUTSIDE."""
    made: list[tuple[str, str]] = []

    def make(nic: str, host_cidr: str | None = "192.168.31.240/24",
             route_outside: bool = False) -> str:
        """Returns the router's namespace; ``route_outside``: the host routes OUTSIDE via
        the gateway (not a default route: changing rules on the default route's device is
        a change on trial, which the engine asks to confirm)."""
        router = f"rtr-{uuid.uuid4().hex[:6]}"
        sh(f"ip netns add {router}")
        made.append((nic, router))
        sh(f"ip link add {nic} type veth peer name lan0 netns {router}")
        if host_cidr:
            sh(f"ip addr add {host_cidr} dev {nic}")
        sh(f"ip link set {nic} up")
        sh(f"ip -n {router} addr add {GATEWAY}/24 dev lan0 && ip -n {router} link set lan0 up")
        sh(f"ip -n {router} link set lo up && ip -n {router} addr add {OUTSIDE}/32 dev lo")
        if route_outside:
            sh(f"ip route add {OUTSIDE}/32 via {GATEWAY} dev {nic}")
        return router

    yield make
    for nic, router in made:
        ignore_gone(f"ip link del {nic}")
        ignore_gone(f"ip netns del {router}")


@pytest.fixture
def deploy(tmp_path: Path) -> Iterator[Callable[[Topology], object]]:
    """Apply a topology with the real engine on this (isolated) host; destroy it afterwards."""
    engine = Engine(tmp_path / "state", Target.host())
    applied: list[str] = []

    def apply(topology: Topology) -> object:
        asyncio.run(engine.apply(topology))
        applied.append(topology.name)
        return asyncio.run(engine.deployment(topology.name))

    yield apply
    for name in reversed(list(dict.fromkeys(applied))):
        asyncio.run(engine.destroy(name))


def macvlan_stand_in(topology: Topology) -> Topology:
    """The same design with ipvlan l2 (flag bridge) replaced by macvlan bridge, for kernels
    without ipvlan: the rules kernel-facts.md measured are the same for both."""
    data = topology.model_dump(by_alias=True, exclude_none=True)
    for link in data["interfaces"].values():
        if link["kind"] == "ipvlan":
            assert link.get("mode") == "l2" and link.get("flag", "bridge") == "bridge"
            link.update(kind="macvlan", mode="bridge")
            link.pop("flag", None)
    return Topology.model_validate(data)


@pytest.fixture
def lan() -> Iterator[dict[str, Any]]:
    """Three namespaces on a bridge, 10.77.0.1–3/24 and fd77::1–3/64; lo up in each."""
    tag = uuid.uuid4().hex[:5]
    names = [f"pr{tag}{i}" for i in range(1, 4)]
    bridge = f"brp{tag}"
    sh(f"ip link add {bridge} type bridge && ip link set {bridge} up")
    for i, ns in enumerate(names, start=1):
        sh(f"ip netns add {ns}")
        sh(f"ip link add vp{tag}{i} type veth peer name eth0 netns {ns}")
        sh(f"ip link set vp{tag}{i} master {bridge} up")
        sh(f"ip -n {ns} addr add 10.77.0.{i}/24 dev eth0")
        sh(f"ip -n {ns} addr add fd77::{i}/64 dev eth0 nodad")
        sh(f"ip -n {ns} link set eth0 up && ip -n {ns} link set lo up")
    yield {"names": names, "bridge": bridge, "tag": tag}
    for i, ns in enumerate(names, start=1):
        subprocess.run(f"ip netns del {ns}; ip link del vp{tag}{i}", shell=True, check=False,
                       capture_output=True)
    subprocess.run(f"ip link del {bridge}", shell=True, check=False, capture_output=True)
