"""Lab mode: an ordinary user, no root, no polkit; the lab starts on demand and is theirs.

The test process (root) reads the lab's kernel state by entering the lab daemon's network
and mount namespaces with nsenter; the user does everything else through the client.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from svc_callers import run_client
from svc_daemon import PYTHON
from svc_lab import PrivateLab, in_lab, lab_directory, lab_pid, stop_lab
from svc_polkit import USER_ALLOWED, USER_DENIED

LIFECYCLE = """
result = await client.apply(seed)
return {"mode": await client.mode(), "steps": len(result.plan.steps),
        "status": (await client.status('seed')).ok}
"""


@pytest.fixture
def lab_user(users: dict[str, str]) -> Iterator[str]:
    stop_lab(USER_ALLOWED)
    yield USER_ALLOWED
    stop_lab(USER_ALLOWED)


def test_seed_applied_and_destroyed_in_a_lab_without_root(lab_user, system_bus) -> None:
    outcome = run_client(lab_user, "unix:path=/nonexistent", LIFECYCLE, which="lab")
    assert outcome.get("value") == {"mode": "lab", "steps": 8, "status": True}, outcome
    pid = lab_pid(lab_user)
    assert pid is not None
    status = Path(f"/proc/{pid}/status").read_text()
    uid = pwd.getpwnam(lab_user).pw_uid
    assert f"Uid:\t{uid}\t{uid}\t{uid}\t{uid}" in status, "the lab runs as the user, not root"

    assert {"lab-net1", "lab-net2", "nwlab-host"} <= set(in_lab(pid, "ls", "/run/netns").split())
    links = json.loads(in_lab(pid, "ip", "-n", "lab-net1", "-j", "-d", "address", "show"))
    mv1 = next(link for link in links if link["ifname"] == "mv1")
    assert mv1["linkinfo"]["info_kind"] == "macvlan"
    assert [a["local"] for a in mv1["addr_info"] if a["family"] == "inet"] == ["192.168.31.5"]

    destroyed = run_client(lab_user, "unix:path=/nonexistent",
                           "await client.destroy('seed'); return await client.deployments()",
                           which="lab")
    assert destroyed == {"value": []}, destroyed
    assert lab_pid(lab_user) == pid, "the same lab served both commands"
    assert not {"lab-net1", "lab-net2"} & set(in_lab(pid, "ls", "/run/netns").split())


FACTS = """
facts = await client.inspect()
return {"deployments": facts["deployments"],
        "nics": {n["name"]: [n["addresses"], n["gateway"]] for n in facts["nics"]}}
"""


def test_a_fresh_lab_presents_its_nic_before_anything_is_applied(users) -> None:
    """The designer's Host dock asks Inspect when it connects: the seed's NIC is there."""
    lab = PrivateLab(USER_ALLOWED)
    try:
        outcome = run_client(lab.user, "unix:path=/nonexistent", FACTS, which="lab",
                             env=lab.env)
        pid = lab.pid()
        assert pid is not None
        link = json.loads(in_lab(pid, "ip", "-n", "nwlab-host", "-j", "address", "show",
                                 "wlp2s0"))
    finally:
        lab.close()
    assert outcome.get("value") == {
        "deployments": [], "nics": {"wlp2s0": [["192.168.31.240/24"], "192.168.31.1"]}}, outcome
    assert [a["local"] for a in link[0]["addr_info"] if a["family"] == "inet"] == [
        "192.168.31.240"]


def test_another_user_cannot_reach_someone_elses_lab(lab_user) -> None:
    started = run_client(lab_user, "unix:path=/nonexistent", "return await client.deployments()",
                         which="lab")
    assert started == {"value": []}
    socket = lab_directory(lab_user) / "bus"
    entry = pwd.getpwnam(USER_DENIED)
    probe = subprocess.run(
        ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--init-groups",
         "--", PYTHON, "-c", f"import socket; s = socket.socket(socket.AF_UNIX);"
         f" s.connect({str(socket)!r})"],
        capture_output=True, text=True, check=False, timeout=30, cwd="/",
    )
    assert probe.returncode != 0 and "PermissionError" in probe.stderr, probe.stderr


@pytest.fixture
def user_runtime_dir(lab_user) -> Iterator[Path]:
    """An $XDG_RUNTIME_DIR of the lab user's own (0700, theirs)."""
    runtime = Path(tempfile.mkdtemp(prefix="netwright-runtime-"))
    uid = pwd.getpwnam(lab_user).pw_uid
    os.chown(runtime, uid, uid)
    yield runtime
    shutil.rmtree(runtime, ignore_errors=True)


def test_forbidden_user_namespaces_are_explained(lab_user, user_runtime_dir) -> None:
    """In a user namespace whose user.max_user_namespaces is 0 the lab cannot nest one."""
    uid = pwd.getpwnam(lab_user).pw_uid
    runtime = user_runtime_dir
    script = ("echo 0 > /proc/sys/user/max_user_namespaces &&"
              f" exec env -i PATH=/usr/bin:/bin XDG_RUNTIME_DIR={runtime} {PYTHON}"
              " -m netwright.backend.service.daemon --lab")
    result = subprocess.run(
        ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "unshare", "--user",
         "--map-root-user", "sh", "-c", script],
        capture_output=True, text=True, check=False, timeout=60, cwd="/",
    )
    assert result.returncode == 1, result.stderr
    assert "unprivileged user namespaces are not available" in result.stderr
    assert "sysctl -w user.max_user_namespaces=" in result.stderr
    assert "Traceback" not in result.stderr
