"""A read that dies for another reason than its CPU or memory budget is netwrightd's fault,
not the file's: the caller learns that netwrightd failed to read it (an incident, logged),
not that the file is too costly; the next read gets a fresh reader.

The helper's reading process (backend/service/read_child.py: a child of the helper per read)
is really killed, by its PID, while it reads a file that keeps it busy for a second or two
(an invalid one near the object bound: the round-trip parser places its problems).
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from svc_parse_helpers import HELPER, answer_as, children, helper_pids
from svc_topologies import SEED, star

SLOW_INVALID = star("slow", 1300).replace("n5: {}", "n5: 3")
STARTED_CPU_SECONDS = 0.5
FAILED = "io.netwright.Error.Failed"


def busy_helper(daemon_pid: int, timeout: float = 10.0) -> int:
    """The PID of the process of a reading helper of the daemon that is reading (the
    helper's child), once there is one: it runs and has used more CPU than a start takes
    (~0.2 s), well short of the file's ~1.7 s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pid in [child for helper in helper_pids(daemon_pid) for child in children(helper)]:
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            if HELPER in cmdline and fields[0] == "R" and cpu >= STARTED_CPU_SECONDS:
                return pid
        time.sleep(0.005)
    raise AssertionError("no reading helper got busy")


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_helper_killed_mid_read_is_an_incident_not_a_costly_file(
        running, caller_factory, how) -> None:
    caller = caller_factory("allowed")
    assert running.started is not None
    with ThreadPoolExecutor(1) as pool:
        reading = pool.submit(caller.call, "Validate", "s", SLOW_INVALID)
        os.kill(busy_helper(running.started.pid), how)
        failed = reading.result(60)
    assert failed.get("error") == FAILED, failed
    assert "failed unexpectedly while reading this topology" in failed["text"], failed
    assert "too" not in failed["text"], failed
    incident = re.search(r"incident ([0-9a-f]{8})", failed["text"])
    assert incident is not None, failed
    logged = [line for line in running.log().splitlines() if incident[1] in line]
    assert logged and how.name in logged[0], logged
    answer = caller.call("Validate", "s", SEED)  # a fresh helper reads the next file
    assert answer["ok"], answer
    problems = json.loads(answer["body"][0])["problems"]
    assert all(p["severity"] != "error" for p in problems), problems
    assert running.started.alive()


def test_a_helper_ended_for_its_cpu_budget_is_a_too_costly_file(running, caller_factory) -> None:
    """SIGXCPU is how the kernel ends a helper at its RLIMIT_CPU: that is the file's cost."""
    caller = caller_factory("allowed")
    assert running.started is not None
    with ThreadPoolExecutor(1) as pool:
        reading = pool.submit(caller.call, "Validate", "s", SLOW_INVALID)
        os.kill(busy_helper(running.started.pid), signal.SIGXCPU)
        answer = reading.result(60)
    assert answer["ok"], answer
    problems = json.loads(answer["body"][0])["problems"]
    assert [p["code"] for p in problems] == ["too-large"], problems


@pytest.mark.parametrize("nonsense", [b"no JSON", b'"no answer"', b'["ok", [3]]'])
def test_nonsense_on_the_helpers_pipe_is_an_incident(running, caller_factory,
                                                     nonsense: bytes) -> None:
    """What arrives on the helper's answer pipe is written there, while its child reads,
    through the helper's own stdout (/proc/PID/fd/1; the child has no way to it): a frame
    that is no JSON, no answer, or an answer whose problems are none."""
    caller = caller_factory("allowed")
    assert running.started is not None
    with ThreadPoolExecutor(1) as pool:
        reading = pool.submit(caller.call, "Validate", "s", SLOW_INVALID)
        reader = busy_helper(running.started.pid)
        helper = int(Path(f"/proc/{reader}/stat").read_text().rsplit(")", 1)[1].split()[1])
        answer_as(helper, nonsense)
        failed = reading.result(60)
    assert failed.get("error") == FAILED, failed
    assert "failed unexpectedly while reading this topology" in failed["text"], failed
    answer = caller.call("Validate", "s", SEED)
    assert answer["ok"], answer
    assert running.started.alive()
