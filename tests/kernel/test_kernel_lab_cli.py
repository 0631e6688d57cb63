"""The seed in the lab on real ipvlan, as a user types it: `netwright apply --lab`, `check --lab`.

An ordinary user (nobody) runs the CLI; the first command starts that user's lab backend
(``netwrightd --lab``, in a user + network + mount namespace of its own) on demand. In the
stock-kernel VM this needs a root that is not "chrooted" in the kernel's eyes (the VM enters
its root as switch_root does, tests/kernel/vm_guest_init.sh): a chrooted process gets no user
namespace. The links are read back from the kernel inside the lab's namespaces.
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

pytestmark = pytest.mark.kernel

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed-ipvlan-l2.yaml"
NETWRIGHT = str(Path(sys.executable).with_name("netwright"))
NOBODY = 65534
SLOW = 600  # seconds for one command: Python runs 10-20x slower in the emulated VM


@pytest.fixture
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


def lab_links(runtime: Path, netns: str) -> dict[str, Any]:
    """The links of ``netns`` inside the running lab, read by root through nsenter."""
    pid = (runtime / "netwright-lab" / "pid").read_text().strip()
    out = subprocess.run(["nsenter", f"--target={pid}", "--net", "--mount", "--", "ip", "-n",
                          netns, "-d", "-j", "link", "show"],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    return {link["ifname"]: link for link in json.loads(out)}


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
