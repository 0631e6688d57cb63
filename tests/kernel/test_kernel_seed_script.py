"""The seed's exported shell script, run with ``sh -e`` on a lab host, builds what it says.

``netwright export --format sh examples/seed-ipvlan-l2.yaml`` prints ip(8) commands. They run
here in a private network + mount namespace playing the seed's host: an uplink ``wlp2s0``
(192.168.31.240/24) whose wire ends in a router namespace (192.168.31.1), and a private
/run/netns so the script's ``net1``/``net2`` cannot meet any other test's. The namespace stays
alive (the shell waits on stdin) while pyroute2 reads back, through /proc/PID, what the kernel
holds.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from kernel_readback import LinkFacts, link_facts, link_names
from pyroute2 import NetNS

from netwright.backend.cli.main import main as cli_main

pytestmark = pytest.mark.kernel

PROJECT = Path(__file__).resolve().parents[2]
SEED = PROJECT / "examples" / "seed-ipvlan-l2.yaml"

LAB_HOST = """
mount -t tmpfs -o mode=0755 nwseed /run/netns
ip link set lo up
ip netns add lab-router
ip link add wlp2s0 type veth peer name lan0 netns lab-router
ip addr add 192.168.31.240/24 dev wlp2s0
ip link set wlp2s0 up
ip -n lab-router addr add 192.168.31.1/24 dev lan0
ip -n lab-router link set lan0 up
sh -e "$1"
echo READY
read -r _
"""


def _export_seed() -> str:
    """``netwright export --format sh SEED``, run in this process (a new Python: ~10 s in a VM)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli_main(["export", "--format", "sh", str(SEED)])
    assert status == 0, err.getvalue()
    return out.getvalue()


@pytest.fixture
def seed_lab(tmp_path: Path) -> Iterator[int]:
    """PID of a shell holding the lab host on which the seed script ran (killed afterwards)."""
    script = tmp_path / "seed.sh"
    script.write_text(_export_seed())
    shell = subprocess.Popen(
        ["unshare", "--net", "--mount", "--propagation", "private", "sh", "-euc", LAB_HOST,
         "seed-lab", str(script)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert shell.stdout is not None and shell.stdin is not None
    ready = shell.stdout.readline()
    try:
        if ready.strip() != "READY":
            shell.wait(timeout=60)
            pytest.fail(f"the seed script failed (exit {shell.returncode}): "
                        f"{shell.stderr.read() if shell.stderr else ''}")
        yield shell.pid
    finally:
        if shell.poll() is None:
            shell.stdin.close()
            shell.wait(timeout=60)


def _facts(netns_path: str, name: str) -> tuple[LinkFacts, set[str]]:
    ipr = NetNS(os.open(netns_path, os.O_RDONLY))
    try:
        return link_facts(ipr, name), link_names(ipr)
    finally:
        ipr.close()


def test_the_seed_script_builds_two_ipvlan_l2_children_of_wlp2s0(seed_lab: int) -> None:
    proc = f"/proc/{seed_lab}"
    uplink, host_links = _facts(f"{proc}/ns/net", "wlp2s0")
    assert host_links == {"lo", "wlp2s0"}  # the children went to their namespaces
    assert sorted(os.listdir(f"{proc}/root/run/netns")) == ["lab-router", "net1", "net2"]

    for netns, child, address in (("net1", "ipvlan1", "192.168.31.5/24"),
                                  ("net2", "ipvlan2", "192.168.31.6/24")):
        facts, links = _facts(f"{proc}/root/run/netns/{netns}", child)
        assert links == {"lo", child}
        assert (facts.kind, facts.ipvlan_mode, facts.ipvlan_flag) == ("ipvlan", "l2", "bridge")
        assert facts.parent_index == uplink.index and facts.parent_netnsid is not None
        assert facts.addresses == (address,)
        assert facts.up
