"""Each apply records its source (file, user, host, time) beside the deployment; Status and
sources() return it; a state file from before sources were recorded reads as unknown."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from netwright.backend.engine import Engine, trial
from netwright.backend.outcomes.provenance import Provenance, at_time, checked_file
from netwright.backend.topology.model import Topology
from tests.engine.conftest import run

SMALL = "netwright: 1\nname: src\ninterfaces: {srcbr: {kind: bridge}}\n"
ALICE = Provenance("/home/alice/lab.yaml", "alice", "laptop", 1_700_000_000.0)
BOB = Provenance("/home/bob/other.yaml", "bob", "laptop", 1_700_000_060.0)


def test_status_names_the_source_of_the_last_apply(
        engine: Engine, state_dir: Path, topo: Callable[[str], Topology],
        clean_host: Any) -> None:
    design = topo(SMALL)
    run(engine.apply(design, source=ALICE))
    status = run(engine.status("src"))
    assert status.source == ALICE
    assert status.to_json()["source"] == ALICE.to_json()
    assert "deployed from /home/alice/lab.yaml by alice on laptop" in status.render()
    # the same design applied from another file: no kernel step, but the source is Bob's
    assert run(engine.apply(design, source=BOB)).plan.empty
    assert run(engine.status("src")).source == BOB
    assert run(engine.sources()) == {"src": BOB}
    # an apply that says nothing of its source keeps the one recorded
    run(engine.apply(design))
    assert run(engine.status("src")).source == BOB
    saved = json.loads((state_dir / "host" / "src.json").read_text())
    assert saved["source"]["user"] == "bob"


def test_a_state_file_without_a_source_reads_as_unknown(
        engine: Engine, state_dir: Path, topo: Callable[[str], Topology],
        clean_host: Any) -> None:
    run(engine.apply(topo(SMALL), source=ALICE))
    path = state_dir / "host" / "src.json"
    data = json.loads(path.read_text())
    del data["source"]  # as written before sources were recorded
    path.write_text(json.dumps(data))
    fresh = Engine(state_dir, engine.target)
    status = run(fresh.status("src"))
    assert status.deployed and status.source is None
    assert "source" not in status.to_json() and "deployed from" not in status.render()
    assert run(fresh.sources()) == {"src": None}


def test_a_trial_keeps_the_source_of_the_deployment_it_would_restore(tmp_path: Path,
                                                                      topo: Any) -> None:
    path = tmp_path / "t.trial"
    trial.save(path, trial.Trial("src", time.time() + 30, "why", None, topo(SMALL), ALICE))
    loaded = trial.load(path)
    assert loaded is not None and loaded.previous_source == ALICE
    old = json.loads(path.read_text())
    del old["previous_source"]  # a trial written before sources were recorded
    path.write_text(json.dumps(old))
    assert (loaded := trial.load(path)) is not None and loaded.previous_source is None


def test_a_source_read_back_is_only_ever_shown() -> None:
    assert Provenance.from_json(None) is None
    odd = Provenance.from_json({"file": "/x\n\x1b[2J.yaml", "user": 7, "time": "noon"})
    assert odd == Provenance("/x[2J.yaml", "", "", 0.0)
    assert Provenance(user="bob").words() == "by bob"
    noon = time.mktime((2026, 12, 4, 12, 3, 0, 0, 0, -1))
    assert at_time(noon, now=noon + 60) == "at 12:03"
    assert at_time(noon, now=noon + 2 * 86400) == "on 2026-12-04 at 12:03"


@pytest.mark.parametrize(("path", "why"), [
    ("lab.yaml", "must be absolute"),
    ("/a\nb.yaml", "control characters"),
    ("/" + "x" * 1024, "at most 1024"),
])
def test_a_bad_source_file_is_refused_with_why(path: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        checked_file(path)
    assert checked_file("/home/alice/lab.yaml") == "/home/alice/lab.yaml"
