"""`netwright status --local NAME` while another process applies or destroys NAME.

The other process (crash_child.py, as `apply --local` in another shell would) holds the
topology's lock and its journal, stopped dead at a step: the kernel holds the topology half
made. Status read that as drift ("deployed, not as designed: 3 missing"), or as "not
deployed" during a first apply; it now says who changes it, since when, and compares nothing.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from netwright.backend.engine import Engine, Target
from tests.engine.conftest import run, wait_for_no_orphans
from tests.engine.test_cli import cli
from tests.engine.test_crash import _kill, _start
from tests.engine.test_rollback import CHANGED, MULTI

CASES = {  # what is deployed first, what the other process does, the words for it
    "first-apply": (None, "apply", MULTI, "applied", False),
    "apply-over": (MULTI, "apply", CHANGED, "applied", True),
    "destroy": (MULTI, "destroy", MULTI, "destroyed", True),
}


@pytest.mark.parametrize("case", CASES)
def test_status_names_the_change_running_instead_of_drift(tmp_path: Path, state_dir: Path,
                                                          topo: Any, clean_host: Any,
                                                          case: str) -> None:
    deployed, operation, text, done, was_deployed = CASES[case]
    engine = Engine(state_dir, Target.host())
    if deployed is not None:
        run(engine.apply(topo(deployed)))
    design = tmp_path / "rb.yaml"
    design.write_text(text)
    before = time.time()
    child, ready = _start(operation, state_dir, design, 1, tmp_path, "tester")
    try:
        assert ready.read_text() != "finished", "stopped dead at its step 1"
        shown = cli("status", "--local", "rb", state_dir=state_dir)
        answer = cli("status", "--local", "--json", "rb", state_dir=state_dir)
        assert answer.stdout, answer.stderr
        data = json.loads(answer.stdout)
        every = json.loads(cli("status", "--local", "--json", state_dir=state_dir).stdout)
    finally:
        _kill(child)
    file = f", from {design.resolve()}" if operation == "apply" else ""
    assert shown.stdout.startswith(f"rb: being {done} by tester (process {child.pid}{file},"
                                   " started "), shown.stdout + shown.stderr
    assert "nothing is compared with the design now" in shown.stdout
    for wrong in ("missing", "drifted", "not as designed", "not deployed"):
        assert wrong not in shown.stdout + shown.stderr
    assert shown.returncode == 1  # not "as designed": not known to be
    changing = data.pop("changing")
    assert before - 1 < changing.pop("started") < time.time()
    assert changing == {"operation": operation, "job": "", "user": "tester",
                        "pid": child.pid, **({"file": str(design.resolve())} if file else {})}
    assert data["deployed"] is was_deployed and data["ok"] is False
    assert data["objects"] == [] and data["host_destroy"] == []
    if was_deployed:  # every deployment's status: the same fact
        assert every["statuses"]["rb"]["changing"]["pid"] == child.pid
    if run(engine.deployments()) == ["rb"]:  # recovery rolled the apply back to MULTI
        run(engine.destroy("rb"))
    assert wait_for_no_orphans(clean_host) == clean_host
