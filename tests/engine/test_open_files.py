"""An apply of 600 namespaces under the usual soft limit of 1,024 open files.

An apply holds a descriptor of each namespace and a netlink socket in it. Under systemd's
default limit (1,024 soft, far more hard) a 600-namespace apply ran out half-way ("Too many
open files"): the job crashed, the topology stayed half built until a later command rolled
it back. The engine now raises its soft limit to the hard one, and refuses before touching
anything when even the hard limit is too small. The host's firewall rule makes the apply run
nftables with over a thousand descriptors open (see ``nft.binding``). Each case runs in a
child process with its own limits, in this test's network namespace.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.root

N = 600

CHILD = textwrap.dedent("""
    import asyncio, json, os, resource, sys
    from netwright.backend.engine import Engine, Target
    from netwright.backend.outcomes.errors import TooManyFiles
    from netwright.backend.topology.model import Topology

    soft, hard = (int(x) for x in sys.argv[2:4])
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    n = int(sys.argv[4])
    namespaces = {f"of{i}": {} for i in range(n)}
    interfaces = {"ofbr": {"kind": "bridge", "addresses": ["10.99.0.1/16"]}}
    for i in range(n):
        interfaces[f"e{i}"] = {"kind": "veth", "peer": f"h{i}", "name": "eth0",
                               "namespace": f"of{i}",
                               "addresses": [f"10.99.{i // 250 + 1}.{i % 250 + 2}/16"]}
        interfaces[f"h{i}"] = {"kind": "veth", "peer": f"e{i}", "master": "ofbr",
                               "name": f"ofh{i}"}
    topology = Topology.model_validate({
        "netwright": 1, "name": "openfiles", "namespaces": namespaces,
        "interfaces": interfaces,
        "host": {"firewall": {"input": {"rules": [
            {"action": "accept", "proto": "tcp", "dport": 22}]}}}})
    engine = Engine(sys.argv[1], Target.host())
    seen = {}
    try:
        asyncio.run(engine.apply(topology))
    except TooManyFiles as exc:
        seen["refused"] = str(exc)
    seen["soft_after"] = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    seen["namespaces"] = sum(1 for name in os.listdir("/run/netns") if name.startswith("of"))
    if "refused" not in seen:
        seen["deployed"] = asyncio.run(engine.status("openfiles")).ok
        asyncio.run(engine.destroy("openfiles"))
        seen["left"] = sum(1 for name in os.listdir("/run/netns") if name.startswith("of"))
    print(json.dumps(seen))
""")


def _apply_in_child(state: Path, soft: int, hard: int) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", CHILD, str(state), str(soft), str(hard),
                           str(N)], capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_an_apply_raises_the_soft_limit_it_needs(tmp_path: Path) -> None:
    seen = _apply_in_child(tmp_path, 1024, 8192)
    assert "refused" not in seen
    assert seen["soft_after"] == 8192
    assert seen["deployed"] is True
    assert seen["left"] == 0


def test_a_hard_limit_too_small_is_refused_before_anything_is_made(tmp_path: Path) -> None:
    seen = _apply_in_child(tmp_path, 1024, 1024)
    assert seen["namespaces"] == 0
    refused = str(seen["refused"])
    assert "topology openfiles has 600 namespaces" in refused
    assert "up to 1,328 open files" in refused
    assert "may open only 1,024" in refused
    # this process is no netwrightd, whose unit sets its limit: the shell's is raised as root,
    # and a design not yet deployed can be split
    assert refused.endswith("this command may open only 1,024 (its hard limit; it keeps 64"
                            " of them for itself): raise it as root before the command"
                            " ('ulimit -Hn N'); or split the topology into smaller ones"), refused
