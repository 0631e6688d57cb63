"""Fixtures for the DHCP tests: the lab host with its real dnsmasq, and real udhcpc clients.

Everything runs inside the namespace tests/tools/run-isolated made (the suite's root conftest
refuses anything else). Teardown stops every helper process the test started — found by the
state directory in its command line, stopped by PID — and destroys the lab.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from netwright.backend.dhcp import DhcpClients
from netwright.backend.dhcp.lab_server import LabDhcpServer, ServerLease, lab_server_dir
from netwright.backend.engine import Engine, Target
from netwright.backend.lab import build_lab, destroy_lab
from netwright.backend.topology import parse_topology
from netwright.backend.topology.model import Topology
from tests.tools.proc_scan import naming

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")

LAB_TWO_MACVLANS = """\
netwright: 1
name: dhcplab
host: {nics: {wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}}}
namespaces: {net1: {}, net2: {}}
interfaces:
  mv1: {kind: macvlan, parent: wlp2s0, mode: bridge, namespace: net1, addresses: [dhcp]}
  mv2: {kind: macvlan, parent: wlp2s0, mode: bridge, namespace: net2, addresses: [dhcp]}
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).parent != HERE or item.get_closest_marker("kernel"):
            continue
        if getattr(item.module, "NEEDS_ROOT", True) is False:
            continue
        item.add_marker(pytest.mark.root)
        if os.geteuid() != 0:
            item.add_marker(pytest.mark.skip(reason="needs root under run-isolated"))


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def sh(command: str, *, check: bool = True) -> str:
    result = subprocess.run(command, shell=True, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"{command!r} failed: {result.stderr.strip()}")
    return result.stdout


def addresses(netns: str, name: str) -> list[dict[str, Any]]:
    """The IPv4 addresses of ``name`` as ``ip -j addr`` reports them (lifetimes included)."""
    out = json.loads(sh(f"ip -n {netns} -j -4 addr show dev {name}") or "[]")
    return [info for entry in out for info in entry.get("addr_info", [])]


def mac_of(netns: str, name: str) -> str:
    return str(json.loads(sh(f"ip -n {netns} -j link show dev {name}"))[0]["address"]).lower()


def kill_mid_lease(child_script: str, state_dir: Path, tmp_path: Path) -> None:
    """Apply the two-macvlan lab topology from a separate process (``child_script`` here:
    an engine or a backend), wait until both interfaces are leased, then kill -9 it."""
    topology_file = tmp_path / "dhcplab.yaml"
    topology_file.write_text(LAB_TWO_MACVLANS)
    child = subprocess.Popen([PYTHON, str(HERE / child_script), str(state_dir),
                              str(topology_file)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().split() == ["leased", "mv1", "mv2"]
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()


def udhcpc_pids(state_dir: Path) -> list[int]:
    """PIDs of the udhcpc clients whose command line names a file under ``state_dir``.

    A client forks to run its event script (at start, at every lease event); until that child
    has exec'd the script it still carries udhcpc's command line. Such a child (its parent a
    udhcpc with the same command line) is part of its client, not a second client: a scan of
    /proc in that instant saw three clients for two.
    """
    clients: dict[int, tuple[int, list[bytes]]] = {}
    for pid, argv in naming(state_dir.resolve()):
        if b"udhcpc" not in argv:
            continue
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            state, parent = fields[0], int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
        if state != "Z":
            clients[pid] = (parent, argv)
    return sorted(pid for pid, (parent, argv) in clients.items()
                  if parent not in clients or clients[parent][1] != argv)


@dataclass
class LabRig:
    state_dir: Path
    engine: Engine
    clients: DhcpClients
    server: LabDhcpServer

    def served(self, expected: set[str], timeout: float = 10.0) -> dict[str, ServerLease]:
        """The server's leases by address once they are exactly ``expected`` (dnsmasq writes
        its lease file just after it answers), or as they are at the timeout."""
        deadline = time.monotonic() + timeout
        while True:
            leases = {lease.address: lease for lease in self.server.leases()}
            if set(leases) == expected or time.monotonic() >= deadline:
                return leases
            time.sleep(0.05)

    def deploy(self, topology: Topology) -> None:
        """Build the lab for ``topology`` (its router serves DHCP), apply the topology."""
        lab = run(build_lab(topology, state_dir=self.state_dir))
        assert lab.dhcp_leases == self.server.lease_file
        assert self.server.running() is not None
        run(self.engine.apply(topology))


@pytest.fixture
def topo() -> Callable[[str], Topology]:
    return parse_topology


@pytest.fixture
def lab_rig(tmp_path: Path) -> Iterator[LabRig]:
    state_dir = tmp_path / "state"
    target = Target.lab()
    rig = LabRig(state_dir, Engine(state_dir, target), DhcpClients(state_dir, target),
                 LabDhcpServer(lab_server_dir(state_dir), "nwlab-router"))
    yield rig
    rig.clients.stop_all()
    rig.server.stop()
    for name in run(rig.engine.deployments()):
        run(rig.engine.destroy(name))
    run(destroy_lab(state_dir=state_dir))
    assert udhcpc_pids(state_dir) == []
    assert rig.server.running() is None
