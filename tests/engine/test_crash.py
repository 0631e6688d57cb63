"""Crash safety: kill -9 an apply or destroy at several points; the next command recovers."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from netwright.backend.engine import BusyError, Engine, Target
from tests.engine.conftest import PYTHON, links, netns_list, run, snapshot, wait_for_no_orphans
from tests.engine.test_rollback import MULTI

CHILD = str(Path(__file__).with_name("crash_child.py"))


def _start(operation: str, state_dir: Path, topology: Path, k: int,
           tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path]:
    ready = tmp_path / f"ready-{operation}-{k}"
    child = subprocess.Popen([PYTHON, CHILD, operation, str(state_dir), str(topology), str(k),
                              str(ready)])
    deadline = time.monotonic() + 30
    while not ready.exists():
        assert child.poll() is None, "the child ended before reaching the step"
        assert time.monotonic() < deadline, "the child never reached the step"
        time.sleep(0.01)
    return child, ready


def _kill(child: subprocess.Popen[bytes]) -> None:
    child.kill()  # SIGKILL, to this child's own PID
    child.wait()


@pytest.mark.parametrize("k", [0, 3, 8, 14, 20])
def test_kill_during_apply_then_recover(tmp_path: Path, state_dir: Path, clean_host: Any,
                                        k: int) -> None:
    topology = tmp_path / "rb.yaml"
    topology.write_text(MULTI)
    child, ready = _start("apply", state_dir, topology, k, tmp_path)
    assert ready.read_text() != "finished"
    _kill(child)
    assert list(state_dir.glob("*/rb.journal")), "the journal survives the crash"
    if k > 2:
        assert snapshot() != clean_host, "the crash left something behind to recover"
    engine = Engine(state_dir, Target.host())
    assert run(engine.deployments()) == []  # any command recovers first
    assert not list(state_dir.glob("*/rb.journal"))
    assert wait_for_no_orphans(clean_host) == clean_host


@pytest.mark.parametrize("k", [0, 1, 2])
def test_kill_during_destroy_then_recover(tmp_path: Path, state_dir: Path, topo: Any,
                                          clean_host: Any, k: int) -> None:
    topology = tmp_path / "rb.yaml"
    topology.write_text(MULTI)
    engine = Engine(state_dir, Target.host())
    run(engine.apply(topo(MULTI)))
    child, _ready = _start("destroy", state_dir, topology, k, tmp_path)
    _kill(child)
    assert run(engine.deployments()) == []
    assert wait_for_no_orphans(clean_host) == clean_host


def test_second_apply_is_busy(tmp_path: Path, state_dir: Path, topo: Any,
                              clean_host: Any) -> None:
    topology = tmp_path / "rb.yaml"
    topology.write_text(MULTI)
    child, _ready = _start("apply", state_dir, topology, 5, tmp_path)
    try:
        engine = Engine(state_dir, Target.host())
        with pytest.raises(BusyError) as busy:
            run(engine.apply(topo(MULTI)))
        assert "rb is being applied or destroyed by another process" in str(busy.value)
        with pytest.raises(BusyError):
            run(engine.destroy("rb"))
        assert "r1" in netns_list(), "the running apply was left alone"
    finally:
        _kill(child)
    assert run(Engine(state_dir, Target.host()).deployments()) == []
    assert wait_for_no_orphans(clean_host) == clean_host


def test_half_created_link_is_recognised(engine: Engine, topo: Any, clean_host: Any) -> None:
    """A crash between "created" and "marked" leaves a link without alias but in our group."""
    from netwright.backend.engine.ops import link_group

    text = "netwright: 1\nname: half\ninterfaces:\n  hb: {kind: bridge}\n"
    subprocess.run(f"ip link add hb group {link_group('half')} type bridge", shell=True,
                   check=True)
    plan = run(engine.plan(topo(text)))
    assert [s.action for s in plan.steps][:2] == ["delete", "create"]
    run(engine.apply(topo(text)))
    assert links()["hb"]["ifalias"] == "netwright:half:hb"


def test_a_mount_point_left_without_its_namespace_is_not_a_namespace(
        tmp_path: Path, state_dir: Path, clean_host: Any) -> None:
    """A SIGKILL between creating /run/netns/NAME and mounting the namespace on it leaves an
    empty file: recovery and the next apply treat it as absent (and remove it), where
    before it passed for a namespace nobody could enter (``ip -n``: Invalid argument)."""
    from netwright.backend.engine import netns
    from netwright.backend.topology import parse_topology

    engine = Engine(state_dir, Target.host())
    topology = parse_topology(MULTI)
    name = engine.target.netns_name(next(iter(topology.namespaces)))
    assert name is not None
    netns.ensure_run_dir()
    netns.netns_path(name).touch()
    run(engine.apply(topology))
    assert name in netns_list()
    assert subprocess.run(["ip", "-n", name, "link", "show", "lo"], capture_output=True,
                          check=False).returncode == 0
    run(engine.destroy(topology.name))
    assert name not in netns_list()
