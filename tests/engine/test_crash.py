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
           tmp_path: Path, *user: str) -> tuple[subprocess.Popen[bytes], Path]:
    """The child stopped dead at step ``k`` (``user``: who it applies or destroys as)."""
    ready = tmp_path / f"ready-{operation}-{k}"
    child = subprocess.Popen([PYTHON, CHILD, operation, str(state_dir), str(topology), str(k),
                              str(ready), *user])
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


HOST_ONLY = ("netwright: 1\nname: half\ninterfaces:\n  hb: {kind: bridge}\n"
             "  hv0: {kind: veth, peer: hv1, master: hb}\n  hv1: {kind: veth, peer: hv0}\n")


def test_a_plan_beside_a_running_apply_is_busy_not_a_conflict(tmp_path: Path, state_dir: Path,
                                                              topo: Any,
                                                              clean_host: Any) -> None:
    """A plan asked while another process applies the same topology (a second `apply` in
    another shell plans first) sees links that apply made and has not marked yet: they are
    not someone else's interfaces to "remove by hand", the topology is busy."""
    topology = tmp_path / "t.yaml"
    topology.write_text(HOST_ONLY)
    child, _ready = _start("apply-unmarked", state_dir, topology, -1, tmp_path)
    try:
        engine = Engine(state_dir, Target.host())
        with pytest.raises(BusyError) as busy:
            run(engine.plan(topo(HOST_ONLY)))
        assert "half is being applied or destroyed by another process" in str(busy.value)
        assert "hb" in links(), "the running apply was left alone"
    finally:
        _kill(child)
    assert run(Engine(state_dir, Target.host()).deployments()) == []
    assert wait_for_no_orphans(clean_host) == clean_host


@pytest.mark.parametrize("text", [MULTI, HOST_ONLY], ids=["namespaces", "host-only"])
def test_kill_between_create_and_mark_then_recover(tmp_path: Path, state_dir: Path,
                                                   clean_host: Any, text: str) -> None:
    """A crash after the kernel created links and before they carry their marker leaves
    them in our group without alias. Only the journal, which recorded those creates before
    they ran, makes them ours: recovery removes them."""
    from netwright.backend.engine.ops import link_group
    from netwright.backend.topology import parse_topology

    topology = tmp_path / "t.yaml"
    topology.write_text(text)
    name = parse_topology(text).name
    child, _ready = _start("apply-unmarked", state_dir, topology, -1, tmp_path)
    _kill(child)
    group = str(link_group(name))
    unmarked = [n for n, link in links().items()
                if str(link.get("group")) == group and link.get("ifalias") is None]
    assert unmarked, "the crash left unmarked links in the topology's group"
    engine = Engine(state_dir, Target.host())
    assert run(engine.deployments()) == []
    assert not list(state_dir.glob("*/*.journal"))
    assert wait_for_no_orphans(clean_host) == clean_host


def test_an_unmarked_link_in_our_group_is_not_adopted(engine: Engine, topo: Any,
                                                      clean_host: Any) -> None:
    """The same link with no journal behind it is someone else's: apply refuses, status
    names it, and it keeps its (missing) alias."""
    from netwright.backend.engine import ConflictError
    from netwright.backend.engine.ops import link_group

    text = "netwright: 1\nname: half\ninterfaces:\n  hb: {kind: bridge}\n"
    subprocess.run(f"ip link add hb group {link_group('half')} type bridge", shell=True,
                   check=True)
    with pytest.raises(ConflictError) as conflict:
        run(engine.plan(topo(text)))
    assert "an interface named hb already exists in the host and does not belong" in str(
        conflict.value)
    status = run(engine.status(topo(text)))
    assert [o.state for o in status.objects if o.object == "hb"] == ["drifted"]
    assert links()["hb"].get("ifalias") is None


def test_marking_fails_then_rollback_removes_the_unmarked_links(
        engine: Engine, topo: Any, clean_host: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The create succeeded, the message that marks it failed: the rollback in the same
    process removes the link it made (the journal in hand says so), not only marked ones."""
    from pyroute2.netlink.rtnl import RTM_NEWLINK

    from netwright.backend.engine import ApplyFailed, ops
    from netwright.backend.kernel import encode
    from netwright.backend.kernel.netlink import CHANGE

    def refused(self: ops.LinkCreate, kernel: object) -> list[tuple[Any, Any]]:
        assert self.spec is not None
        body = encode.ifinfomsg() + encode.string(encode.IFLA_IFNAME, "nosuchdev0")
        return [(self.spec.where, encode.RawRequest(RTM_NEWLINK, CHANGE, body))]

    monkeypatch.setattr(ops.LinkCreate, "followups", refused)
    with pytest.raises(ApplyFailed):
        run(engine.apply(topo(HOST_ONLY)))
    assert wait_for_no_orphans(clean_host) == clean_host


def test_a_mount_point_left_without_its_namespace_is_not_a_namespace(
        tmp_path: Path, state_dir: Path, clean_host: Any) -> None:
    """A SIGKILL between creating /run/netns/NAME and mounting the namespace on it leaves an
    empty file: recovery and the next apply treat it as absent (and remove it), where
    before it passed for a namespace nobody could enter (``ip -n``: Invalid argument)."""
    from netwright.backend.kernel import netns
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
