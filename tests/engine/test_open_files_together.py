"""Two applies that each fit under the open-files limit, but not side by side.

Each apply was checked against the limit alone (``TooManyFiles``), so in one process
(netwrightd runs the jobs of different topologies in threads side by side) a second large
apply started beside a running one was admitted, ran out of open files half-way, crashed
and left its topology half built. The second is now refused before it touches anything.
The first is held half-way by the engine's fault hook, so the two really overlap. It runs
in a child process with its own limits, in this test's network namespace.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.root

#: Namespaces per topology: an apply of 300 holds up to 2 x 300 + 128 = 728 open files, and
#: the process keeps 64 of its own, so one fits under LIMIT and two do not.
N = 300
LIMIT = 900
ROOT = Path(__file__).resolve().parents[2]  # the child's working directory: tests imports

CHILD = textwrap.dedent("""
    import asyncio, json, os, resource, sys, threading
    from netwright.backend.engine import Engine, Target
    from netwright.backend.topology.model import Topology
    from tests.engine.star_topology import HalfWay, star

    limit, n = int(sys.argv[2]), int(sys.argv[3])
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

    half_way = HalfWay()  # the first apply waits half-way, its namespaces all open
    held, release = half_way.held, half_way.release

    first = Engine(sys.argv[1], Target.host(), fault=half_way.hook)
    seen = {}

    def run_first():
        try:
            asyncio.run(first.apply(Topology.model_validate(star("a", 98, n))))
            seen["first"] = "applied"
        except Exception as exc:
            seen["first"] = f"{type(exc).__name__}: {exc}"

    thread = threading.Thread(target=run_first)
    thread.start()
    assert held.wait(120)
    second = Engine(sys.argv[1], Target.host())
    try:
        asyncio.run(second.apply(Topology.model_validate(star("b", 97, n))))
        seen["second"] = "applied"
    except Exception as exc:
        seen["second"] = f"{type(exc).__name__}: {exc}"
    seen["second_namespaces"] = sum(1 for name in os.listdir("/run/netns")
                                    if name.startswith("ofb"))
    release.set()
    thread.join()
    for name in ("ofa", "ofb"):
        if name in asyncio.run(second.deployments()):
            asyncio.run(second.destroy(name))
    seen["left"] = sum(1 for name in os.listdir("/run/netns") if name.startswith("of"))
    print(json.dumps(seen))
""")


def test_a_second_apply_that_would_not_fit_beside_the_first_is_refused(tmp_path) -> None:
    done = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path), str(LIMIT), str(N)],
                          capture_output=True, text=True, timeout=300, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout)
    assert seen["first"] == "applied", seen
    assert seen["second"].startswith("TooManyFiles: topology ofb has 300 namespaces:"), seen
    assert "the operations running now beside it" in seen["second"], seen
    assert "hold up to 728 of the 900" in seen["second"], seen
    assert seen["second_namespaces"] == 0, seen  # refused before anything was made
    assert seen["left"] == 0, seen
