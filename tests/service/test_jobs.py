"""Jobs: progress, Busy, Cancel, concurrency; disconnect, SIGTERM and SIGKILL mid-apply.

The interrupted topology has 600 namespaces (about 1.5 s to apply here, 0.8 s of its steps
after the first progress signal, where a test acts within milliseconds; 1000 once took 3 s,
before the engine got faster), and every interruption happens after a JobProgress with done
< total/2 has been seen, so it is really mid-apply.
Afterwards the kernel is read back: the topology is either complete or entirely gone.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from svc_jobs import BIG_NAMESPACES, destroy, owned_by, start_big, wait_signal
from svc_topologies import SEED


def test_second_job_on_the_same_topology_is_busy_and_first_completes(
    running, host, caller_factory
) -> None:
    caller = caller_factory("allowed")
    job = start_big(caller)
    # Another topology text with the same name (small, so it is parsed long before the
    # first job ends): a job is per topology name.
    busy = caller.call("Apply", "sa{sv}", "netwright: 1\nname: big\n", {})
    assert busy["error"] == "io.netwright.Error.Busy", busy
    assert job in busy["text"]
    also_busy = caller.call("Destroy", "sa{sv}", "big", {})
    assert also_busy["error"] == "io.netwright.Error.Busy", also_busy
    finished = wait_signal(caller, "JobFinished", job)
    assert finished[1] == "", finished
    assert len([ns for ns in host.netns() if ns.startswith("lab-n")]) == BIG_NAMESPACES
    destroy(caller, "big")
    assert owned_by(host, "big") == []


def test_jobs_of_different_topologies_run_concurrently(running, host, caller_factory) -> None:
    caller = caller_factory("allowed")
    big = start_big(caller)
    seed = caller.call("Apply", "sa{sv}", SEED, {})
    assert seed["ok"], seed
    assert wait_signal(caller, "JobFinished", seed["body"][0])[1] == ""
    assert wait_signal(caller, "JobFinished", big)[1] == ""
    assert host.links("lab-net1")["mv1"]["addresses"] == ["192.168.31.5/24"]
    destroy(caller, "big")
    destroy(caller, "seed")
    assert owned_by(host, "big") == [] and owned_by(host, "seed") == []


def test_cancel_rolls_back(running, host, caller_factory) -> None:
    caller = caller_factory("allowed")
    job = start_big(caller)
    assert caller.call("Cancel", "s", job)["ok"]
    finished = wait_signal(caller, "JobFinished", job)
    assert finished[1] == "io.netwright.Error.Cancelled", finished
    assert owned_by(host, "big") == []
    gone = caller.call("Cancel", "s", job)
    assert gone["error"] == "io.netwright.Error.NotFound", gone


def test_client_disconnect_mid_apply_lets_the_job_complete(
    running, host, caller_factory
) -> None:
    leaver = caller_factory("allowed")
    job = start_big(leaver)
    os.kill(leaver.process.pid, signal.SIGKILL)  # its connection drops mid-apply
    leaver.process.wait(5)
    # Nobody hears the job's signals now (they went to the leaver only): the deployment,
    # read through Status and from the kernel, says the job completed.
    asker = caller_factory("allowed")
    deadline = time.monotonic() + 90
    status = asker.call("Status", "s", "big")
    while not (status["ok"] and '"ok": true' in status["body"][0]):
        assert time.monotonic() < deadline, (job, status)
        time.sleep(0.2)
        status = asker.call("Status", "s", "big")
    assert len([ns for ns in host.netns() if ns.startswith("lab-n")]) == BIG_NAMESPACES
    destroy(asker, "big")
    assert owned_by(host, "big") == []


def test_sigterm_mid_apply_rolls_back_and_exits_cleanly(running, host, caller_factory) -> None:
    job = start_big(caller_factory("allowed"))
    assert running.started is not None
    os.kill(running.started.pid, signal.SIGTERM)
    assert running.started.process.wait(90) == 0
    log = running.log()
    assert f"job {job}: cancelled by shutdown; rolling back" in log
    assert owned_by(host, "big") == []
    running.start()
    status = caller_factory("allowed").call("Status", "s", "big")
    assert status["error"] == "io.netwright.Error.NotFound", status


@pytest.mark.timeout(240)
def test_sigkill_mid_apply_then_restart_leaves_no_orphans(running, host, caller_factory) -> None:
    start_big(caller_factory("allowed"))
    assert running.started is not None
    os.kill(running.started.pid, signal.SIGKILL)
    running.started.process.wait(10)
    assert owned_by(host, "big") != [], "the kill left a half-applied topology to recover"
    running.start()  # recovers before it owns its name
    assert owned_by(host, "big") == []
    status = caller_factory("allowed").call("Status", "s", "big")
    assert status["error"] == "io.netwright.Error.NotFound", status
