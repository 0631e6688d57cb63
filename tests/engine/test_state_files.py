"""The state directory holds files only for deployed topologies: no lock is left behind.

A lock file exists while an apply or destroy holds it, and is removed (still locked) on
release; a name outside the topology grammar never becomes a path.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from netwright.backend.engine import BusyError, Engine, NotDeployed, Target
from netwright.backend.engine.store import Store
from tests.engine.conftest import run

SMALL = "netwright: 1\nname: sf\ninterfaces: {sfbr: {kind: bridge}}\n"


def files(state_dir: Path) -> list[str]:
    return sorted(str(p.relative_to(state_dir)) for p in state_dir.rglob("*") if p.is_file())


def test_destroy_of_a_topology_that_never_existed_leaves_nothing(
        engine: Engine, state_dir: Path) -> None:
    with pytest.raises(NotDeployed):
        run(engine.destroy("never"))
    assert files(state_dir) == []


def test_a_deployment_keeps_its_state_file_only(engine: Engine, state_dir: Path, topo: Any,
                                                clean_host: Any) -> None:
    run(engine.apply(topo(SMALL)))
    assert files(state_dir) == ["host/sf.json"]
    run(engine.status("sf"))
    run(engine.destroy("sf"))
    assert files(state_dir) == []


def test_a_held_lock_still_excludes_and_its_file_goes_on_release(state_dir: Path) -> None:
    first, second = Store(state_dir, Target.host()), Store(state_dir, Target.host())
    with first.lock("sf"):
        assert first.lock_path("sf").exists()
        with pytest.raises(BusyError), second.lock("sf"):
            pass
        with first.lock("sf"):  # re-entrant in the same store
            pass
        assert first.lock_path("sf").exists(), "the inner release keeps the outer lock"
    assert not first.lock_path("sf").exists()
    with second.lock("sf"):
        pass
    assert files(state_dir) == []


def test_removing_the_lock_file_never_lets_two_holders_in(state_dir: Path) -> None:
    """Many contenders, each with its own store: never two inside at once, although every
    release unlinks the file another contender may just have opened."""
    inside: list[int] = []
    overlaps: list[str] = []
    entered = [0]
    deadline = time.monotonic() + 5  # a bound for a loaded machine; 300 turns end it sooner

    def contend(me: int) -> None:
        store = Store(state_dir, Target.host())
        while entered[0] < 300 and time.monotonic() < deadline:
            try:
                with store.lock("race"):
                    inside.append(me)
                    if len(inside) > 1:
                        overlaps.append(f"{inside}")
                    entered[0] += 1
                    time.sleep(0)
                    inside.remove(me)
            except BusyError:
                time.sleep(0)

    threads = [threading.Thread(target=contend, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert entered[0] >= 100, "the contenders took turns"
    assert overlaps == []
    assert files(state_dir) == []


def test_names_outside_the_grammar_never_become_paths(engine: Engine, state_dir: Path,
                                                      tmp_path: Path) -> None:
    for name in ("../escape", "nl\n"):
        with pytest.raises(NotDeployed) as refused:
            run(engine.destroy(name))
        assert "is not a valid topology name" in str(refused.value)
    assert not list(tmp_path.glob("escape*")) and files(state_dir) == []


def test_stale_locks_and_unnamable_files_are_not_deployments(state_dir: Path) -> None:
    host = state_dir / "host"
    host.mkdir(parents=True)
    (host / "old.lock").write_text("")  # what earlier versions left for every name used
    (host / "nl\n.json").write_text("{}")  # what a name ending in a newline once made
    engine = Engine(state_dir, Target.host())
    assert run(engine.deployments()) == []
    assert not (host / "old.lock").exists()


def test_a_new_engine_reuses_what_another_read_of_the_same_file(
        engine: Engine, state_dir: Path, topo: Any, clean_host: Any) -> None:
    """netwrightd makes an Engine per call: the state file a deployment left is validated
    once per process, and its desired state worked out once, not at every call."""
    run(engine.apply(topo(SMALL)))
    first, second = Engine(state_dir, Target.host()), Engine(state_dir, Target.host())
    record = first.store.load("sf")
    assert record is not None and second.store.load("sf") is record
    assert second._desired(record.topology, "sf") is first._desired(record.topology, "sf")
    # a file changed since (an apply writes a new one) is read again
    (state_dir / "host" / "sf.json").write_text((state_dir / "host" / "sf.json").read_text())
    again = second.store.load("sf")
    assert again is not None and again is not record and again.topology == record.topology


def test_an_ended_trial_is_remembered_a_day_and_bounded(tmp_path: Path) -> None:
    """How a trial ended stays in its own small file for a day: older ones are not read and
    are removed when the next end is written; a file too big, or not one, is not read."""
    from netwright.backend.engine import trial

    now = time.time()
    trial.remember(tmp_path / "old.ended", trial.Ended("old", True, 3, now - 2 * 86400))
    trial.remember(tmp_path / "recent.ended", trial.Ended("recent", False, 1, now - 60,
                                                          "reverted"))
    assert trial.recall(tmp_path / "old.ended") is None
    assert trial.recall(tmp_path / "recent.ended") == trial.Ended("recent", False, 1,
                                                                  round(now - 60, 3), "reverted")
    (tmp_path / "big.ended").write_text(json.dumps(
        {"name": "big", "at": now, "how": "expired", "steps": 1, "pad": "x" * 5000}))
    (tmp_path / "odd.ended").write_text(json.dumps(
        {"name": "odd", "at": now, "how": "rm -rf", "steps": 1}))
    assert trial.recall(tmp_path / "big.ended") is None
    assert trial.recall(tmp_path / "odd.ended") is None
    trial.remember(tmp_path / "new.ended", trial.Ended("new", True, 2, now))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.ended", "recent.ended"]
