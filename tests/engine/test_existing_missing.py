"""Objects a design marks ``existing`` must be there: an absent one was planned as "nothing to
do" (the plan leaves existing objects out) and status called it present. Plan and apply now
refuse before touching anything, status says missing; one a process holds (a container's,
not under /run/netns) is found by the key `netwright import` gives it."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest

from netwright.backend.engine import Engine, HostMismatch
from netwright.backend.topology import Topology
from tests.engine.conftest import run, sh, snapshot

GHOSTS = """\
netwright: 1
name: ghosts
namespaces:
  ghost: {existing: true}
interfaces:
  gbr0: {kind: bridge, existing: true}
  gbr1: {kind: bridge, existing: true, namespace: ghost}
"""


def _states(engine: Engine, topology: Topology) -> dict[str, tuple[str, list[str]]]:
    status = run(engine.status(topology))
    return {o.object: (o.state, o.differences) for o in status.objects}


def test_absent_existing_objects_are_refused_and_missing(engine: Engine, topo: Any,
                                                        clean_host: Any) -> None:
    topology = topo(GHOSTS)
    before = snapshot()
    for attempt in (engine.plan, engine.apply):
        with pytest.raises(HostMismatch) as refused:
            run(attempt(topology))
        said = str(refused.value)
        assert "namespace ghost is marked existing but is not there" in said, said
        assert "create it first, or drop 'existing: true'" in said
        assert "interface gbr0 is marked existing but is not there (no gbr0 in this machine)" \
            in said
        assert "interface gbr1 is marked existing in namespace ghost, which is not there" in said
    assert snapshot() == before
    assert run(engine.deployments()) == []
    states = _states(engine, topology)
    assert states["ghost"][0] == states["gbr0"][0] == states["gbr1"][0] == "missing"
    assert "namespace ghost is marked existing but is not there" in states["ghost"][1][0]


def test_existing_objects_that_are_there_plan_nothing(engine: Engine, topo: Any,
                                                      clean_host: Any) -> None:
    sh("ip netns add ghost && ip -n ghost link add gbr1 type bridge")
    sh("ip link add gbr0 type bridge")
    try:
        topology = topo(GHOSTS)
        assert run(engine.plan(topology)).steps == []
        assert {state for state, _ in _states(engine, topology).values()} == {"present"}
        sh("ip -n ghost link del gbr1")
        with pytest.raises(HostMismatch, match="interface gbr1 is marked existing but is not"
                           " there \\(no gbr1 in namespace ghost\\)"):
            run(engine.plan(topology))
        assert _states(engine, topology)["gbr1"][0] == "missing"
    finally:
        sh("ip link del gbr0; ip netns del ghost", check=False)


@pytest.fixture
def held() -> Iterator[subprocess.Popen[bytes]]:
    """A namespace only a process holds (as a container's is): not under /run/netns."""
    holder = subprocess.Popen(["unshare", "--net", "sh", "-c",
                               "ip link add heth0 type bridge && exec sleep 60"])
    deadline = time.monotonic() + 10
    while "heth0" not in sh(f"nsenter --net=/proc/{holder.pid}/ns/net ip -o link",
                            check=False):
        assert time.monotonic() < deadline, "the holder's namespace never got its link"
        time.sleep(0.05)
    yield holder
    holder.kill()
    holder.wait()


def test_a_namespace_a_process_holds_is_found_by_its_import_key(
        engine: Engine, topo: Any, clean_host: Any,
        held: subprocess.Popen[bytes]) -> None:
    key = f"sleep-{held.pid}"  # what `netwright import` calls it
    topology = topo(f"netwright: 1\nname: held\nnamespaces:\n  {key}: {{existing: true}}\n"
                    f"interfaces:\n  heth0: {{kind: bridge, existing: true,"
                    f" namespace: {key}}}\n")
    assert run(engine.plan(topology)).steps == []
    assert {state for state, _ in _states(engine, topology).values()} == {"present"}
    held.kill()
    held.wait()
    with pytest.raises(HostMismatch, match=f"namespace {key} is marked existing but is not"):
        run(engine.plan(topology))
