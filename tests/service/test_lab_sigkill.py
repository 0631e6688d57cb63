"""A lab killed with SIGKILL takes every helper it started with it (lab_pids.py).

The user applies a design whose interfaces ask DHCP, so the lab runs its router's dnsmasq and
one udhcpc per interface; the test then SIGKILLs the lab by PID (the backend the pid file
names, its PID namespace's init, or the launcher a unit or a shell started) and reads /proc:
every helper must be gone at once, not left holding the dead lab's namespaces until someone
kills it. The next command the user runs starts a fresh lab that serves normally.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from svc_cli import NETWRIGHT, as_user
from svc_lab import PrivateLab

from netwright.backend.service.lab import lab_processes
from tests.dhcp.conftest import LAB_TWO_MACVLANS
from tests.tools.proc_scan import naming

#: How long the helpers may take to go after the kill (the kernel ends them at once).
BOUND = 5.0


def running(pid: int) -> bool:
    """Still running: not gone, not a zombie that has run its course."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def helpers(lab: PrivateLab) -> dict[str, list[int]]:
    """The lab's helpers by program: each names a file in the lab's directory."""
    found: dict[str, list[int]] = {}
    for pid, argv in naming(lab.directory):
        program = Path(argv[0].decode()).name
        found.setdefault(program, []).append(pid)
    return found


def apply(lab: PrivateLab) -> None:
    design = lab.runtime / "dhcplab.yaml"
    design.write_text(LAB_TWO_MACVLANS)
    design.chmod(0o644)
    applied = as_user(lab.user, [NETWRIGHT, "apply", "--lab", "--yes", str(design)],
                      env=lab.env)
    assert applied.returncode == 0, applied.stderr


@pytest.mark.parametrize("killed", ["backend", "init", "launcher"])
def test_a_lab_killed_with_sigkill_leaves_no_helper_running(lab, killed: str) -> None:
    apply(lab)
    pid = lab.pid()
    assert pid is not None
    lab_tree = lab_processes(pid)  # the backend, its PID namespace's init, the launcher
    started = helpers(lab)
    assert len(started.get("dnsmasq", [])) == 1 and len(started.get("busybox", [])) == 2, \
        started  # the router's DHCP server, one udhcpc per interface
    everything = {*lab_tree[:-1], *(p for pids in started.values() for p in pids)}

    assert len(lab_tree) == 3, lab_tree
    os.kill(lab_tree[["backend", "init", "launcher"].index(killed)], signal.SIGKILL)
    deadline = time.monotonic() + BOUND
    while {p for p in everything if running(p)}:
        assert time.monotonic() < deadline, \
            f"still running {BOUND} s after the SIGKILL: {helpers(lab)}"
        time.sleep(0.02)

    apply(lab)  # the next command starts a fresh lab, which serves as the first did
    fresh = lab.pid()
    assert fresh is not None and fresh not in everything
    listed = as_user(lab.user, [NETWRIGHT, "list", "--lab", "--json"], env=lab.env)
    assert json.loads(listed.stdout)["deployments"] == ["dhcplab"], listed.stderr
    again = helpers(lab)
    assert len(again.get("dnsmasq", [])) == 1 and not set(again["dnsmasq"]) & everything
    assert "Traceback" not in (lab.directory / "lab.log").read_text()


ORPHAN = """o=$(sh -c 'sleep 0.3 >/dev/null 2>&1 & echo $!')
parent=$(cut -d' ' -f4 /proc/$o/stat)
sleep 1.5
if [ -e /proc/$o ]; then echo "$parent left $(cut -d' ' -f3 /proc/$o/stat)"
else echo "$parent reaped"; fi
"""


def test_a_process_orphaned_in_the_lab_goes_to_its_init_which_reaps_it(lab) -> None:
    """PID 1 of the lab's namespace adopts what a helper leaves behind and reaps it, so no
    zombie piles up in a lab that runs for days."""
    started = as_user(lab.user, [NETWRIGHT, "lab", "start"], env=lab.env)
    assert started.returncode == 0, started.stderr
    pid = lab.pid()
    inside = subprocess.run(["nsenter", f"--target={pid}", "--user", "--net", "--mount", "--pid",
                             "--", "sh", "-c", ORPHAN], capture_output=True, text=True,
                            check=True, timeout=30)
    assert inside.stdout.split() == ["1", "reaped"], inside.stdout + inside.stderr


@pytest.mark.parametrize("signalled", ["backend", "init", "launcher"])
def test_sigterm_to_any_of_the_labs_processes_stops_it_cleanly(lab, signalled: str) -> None:
    """The launcher and the init pass SIGTERM on: the backend stops its helpers itself."""
    started = as_user(lab.user, [NETWRIGHT, "lab", "start"], env=lab.env)
    assert started.returncode == 0, started.stderr
    pid = lab.pid()
    assert pid is not None
    lab_tree = lab_processes(pid)
    everything = {*lab_tree, *(p for pids in helpers(lab).values() for p in pids)}
    os.kill(lab_tree[["backend", "init", "launcher"].index(signalled)], signal.SIGTERM)
    deadline = time.monotonic() + 30
    while {p for p in everything if running(p)}:
        assert time.monotonic() < deadline, f"still running: {helpers(lab)}"
        time.sleep(0.02)
    log = (lab.directory / "lab.log").read_text()
    assert "stopping on SIGTERM" in log and log.rstrip().endswith("stopped"), log
