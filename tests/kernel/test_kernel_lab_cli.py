"""The seed in the lab on real ipvlan, as a user types it: `netwright apply --lab`, `check --lab`.

An ordinary user (nobody) runs the CLI; the first command starts that user's lab backend
(``netwrightd --lab``, in a user + network + mount namespace of its own) on demand, and both
tests use it. In the stock-kernel VM this needs a root that is not "chrooted" in the kernel's
eyes (the VM enters its root as switch_root does, tests/kernel/vm_guest_init.sh): a chrooted
process gets no user namespace. Links, addresses and leases are read back from the kernel
inside the lab's namespaces and from the lab's DHCP server (dnsmasq's lease file).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from netwright.backend.dhcp import client_id_bytes, client_id_text

pytestmark = pytest.mark.kernel

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed-ipvlan-l2.yaml"
SEED_DHCP = ROOT / "examples" / "seed-ipvlan-dhcp.yaml"
NETWRIGHT = str(Path(sys.executable).with_name("netwright"))
NOBODY = 65534
SLOW = 600  # seconds for one command: Python runs 10-20x slower in the emulated VM


@pytest.fixture(scope="module")
def runtime_dir() -> Iterator[Path]:
    """nobody's $XDG_RUNTIME_DIR (the lab lives in it); the lab is stopped by its PID after."""
    path = Path(tempfile.mkdtemp(prefix="netwright-runtime-"))
    os.chown(path, NOBODY, NOBODY)
    yield path
    try:
        pid = int((path / "netwright-lab" / "pid").read_text())
    except (OSError, ValueError):
        pid = None
    if pid is not None and b"--lab" in Path(f"/proc/{pid}/cmdline").read_bytes():
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
            time.sleep(0.1)
    shutil.rmtree(path, ignore_errors=True)


def netwright(runtime: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--", "env",
         "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", f"XDG_RUNTIME_DIR={runtime}",
         "DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent", NETWRIGHT, *args],
        capture_output=True, text=True, check=False, timeout=SLOW, cwd="/")


def in_lab(runtime: Path, *argv: str) -> Any:
    """``ip -j …`` inside the running lab (root enters its namespaces), parsed."""
    pid = (runtime / "netwright-lab" / "pid").read_text().strip()
    out = subprocess.run(["nsenter", f"--target={pid}", "--net", "--mount", "--", "ip", "-j",
                          *argv], capture_output=True, text=True, check=True, timeout=60).stdout
    return json.loads(out)


def lab_links(runtime: Path, netns: str) -> dict[str, Any]:
    return {link["ifname"]: link for link in in_lab(runtime, "-n", netns, "-d", "link", "show")}


def lab_addresses(runtime: Path, netns: str, name: str) -> list[str]:
    data = in_lab(runtime, "-n", netns, "-4", "addr", "show", "dev", name)
    return [f"{a['local']}/{a['prefixlen']}" for link in data for a in link["addr_info"]]


def pair(result: dict[str, Any], source: str, target: str) -> dict[str, Any]:
    return next(p for p in result["pairs"] if p["source"] == source
                and target in (p["target"], p["role"]))


@pytest.mark.timeout(1800)
def test_the_seed_applied_and_checked_in_the_lab_through_the_cli(runtime_dir: Path) -> None:
    applied = netwright(runtime_dir, "apply", "--lab", "--yes", "--json", str(SEED))
    assert applied.returncode == 0, applied.stderr
    assert json.loads(applied.stdout)["applied"] is True
    for netns, name in (("lab-net1", "ipvlan1"), ("lab-net2", "ipvlan2")):
        info = lab_links(runtime_dir, netns)[name]["linkinfo"]
        assert (info["info_kind"], info["info_data"]["mode"]) == ("ipvlan", "l2")

    checked = netwright(runtime_dir, "check", "--lab", "--json", "seed")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    result = json.loads(checked.stdout)
    assert result["probed"] and result["mismatches"] == 0
    for source, sibling in (("net1", "192.168.31.6"), ("net2", "192.168.31.5")):
        assert pair(result, source, sibling)["observed"]["verdict"] == "reachable"
        assert pair(result, source, "192.168.31.1")["observed"]["verdict"] == "reachable"
        assert pair(result, source, "outside")["observed"]["errno"] == "ENETUNREACH"

    destroyed = netwright(runtime_dir, "destroy", "--lab", "seed")
    assert destroyed.returncode == 0, destroyed.stderr


@pytest.mark.timeout(1800)
def test_the_dhcp_example_leases_one_address_per_client_id(runtime_dir: Path) -> None:
    """examples/seed-ipvlan-dhcp.yaml: ipvlan children (one MAC) lease by client identifier."""
    applied = netwright(runtime_dir, "apply", "--lab", "--yes", "--json", str(SEED_DHCP))
    assert applied.returncode == 0, applied.stderr
    shown = netwright(runtime_dir, "dhcp", "leases", "seed-dhcp", "--lab", "--json")
    assert shown.returncode == 0, shown.stdout + shown.stderr  # 0: every client is bound
    leases = {lease["interface"]: lease for lease in json.loads(shown.stdout)}
    assert {key: (lease["client_id"], lease["client_id_origin"])
            for key, lease in leases.items()} == {"ipvlan1": ("seed-net1", "given"),
                                                  "ipvlan2": ("seed-net2", "given")}
    assert leases["ipvlan1"]["address"] != leases["ipvlan2"]["address"]
    for key, netns in (("ipvlan1", "lab-net1"), ("ipvlan2", "lab-net2")):
        assert lab_addresses(runtime_dir, netns, key) == [leases[key]["address"]]
    # the backend, and so its dnsmasq and udhcpc, run in the lab's own PID namespace here too
    # (they die with it: tests/service/test_lab_sigkill.py), not in the fallback without it
    pid = (runtime_dir / "netwright-lab" / "pid").read_text().strip()
    status = Path(f"/proc/{pid}/status").read_text()
    assert next(line for line in status.splitlines() if line.startswith("NSpid:")).split()[
        1:] == [pid, "2"], status

    server = netwright(runtime_dir, "dhcp", "server", "--lab", "--json")
    assert server.returncode == 0, server.stderr
    served = {lease["client_id"]: lease["address"] for lease in json.loads(server.stdout)}
    for key, given in (("ipvlan1", "seed-net1"), ("ipvlan2", "seed-net2")):
        assert served[client_id_text(client_id_bytes(given))] == \
            leases[key]["address"].split("/")[0]

    checked = netwright(runtime_dir, "check", "--lab", "--json", "seed-dhcp")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    result = json.loads(checked.stdout)
    assert result["mismatches"] == 0
    ip2 = leases["ipvlan2"]["address"].split("/")[0]
    assert pair(result, "net1", ip2)["observed"]["verdict"] == "reachable"
    assert pair(result, "net1", "outside")["observed"]["verdict"] == "reachable"  # lease route

    destroyed = netwright(runtime_dir, "destroy", "--lab", "seed-dhcp")
    assert destroyed.returncode == 0, destroyed.stderr
