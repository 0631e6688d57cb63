"""Rollback: a failure at any step leaves the host exactly as it was before the apply."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from netwright.backend.engine import ApplyFailed, Cancelled, Engine, Step, Target
from tests.engine.conftest import run, sh, snapshot, wait_for_no_orphans

MULTI = """
netwright: 1
name: rb
namespaces:
  r1: {routes: [{to: default, via: 10.3.0.254}], sysctls: {net.ipv4.ip_forward: 1}}
  r2: {}
interfaces:
  rbr: {kind: bridge, addresses: [10.3.0.254/24]}
  y1: {kind: veth, peer: y1h, namespace: r1, addresses: [10.3.0.1/24]}
  y1h: {kind: veth, peer: y1, master: rbr}
  y2: {kind: veth, peer: y2h, namespace: r2, addresses: [10.3.0.2/24, "fd03::2/64"]}
  y2h: {kind: veth, peer: y2, master: rbr}
  ym: {kind: macvlan, parent: rbr, mode: bridge, namespace: r2, addresses: [10.3.0.3/24]}
"""
CHANGED = (MULTI.replace("10.3.0.1/24]", "10.3.0.1/24, 10.3.0.21/24]")
           .replace("  ym: {kind: macvlan, parent: rbr, mode: bridge, namespace: r2,"
                    " addresses: [10.3.0.3/24]}\n", "")
           .replace("  r2: {}", "  r2: {}\n  r3: {routes: [{to: default, dev: y3}]}")
           + "  y3: {kind: veth, peer: y3h, namespace: r3, addresses: [10.3.0.3/24]}\n"
             "  y3h: {kind: veth, peer: y3, master: rbr, mtu: 1400}\n")
STEPS = 21  # len(plan of MULTI on an empty host), checked below


class InjectedError(Exception):
    pass


def _failing_at(index: int) -> Any:
    def fault(at: int, step: Step) -> None:
        if at == index:
            raise InjectedError(f"step {at}")
    return fault


def test_plan_size(engine: Engine, topo: Any, clean_host: Any) -> None:
    assert len(run(engine.plan(topo(MULTI))).steps) == STEPS


@pytest.mark.parametrize("index", range(STEPS))
def test_failure_at_every_step_rolls_back(state_dir: Path, topo: Any, clean_host: Any,
                                          index: int) -> None:
    before = clean_host
    engine = Engine(state_dir, Target.host(), fault=_failing_at(index))
    with pytest.raises(ApplyFailed) as failed:
        run(engine.apply(topo(MULTI)))
    assert failed.value.rolled_back
    assert "injected fault" in str(failed.value)
    assert wait_for_no_orphans(before) == before
    assert run(engine.deployments()) == []
    assert not list(state_dir.glob("*/*.journal"))


@pytest.mark.parametrize("index", range(9))
def test_failure_over_a_deployment_restores_it(engine: Engine, state_dir: Path, topo: Any,
                                               clean_host: Any, index: int) -> None:
    run(engine.apply(topo(MULTI)))
    deployed = snapshot()
    steps = run(engine.plan(topo(CHANGED))).steps
    assert len(steps) == 9  # delete, create, modify: one of each kind of step at least
    faulty = Engine(state_dir, Target.host(), fault=_failing_at(index))
    with pytest.raises(ApplyFailed):
        run(faulty.apply(topo(CHANGED)))
    assert wait_for_no_orphans(deployed) == deployed
    assert run(engine.status("rb")).ok
    assert run(engine.plan(topo(MULTI))).empty


def test_kernel_refusal_mid_apply_names_the_object(state_dir: Path, topo: Any,
                                                   clean_host: Any) -> None:
    """Someone creates y2h by hand while the apply runs: EEXIST, rollback, y2h untouched."""
    def clash(at: int, step: Step) -> None:
        if step.text.startswith("create veth y2h"):
            sh("ip link add y2h type bridge && ip link set y2h mtu 1234")

    engine = Engine(state_dir, Target.host(), fault=clash)
    with pytest.raises(ApplyFailed) as failed:
        run(engine.apply(topo(MULTI)))
    message = str(failed.value)
    assert "an interface named y2h (or its peer) already exists in the host and does not" \
           " belong to this topology" in message
    assert "rolled back" in message
    after = wait_for_no_orphans({**clean_host, "host": snapshot()["host"]})
    assert after["netns"] == clean_host["netns"]
    hand_made = after["host"]["links"]["y2h"]
    assert hand_made["kind"] == "bridge" and hand_made["mtu"] == 1234
    assert hand_made["alias"] is None
    assert set(after["host"]["links"]) == set(clean_host["host"]["links"]) | {"y2h"}


def test_cancel_rolls_back(engine: Engine, topo: Any, clean_host: Any) -> None:
    cancel = asyncio.Event()
    seen: list[int] = []

    def progress(done: int, total: int, text: str) -> None:
        seen.append(done)
        cancel.set()

    with pytest.raises(Cancelled) as cancelled:
        run(engine.apply(topo(MULTI), progress=progress, cancel=cancel))
    assert "rolled back" in str(cancelled.value)
    assert seen and seen[0] < STEPS
    assert wait_for_no_orphans(clean_host) == clean_host


def test_parent_gone_mid_apply_is_named(state_dir: Path, topo: Any, clean_host: Any) -> None:
    """The bridge a macvlan sits on disappears before its turn: ENODEV, named, rolled back."""
    def pull_the_parent(at: int, step: Step) -> None:
        if step.text.startswith("create macvlan ym"):
            sh("ip link del rbr")

    engine = Engine(state_dir, Target.host(), fault=pull_the_parent)
    with pytest.raises(ApplyFailed) as failed:
        run(engine.apply(topo(MULTI)))
    assert "failed to create macvlan ym (bridge) on rbr in namespace r2: the parent rbr of ym" \
           " does not exist" in str(failed.value)
    assert failed.value.rolled_back
    assert wait_for_no_orphans(clean_host) == clean_host


def test_progress_tells_every_step_in_order(engine: Engine, topo: Any, clean_host: Any) -> None:
    """Steps run in batches (one per namespace); progress still names each one, so the
    designer's log lists the whole plan, not every other step."""
    seen: list[tuple[int, int, str]] = []
    plan = run(engine.plan(topo(MULTI)))
    run(engine.apply(topo(MULTI), progress=lambda d, t, x: seen.append((d, t, x))))
    try:
        assert [done for done, _t, _x in seen] == list(range(1, STEPS + 1))
        assert {total for _d, total, _x in seen} == {STEPS}
        assert [text for _d, _t, text in seen] == [step.text for step in plan.steps]
    finally:
        run(engine.destroy("rb"))
