"""Plan, check and recovery beside an apply that holds most of the open files allowed.

An apply, destroy or status sets aside the open files it will hold (``kernel/open_files``)
and is refused when they would not fit beside the operations running now; a Plan, a check
and a recovery opened as many (a descriptor and a socket per namespace, sockets in every
namespace a check probes from) without asking, so beside a large apply they took the files
the apply had counted on, and it ran out half-way. They are now admitted the same way:
refused with TooManyFiles before anything is opened, and run as before once the apply has
ended. The apply is held half-way by the engine's fault hook; everything runs in a child
process with its own limit, in this test's network namespace.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.root

#: The apply of ofa (40 namespaces) sets aside 2 x 40 + 128 = 208 of the LIMIT - 64 = 308
#: the process may use beside its own: 100 are left, less than any plan, check or recovery
#: sets aside (128 at least), and all fit once the apply has ended.
N = 40
LIMIT = 372
CRASH_CHILD = Path(__file__).with_name("crash_child.py")
ROOT = Path(__file__).resolve().parents[2]  # the child's working directory: tests imports

CHILD = textwrap.dedent("""
    import asyncio, json, os, resource, subprocess, sys, threading, time
    from pathlib import Path
    from netwright.backend.checks.run import CheckOptions, run_check
    from netwright.backend.engine import Engine, Target
    from netwright.backend.outcomes.errors import TooManyFiles
    from netwright.backend.topology.model import Topology
    from tests.engine.star_topology import HalfWay, star

    state, limit, n, crash_child = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

    half_way = HalfWay()  # the first apply waits half-way, its namespaces all open
    held, release = half_way.held, half_way.release

    first = Engine(state, Target.host(), fault=half_way.hook)
    beside = Engine(state, Target.host())
    checked = Topology.model_validate(star("c", 96, 3))
    asyncio.run(beside.apply(checked))
    deployment = asyncio.run(beside.deployment("ofc"))
    seen = {}

    def attempt(what, call):
        try:
            asyncio.run(call())
            seen[what] = "ran"
        except TooManyFiles as exc:
            seen[what] = f"TooManyFiles: {exc}"

    def run_first():
        try:
            asyncio.run(first.apply(Topology.model_validate(star("a", 98, n))))
            seen["first"] = "applied"
        except Exception as exc:
            seen["first"] = f"{type(exc).__name__}: {exc}"

    options = CheckOptions(timeout=0.2, retries=0)
    thread = threading.Thread(target=run_first)
    thread.start()
    assert held.wait(120)
    attempt("plan", lambda: beside.plan(checked))
    attempt("check", lambda: run_check(deployment, options))
    # an apply of ofd killed half-way (another process): its journal waits for a recovery
    design = Path(state).parent / "ofd.yaml"
    design.write_text(json.dumps(star("d", 95, 2)))
    ready = Path(state).parent / "ofd-ready"
    crashed = subprocess.Popen([sys.executable, crash_child, "apply", state, str(design), "1",
                                str(ready)])
    while not ready.exists():
        assert crashed.poll() is None, "the apply of ofd ended before its step"
        time.sleep(0.01)
    crashed.kill()
    crashed.wait()
    attempt("recover", beside.recover)
    seen["journal_kept"] = any(Path(state).glob("*/ofd.journal"))
    release.set()
    thread.join()
    attempt("recover_after", beside.recover)
    seen["journal_after"] = any(Path(state).glob("*/ofd.journal"))
    attempt("plan_after", lambda: beside.plan(checked))
    attempt("check_after", lambda: run_check(deployment, options))
    for name in ("ofa", "ofc", "ofd"):
        if name in asyncio.run(beside.deployments()):
            asyncio.run(beside.destroy(name))
    seen["left"] = sum(1 for name in os.listdir("/run/netns") if name.startswith("of"))
    print(json.dumps(seen))
""")


def test_plan_check_and_recovery_beside_a_large_apply_are_admitted(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / "state"), str(LIMIT),
                           str(N), str(CRASH_CHILD)],
                          capture_output=True, text=True, timeout=300, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout)
    assert seen["first"] == "applied", seen
    beside = "the operations running now beside it in this command (applies, destroys," \
        " checks, captures or statuses of large topologies) hold up to 208 of the 372"
    assert seen["plan"] == ("TooManyFiles: topology ofc has 3 namespaces: planning it holds"
                            f" up to 134 open files, and {beside} it may open: try again"
                            " when they have ended, or raise it as root before the command"
                            " ('ulimit -Hn N')"), seen
    assert seen["check"].startswith("TooManyFiles: topology ofc has 3 namespaces: checking it"
                                    f" holds up to 148 open files, and {beside}"), seen
    assert seen["recover"].startswith(
        "TooManyFiles: topology ofd has 2 namespaces: recovering its interrupted apply"
        f" holds up to 132 open files, and {beside}"), seen
    assert seen["journal_kept"] is True, seen  # left for the next recovery, not lost
    assert (seen["recover_after"], seen["journal_after"]) == ("ran", False), seen
    assert (seen["plan_after"], seen["check_after"]) == ("ran", "ran"), seen
    assert seen["left"] == 0, seen
