"""netwrightd takes nothing on trust from its reading helpers, which read anyone's text.

A helper that a hostile file subverted could write anything on its answer pipe. Here the
test writes it, through the helper's own stdout (/proc/PID/fd/1), while the daemon waits for
that helper's answer (the helpers are stopped, so theirs never comes first): a pickle whose
loading would run a command, a frame that claims to be endless, a model the model refuses.
Each is an incident (the helper is ended, the next read gets a fresh one) and nothing of it
runs or is used. And the helpers of this root daemon run as nobody, with no groups, no
capabilities and no_new_privs.
"""

from __future__ import annotations

import json
import os
import pickle
import pwd
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from svc_parse_helpers import answer_as, given_request, helper_pids, status
from svc_processes import held
from svc_topologies import SEED

from netwright.backend.service.parse_wire import MAX_FRAME
from netwright.backend.service.parser import plain_topology

FAILED = "io.netwright.Error.Failed"


class _RunsACommand:
    """Unpickled, this runs ``touch MARKER`` (what a subverted helper would send)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return os.system, (f"touch {self.marker}",)


def _answered(running, caller, call: tuple[Any, ...], payload: bytes,
              length: int | None = None) -> dict[str, Any]:
    """The answer to ``call`` (member, signature, arguments…) when the helper that reads
    for it answers ``payload``."""
    assert caller.call("Validate", "s", SEED)["ok"]  # the pool has an idle helper now
    with held(helper_pids(running.started.pid)) as helpers, ThreadPoolExecutor(1) as pool:
        reading = pool.submit(caller.call, *call)
        answer_as(given_request(helpers), payload, length)
        return reading.result(60)


def _assert_incident(running, failed: dict[str, Any], logged: str) -> None:
    assert failed.get("error") == FAILED, failed
    assert "failed unexpectedly while reading this topology" in failed["text"], failed
    incident = re.search(r"incident ([0-9a-f]{8})", failed["text"])
    assert incident is not None, failed
    lines = [line for line in running.log().splitlines() if incident[1] in line]
    assert lines and logged in lines[0], lines
    assert running.started.alive()


def test_a_pickle_on_the_answer_pipe_is_refused_and_runs_nothing(
        running, caller_factory, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    caller = caller_factory("allowed")
    failed = _answered(running, caller, ("Validate", "s", SEED),
                       pickle.dumps(("ok", _RunsACommand(marker))))
    assert not marker.exists(), "the daemon ran the command the answer named"
    _assert_incident(running, failed, "no JSON")
    assert caller.call("Validate", "s", SEED)["ok"]  # a fresh helper reads the next one


def test_a_frame_longer_than_the_bound_is_refused_before_it_is_read(
        running, caller_factory) -> None:
    """Not waited for (the read's wall-clock limit would make it a too-costly file), not
    buffered: refused from its header."""
    failed = _answered(running, caller_factory("allowed"), ("Validate", "s", SEED),
                       b"[", length=2**62)
    _assert_incident(running, failed, f"at most {MAX_FRAME:,}")


def test_a_model_that_the_model_refuses_is_not_used(running, caller_factory) -> None:
    """A helper's model is validated again in the daemon: one with a name that would put
    its state files elsewhere is an incident, not a plan."""
    answer = plain_topology(SEED)
    answer["topology"]["name"] = "../../etc/netwright"
    failed = _answered(running, caller_factory("allowed"), ("Plan", "sa{sv}", SEED, {}),
                       json.dumps(["ok", answer]).encode())
    _assert_incident(running, failed, "an invalid model")


def test_the_helpers_of_a_root_daemon_run_as_nobody(running, caller_factory) -> None:
    assert os.geteuid() == 0 and running.started is not None
    assert caller_factory("allowed").call("Validate", "s", SEED)["ok"]
    nobody = pwd.getpwnam("nobody")
    helpers = helper_pids(running.started.pid)
    assert helpers
    for pid in helpers:
        found = status(pid)
        assert found["Uid"].split() == [str(nobody.pw_uid)] * 4, found["Uid"]
        assert found["Gid"].split() == [str(nobody.pw_gid)] * 4, found["Gid"]
        assert found["Groups"] == "", found["Groups"]
        assert int(found["CapEff"], 16) == int(found["CapPrm"], 16) == 0, found
        assert found["NoNewPrivs"] == "1", found
