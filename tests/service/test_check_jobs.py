"""Checks beside changes: a check never holds its topology against Apply or Destroy, stops
within a second of a Cancel, and cannot run for long whatever its options say.

The seed's check waits the whole timeout for one pair on purpose: a macvlan child cannot
reach its parent's own address (isolated by design), so no reply ever comes.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from svc_callers import run_client
from svc_cli import NETWRIGHT, as_user_background, sigint_ignored
from svc_jobs import destroy, wait_signal
from svc_polkit import USER_ALLOWED
from svc_topologies import SEED, star

CANCELLED = "io.netwright.Error.Cancelled"
SLOW = {"timeout": {"$v": ["d", 10.0]}, "retries": {"$v": ["u", 2]}}  # 30 s of waiting


def deploy_seed(caller) -> None:
    caller.request(op="signals")
    caller.__dict__["backlog"] = []
    applied = caller.call("Apply", "sa{sv}", SEED, {})
    assert applied["ok"], applied
    assert wait_signal(caller, "JobFinished", applied["body"][0])[1] == ""


def start_slow_check(caller) -> str:
    started = caller.call("StartCheck", "sa{sv}", "seed", SLOW)
    assert started["ok"], started
    job = started["body"][0]
    wait_signal(caller, "JobProgress", job, lambda body: "probing" in body[3])
    return job


def test_a_check_stops_within_a_second_of_cancel(running, caller_factory) -> None:
    caller = caller_factory("allowed")
    deploy_seed(caller)
    try:
        job = start_slow_check(caller)
        cancelled = time.monotonic()
        assert caller.call("Cancel", "s", job)["ok"]
        finished = wait_signal(caller, "JobFinished", job)
        took = time.monotonic() - cancelled
        assert finished[1] == CANCELLED, finished
        assert took < 1.0, f"the check ran on for {took:.2f} s after Cancel"
    finally:
        destroy(caller, "seed")


def test_a_check_never_blocks_destroy_or_apply(running, host, caller_factory) -> None:
    checker = caller_factory("peer")  # may check, not destroy: a check-only user
    owner = caller_factory("allowed")
    deploy_seed(owner)
    checker.request(op="signals")
    checker.__dict__["backlog"] = []
    job = start_slow_check(checker)
    applied = owner.call("Apply", "sa{sv}", SEED, {})  # no Busy: the check gives way
    assert applied["ok"], applied
    assert wait_signal(owner, "JobFinished", applied["body"][0])[1] == ""
    finished = wait_signal(checker, "JobFinished", job)
    assert finished[1] == CANCELLED and "changes topology seed" in finished[2], finished
    job = start_slow_check(checker)
    began = time.monotonic()
    destroy(owner, "seed")
    assert time.monotonic() - began < 10, "destroy waited for the check"
    assert wait_signal(checker, "JobFinished", job)[1] == CANCELLED
    assert "lab-net1" not in host.netns()


def test_check_options_cannot_make_a_check_run_for_minutes(running, caller_factory) -> None:
    longest = {"timeout": {"$v": ["d", 30.0]}, "retries": {"$v": ["u", 5]}}
    for member in ("StartCheck", "Check"):
        answer = caller_factory("allowed").call(member, "sa{sv}", "seed", longest)
        assert answer["error"] == "io.netwright.Error.InvalidArguments", answer
        assert "at most 30 s" in answer["text"], answer


def test_each_user_runs_a_bounded_number_of_checks(running, caller_factory) -> None:
    caller = caller_factory("allowed")
    deploy_seed(caller)
    try:
        jobs = [start_slow_check(caller), start_slow_check(caller)]
        third = caller.call("StartCheck", "sa{sv}", "seed", SLOW)
        assert third["error"] == "io.netwright.Error.Busy", third
        assert "at most 2 per user" in third["text"], third
        for job in jobs:
            assert caller.call("Cancel", "s", job)["ok"]
            assert wait_signal(caller, "JobFinished", job)[1] == CANCELLED
    finally:
        destroy(caller, "seed")


def test_the_checks_of_a_killed_caller_stop_and_free_the_users_share(running,
                                                                     caller_factory) -> None:
    """Two slow checks whose caller is killed: nobody can hear their reports, so they stop,
    and the same user's next check starts at once instead of being Busy for 30 s."""
    owner = caller_factory("allowed")
    deploy_seed(owner)
    try:
        leaver = caller_factory("peer")
        leaver.request(op="signals")
        leaver.__dict__["backlog"] = []
        start_slow_check(leaver)
        start_slow_check(leaver)
        os.kill(leaver.process.pid, signal.SIGKILL)  # the python process: setpriv exec'd it
        leaver.process.wait(5)
        again = caller_factory("peer")  # the same user, a new connection
        deadline = time.monotonic() + 2
        while (answer := again.call("StartCheck", "sa{sv}", "seed", SLOW)).get(
                "error") == "io.netwright.Error.Busy" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert answer["ok"], answer
        assert again.call("Cancel", "s", answer["body"][0])["ok"]
    finally:
        destroy(owner, "seed")


def test_a_topology_named_live_host_does_not_hold_host_checks(running, host,
                                                                caller_factory) -> None:
    """A host check's job is not keyed by a topology name: while a topology the user named
    "live-host" is being applied, StartCheckHost starts (not Busy) and its JobStarted names
    no topology, so nothing mistakes one for the other."""
    owner = caller_factory("allowed")
    owner.request(op="signals")
    owner.__dict__["backlog"] = []
    applied = owner.call("Apply", "sa{sv}", star("live-host", 300), {})
    assert applied["ok"], applied
    apply_job = applied["body"][0]
    wait_signal(owner, "JobProgress", apply_job, lambda body: 0 < body[1] < body[2] // 2)
    checked = owner.call("StartCheckHost", "a{sv}", {})
    assert wait_signal(owner, "JobFinished", apply_job)[1] == ""
    destroy(owner, "live-host")
    assert checked["ok"], checked
    check_job = checked["body"][0]
    started = wait_signal(owner, "JobStarted", check_job)
    assert started[1] == "" and started[2] == "check", started
    assert wait_signal(owner, "JobFinished", check_job)[1] == ""


@pytest.mark.parametrize("started", [list, sigint_ignored], ids=["", "sigint-ignored"])
def test_sigterm_ends_the_check_command_as_ctrl_c_does(running, system_bus, started) -> None:
    """`timeout 5 netwright check seed --timeout 10` (SIGTERM) ended Python at once, with no
    word and mid progress line; it ends as Ctrl+C does now: "interrupted", exit 130 (the
    backend cancels the check when the command's connection leaves, as on Ctrl+C). Also in
    a command a script started with `&` (SIGINT ignored)."""
    run_client(USER_ALLOWED, system_bus, "await client.apply(seed)")
    try:
        earlier = len(running.log())
        command = as_user_background(USER_ALLOWED, started([NETWRIGHT, "check", "seed",
                                                            "--timeout", "10"]),
                                     address=system_bus)
        try:
            deadline = time.monotonic() + 30
            while "check of topology seed started" not in running.log()[earlier:]:
                assert time.monotonic() < deadline and command.poll() is None
                time.sleep(0.1)
            command.send_signal(signal.SIGTERM)
            _out, err = command.communicate(timeout=15)
        finally:
            if command.poll() is None:
                command.kill()
                command.wait()
        assert (command.returncode, err) == (130, "netwright: interrupted\n"), err
    finally:
        run_client(USER_ALLOWED, system_bus, "await client.destroy('seed')")
