"""Status beside a journal whose header holds values of the wrong type or out of range.

Status names the change under way from the operation's journal (engine/changing.py). The
journal is the engine's own, in a root-only directory, yet its header is read as input: a
pid too big for kill() (OverflowError), a start time too big for a float or infinite
(OverflowError, then localtime() crashing `netwright status`) or a negative pid (-1, which
kill() takes for every process: "process -1") crashed Status or made it say nonsense. Each is
now unknown (0), and the rest of the header is still said. The topology's lock is held
here, as the process writing a journal holds it, so recovery leaves the journal alone.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path

import pytest

from netwright.backend.engine import Engine, Target
from netwright.backend.outcomes.change import Change
from tests.engine.conftest import run

BY = '{"file": "/home/alice/hj.yaml", "user": "alice", "host": "lab", "time": 1}'

HUGE = "1" + "0" * 400  # an integer no float holds

CASES = {  # the header's first line, what Status must say of operation, pid and start
    "huge": (f'{{"operation": "apply", "pid": {2 ** 70}, "started": {HUGE}, "by": {BY}}}',
             ("apply", 0, 0.0)),
    "infinite": (f'{{"operation": "destroy", "pid": -1, "started": 1e999, "by": {BY}}}',
                 ("destroy", 0, 0.0)),
    "not-a-number": (f'{{"operation": ["destroy"], "pid": true, "started": NaN, "by": {BY}}}',
                     ("apply", 0, 0.0)),
    "wrong-types": ('{"operation": {"x": 1}, "pid": "42", "started": "soon", "by": "alice"}',
                    ("apply", 0, 0.0)),
}


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_journal_header_is_said_as_unknown(state_dir: Path, case: str) -> None:
    line, (operation, pid, started) = CASES[case]
    engine = Engine(state_dir, Target.host())
    store = engine.store
    store.ensure()
    held = os.open(store.lock_path("hj"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(held, fcntl.LOCK_EX)
        store.journal_path("hj").write_text(line + "\n")
        status = run(engine.status("hj"))
    finally:
        store.journal_path("hj").unlink(missing_ok=True)
        os.close(held)
    assert status.changing is not None
    assert (status.changing.operation, status.changing.pid, status.changing.started) == (
        operation, pid, started)
    if case != "wrong-types":
        assert (status.changing.user, status.changing.file) == ("alice", "/home/alice/hj.yaml")
    assert status.ok is False and status.deployed is False
    json.dumps(status.to_json(), allow_nan=False)  # what Status answers is JSON
    done = {"apply": "applied", "destroy": "destroyed"}[operation]
    assert status.render().startswith(f"hj: being {done}")  # as `netwright status` says it


def test_a_live_process_in_the_header_is_said(state_dir: Path) -> None:
    """The header of a process that runs: its pid and start, as the header says."""
    engine = Engine(state_dir, Target.host())
    store = engine.store
    store.ensure()
    now = round(time.time(), 3)
    held = os.open(store.lock_path("hj"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(held, fcntl.LOCK_EX)
        store.journal_path("hj").write_text(json.dumps(
            {"operation": "destroy", "pid": os.getpid(), "started": now,
             "by": json.loads(BY)}) + "\n")
        status = run(engine.status("hj"))
    finally:
        store.journal_path("hj").unlink(missing_ok=True)
        os.close(held)
    assert status.changing is not None
    assert status.changing.to_json() == {"operation": "destroy", "job": "", "user": "alice",
                                         "started": now, "pid": os.getpid(),
                                         "file": "/home/alice/hj.yaml"}


def test_a_reply_read_back_with_such_values_says_them_unknown() -> None:
    """The client reads 'changing' as leniently (an older or a lab backend's reply)."""
    for started, pid in ((10 ** 400, -1), (float("inf"), 2 ** 70), (float("nan"), True)):
        read = Change.from_json({"operation": "apply", "started": started, "pid": pid})
        assert read is not None and (read.started, read.pid) == (0.0, 0)
        assert read.words().startswith("being applied")
