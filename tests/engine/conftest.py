"""Fixtures for the engine tests: a real engine on the harness's namespace, and a kernel
snapshot read with iproute2 (independent of the engine's own netlink code).

Every test here runs inside the namespace tests/tools/run-isolated made (the suite's root
conftest refuses anything else). Each test leaves the namespace as it found it: deployments
are destroyed and anything the test made by hand is removed in teardown.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from netwright.backend.engine import Engine, Target
from netwright.backend.topology import parse_topology
from netwright.backend.topology.model import Topology
from tests.tools.root_marks import mark_root

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mark_root(items, Path(__file__).parent)


def sh(command: str, *, check: bool = True) -> str:
    result = subprocess.run(command, shell=True, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"{command!r} failed: {result.stderr.strip()}")
    return result.stdout


def ip_json(args: str, netns: str | None = None) -> Any:
    prefix = f"ip -n {netns} -j" if netns else "ip -j"
    out = sh(f"{prefix} {args}")
    return json.loads(out) if out.strip() else []


def netns_list() -> list[str]:
    return sorted(p.name for p in Path("/run/netns").iterdir())


def links(netns: str | None = None) -> dict[str, dict[str, Any]]:
    """name → the link as ``ip -d -j link`` plus ``addrs`` (CIDRs, link-local left out)."""
    out: dict[str, dict[str, Any]] = {}
    for link in ip_json("-d link show", netns):
        out[link["ifname"]] = link
        link["addrs"] = []
    for entry in ip_json("addr show", netns):
        for info in entry.get("addr_info", []):
            if info.get("scope") == "link" and info["family"] == "inet6":
                continue
            out[entry["ifname"]]["addrs"].append(f"{info['local']}/{info['prefixlen']}")
    return out


def snapshot() -> dict[str, Any]:
    """Everything a topology could touch, in a form two snapshots can be compared in.

    MACs and indexes are left out (an object that is rolled back by re-creating it gets new
    ones); everything else a user would notice is in.
    """
    def of(netns: str | None) -> dict[str, Any]:
        state: dict[str, Any] = {}
        for name, link in links(netns).items():
            info = link.get("linkinfo", {})
            state[name] = {
                "kind": info.get("info_kind"), "alias": link.get("ifalias"),
                "mtu": link.get("mtu"), "master": link.get("master"),
                "up": "UP" in link.get("flags", []), "addrs": sorted(link["addrs"]),
                "data": {k: v for k, v in (info.get("info_data") or {}).items()
                         if k in ("mode", "id", "flags", "stp_state")},
            }
        # carrier ("linkdown") follows the kernel's link watch, with a delay: not configuration
        routes = sorted(json.dumps({k: v for k, v in r.items() if k != "flags"}, sort_keys=True)
                        for r in ip_json("route show", netns))
        return {"links": state, "routes": routes}

    return {"netns": netns_list(), "host": of(None), **{ns: of(ns) for ns in netns_list()}}


def run(coro: Any) -> Any:
    return asyncio.run(coro)


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def engine(state_dir: Path) -> Iterator[Engine]:
    """An engine on the harness's namespace; every deployment is destroyed afterwards."""
    eng = Engine(state_dir, Target.host())
    yield eng
    for name in run(eng.deployments()):
        run(eng.destroy(name))


@pytest.fixture
def clean_host() -> Iterator[dict[str, Any]]:
    """The snapshot before the test; afterwards, whatever the test made by hand is removed."""
    before = snapshot()
    yield before
    for ns in set(netns_list()) - set(before["netns"]):
        sh(f"ip netns del {ns}", check=False)
    for name in set(links()) - set(before["host"]["links"]):
        sh(f"ip link del {name}", check=False)


@pytest.fixture
def topo() -> Callable[[str], Topology]:
    """Parse topology YAML text (the contract's validation included)."""
    return parse_topology


def wait_for_no_orphans(before: dict[str, Any], timeout: float = 15.0) -> dict[str, Any]:
    """The snapshot once it equals ``before`` (the kernel frees namespaces asynchronously)."""
    import time

    deadline = time.monotonic() + timeout
    now = snapshot()
    while now != before and time.monotonic() < deadline:
        time.sleep(0.05)
        now = snapshot()
    return now
