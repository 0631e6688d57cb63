"""`netwright status --local NAME` while another process applies or destroys NAME.

The other process (crash_child.py, as `apply --local` in another shell would) holds the
topology's lock and its journal, stopped dead at a step: the kernel holds the topology half
made. Status read that as drift ("deployed, not as designed: 3 missing"), or as "not
deployed" during a first apply; it now says who changes it, since when, and compares nothing.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from netwright.backend.engine import Engine, Target
from netwright.backend.process_start import start_ticks
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


def test_a_pid_given_to_another_process_after_a_crash_is_not_the_runner(
        tmp_path: Path, state_dir: Path, clean_host: Any) -> None:
    """An apply killed -9 leaves its journal; once the kernel gives its PID to an unrelated
    process, Status named that process as the apply's runner ("being applied (process N)")
    for as long as it lived, as kill(N, 0) succeeded. The header now records the runner's
    start time beside its PID, and a process started at another time is not the runner:
    the change is being recovered by whoever holds the lock (here the test, as a
    recovering process would). The PID's reuse is the header's PID turned into that of a
    live process started after the crash."""
    design = tmp_path / "rb.yaml"
    design.write_text(MULTI)
    child, _ready = _start("apply", state_dir, design, 1, tmp_path, "tester")
    try:
        journal = next(state_dir.glob("*/rb.journal"))
        header = json.loads(journal.read_text().splitlines()[0])
        assert header["pid"] == child.pid
        assert header["pid_started"] == start_ticks(child.pid)  # the runner's own
    finally:
        _kill(child)
    engine = Engine(state_dir, Target.host())
    other = subprocess.Popen(["sleep", "60"])
    held = os.open(engine.store.lock_path("rb"), os.O_RDWR)
    try:
        fcntl.flock(held, fcntl.LOCK_EX)
        lines = journal.read_text().splitlines(keepends=True)
        journal.write_text(json.dumps({**header, "pid": other.pid}) + "\n" + "".join(lines[1:]))
        shown = cli("status", "--local", "rb", state_dir=state_dir)
        older = json.dumps({k: v for k, v in header.items() if k != "pid_started"})
        journal.write_text(json.dumps({**json.loads(older), "pid": other.pid}) + "\n"
                           + "".join(lines[1:]))
        unrecorded = cli("status", "--local", "rb", state_dir=state_dir)
        journal.write_text("".join(lines))
    finally:
        os.close(held)
        other.kill()
        other.wait()
    assert shown.stdout.startswith("rb: being recovered"), shown.stdout + shown.stderr
    assert f"process {other.pid}" not in shown.stdout
    # a journal of an older netwright, without the start time: judged by the PID alone
    assert unrecorded.stdout.startswith(f"rb: being applied by tester (process {other.pid}"), (
        unrecorded.stdout + unrecorded.stderr)
    assert run(engine.deployments()) == []  # recovery rolls the interrupted apply back
    assert wait_for_no_orphans(clean_host) == clean_host
