"""Lab mode probes without root: inside an unprivileged user + network + mount namespace,
ping_group_range accepts only mapped groups ("0 0") and cannot be put back to "1 0"; the
neighbour pins and the probe must still work (kernel-facts.md)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap

import pytest

pytestmark = pytest.mark.root

SCRIPT = textwrap.dedent("""
    import asyncio, subprocess
    from netwright.backend.checks.run import CheckOptions, run_check
    from netwright.backend.topology import Topology

    def sh(command):
        subprocess.run(command, shell=True, check=True)

    n = 36
    interfaces = {"br0": {"kind": "bridge"}}
    sh("ip link add br0 type bridge && ip link set br0 up")
    for i in range(n):
        sh(f"ip netns add u{i} && ip link add p{i} type veth peer name eth0 netns u{i}"
           f" && ip link set p{i} master br0 up && ip -n u{i} addr add 10.36.0.{i + 1}/24"
           f" dev eth0 && ip -n u{i} link set eth0 up && ip -n u{i} link set lo up")
        interfaces[f"p{i}"] = {"kind": "veth", "peer": f"e{i}", "master": "br0"}
        interfaces[f"e{i}"] = {"kind": "veth", "peer": f"p{i}", "name": "eth0",
                               "namespace": f"u{i}", "addresses": [f"10.36.0.{i + 1}/24"]}
    topology = Topology.model_validate({"netwright": 1, "name": "userns",
        "namespaces": {f"u{i}": {} for i in range(n)}, "interfaces": interfaces})
    result = asyncio.run(run_check(topology, CheckOptions(timeout=1.0)))
    peers = [p for p in result.pairs if p.target.role == "peer"]
    assert len(peers) == n * (n - 1), len(peers)
    assert all(p.observed.verdict == "reachable" for p in peers)
    assert not result.mismatches
    assert result.neighbour_table["pinned"] == n * (n - 1)
    print("ok", len(peers))
""")


@pytest.mark.skipif(shutil.which("runuser") is None, reason="runuser (util-linux) is missing")
def test_probe_as_an_unprivileged_user_in_its_own_namespaces() -> None:
    directory = tempfile.mkdtemp(prefix="netwright-userns-")
    try:
        os.chmod(directory, 0o755)
        script = os.path.join(directory, "probe.py")
        with open(script, "w") as handle:
            handle.write(SCRIPT)
        os.chmod(script, 0o644)
        inner = (f"mount -t tmpfs none /run/netns && ip link set lo up && cd {directory}"
                 f" && exec {sys.executable} {script}")
        done = subprocess.run(
            ["runuser", "-u", "nobody", "--", "unshare", "--user", "--map-root-user", "--net",
             "--mount", "sh", "-c", inner],
            capture_output=True, text=True, timeout=120, check=False)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == f"ok {36 * 35}"
