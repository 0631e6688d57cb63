"""A Confirm or an Adopt that polkit answers after netwrightd has begun to stop changes nothing.

They change state without a job, so Jobs.start's refusal never reached them: a Confirm whose
polkit answer came during the stop went on with the trial's clock already stopped, racing
the end of the daemon; an Adopt whose password was typed then marked objects. Both are
refused now (io.netwright.Error.Stopping), and the trial is left on disk as it was: the next
netwrightd keeps it if the Confirm is made again in its window, and ends it at its deadline
if not. polkit holds the held user's calls (svc_polkit.PolkitHold, io.netwright.apply: the
action of Confirm, and the first one Adopt asks) while the test sends SIGTERM. What changed
is read from the kernel of the daemon's host namespace.

The trial's window only has to hold the stop, the next start and a Confirm (about 2 s at
load 2); past its deadline the test waits on events, not a margin: the next daemon's clock
restoring the host, or a Status, which ends a trial past its deadline before it answers.
"""

from __future__ import annotations

import time

import pytest
from svc_callers import run_client
from svc_cli import NETWRIGHT, as_user, as_user_background
from svc_daemon import LAB_HOST
from svc_polkit import USER_ALLOWED, USER_HELD, polkit_hold
from svc_stopping import sigterm_while_held

from netwright.backend.client.restart import STOPPING_WAIT_SECONDS, not_resent_sentence
from netwright.backend.service import names

SENTENCE = "netwrightd is stopping: nothing was changed; try again once it is back"
#: What `netwright confirm` says of its Confirm that the stopping netwrightd refused, once a
#: next netwrightd runs (not sent to it again: test_stopping_restart_cli.py).
REFUSED_CONFIRM = not_resent_sentence("Confirm", ":1.1", STOPPING_WAIT_SECONDS)
#: A first apply that turns the host's forwarding on: a change on trial.
ROUTED = ("netwright: 1\nname: hostnat\nhost:\n  forwarding: {ipv4: true}\n"
          "  nat: [{masquerade: {from: 10.78.0.0/24, out: hn0}}]\n"
          "interfaces:\n  hn0: {kind: bridge, addresses: [10.78.0.1/24]}\n")
WINDOW = 8  # seconds: four times the stop, the next start and a Confirm at load 2
FOREIGN = ("netwright: 1\nname: takeover\n"
           "interfaces:\n  victimbr0: {kind: bridge, existing: true}\n")


@pytest.mark.usefixtures("users")
@pytest.mark.parametrize("then", ["confirmed again", "not confirmed"])
def test_a_confirm_polkit_answers_during_the_stop_is_refused_and_the_trial_goes_on(
        running, host, system_bus, service_run_dir, then: str) -> None:
    before = host.snapshot()
    applied = run_client(USER_HELD, system_bus, (
        f"return await client.apply({ROUTED!r}, confirm=True, confirm_seconds={WINDOW})"))
    try:
        deadline = float(applied["value"]["awaiting_confirmation"]["deadline"])
        on_trial = host.snapshot()
        daemon = running.started
        assert daemon is not None
        with polkit_hold(service_run_dir) as hold:
            command = as_user_background(USER_HELD, [NETWRIGHT, "confirm", "hostnat"],
                                         address=system_bus)
            with sigterm_while_held(running, hold, command):
                pass
        assert daemon.process.wait(90) == 0  # polkit said yes: the Confirm was refused
        log = daemon.log_text()
        assert "not confirming the change of hostnat on trial for uid" in log, log[-3000:]
        assert host.snapshot() == on_trial  # neither kept nor restored: still on trial
        running.start()  # as systemd restarts it: the next netwrightd has the trial
        _out, err = command.communicate(timeout=90)  # it waited for the next netwrightd
        assert (command.returncode, err) == (1, f"netwright: {REFUSED_CONFIRM}\n"), (
            err, log[-3000:])

        status = run_client(USER_ALLOWED, system_bus,
                            "return await client.status('hostnat')")
        assert status["value"]["awaiting_confirmation"]["deadline"] == deadline, status
        if then == "confirmed again":
            confirmed = as_user(USER_HELD, [NETWRIGHT, "confirm", "hostnat"], system_bus)
            assert confirmed.returncode == 0, confirmed.stderr
            assert time.time() < deadline, f"WINDOW ({WINDOW} s) is too short on this machine"
        _wait_until(deadline)
        if then == "confirmed again":  # a trial still held past its deadline ends in Status
            status = run_client(USER_ALLOWED, system_bus,
                                "return await client.status('hostnat')")
            assert not {"awaiting_confirmation", "trial_ended"} & set(status["value"]), status
            assert host.snapshot() == on_trial  # kept
        else:  # ended at its deadline: a first apply is removed, forwarding as before
            assert _restored(host, before), running.log()[-3000:]
    finally:
        running.ensure()
        run_client(USER_ALLOWED, system_bus,
                   "try:\n    await client.destroy('hostnat')\nexcept Exception:\n    pass")


def test_an_adopt_polkit_answers_during_the_stop_is_refused_and_marks_nothing(
        running, host, system_bus, service_run_dir, caller_factory) -> None:
    host.run("ip", "-n", LAB_HOST, "link", "add", "victimbr0", "type", "bridge")
    held, allowed = caller_factory("held"), caller_factory("allowed")
    try:  # applied by another user: polkit's grant of the held user's Apply is not reused
        assert allowed.call("Apply", "sa{sv}", FOREIGN, {})["ok"]
        _wait_deployed(allowed, "takeover")
        daemon = running.started
        assert daemon is not None
        with polkit_hold(service_run_dir) as hold:
            sent = held.request(op="burst", count=1, answered=0, timeout=0, member="Adopt",
                                signature="sasa{sv}", body=["takeover", ["victimbr0"], {}])
            assert sent == {"ok": True, "answers": []}, sent
            with sigterm_while_held(running, hold, held.process):
                pass
        answer = held.request(op="rest", timeout=60)  # polkit said yes (apply, then adopt)
        assert daemon.process.wait(90) == 0
        log = daemon.log_text()
        assert answer == {"ok": True, "answers": [[names.ERROR_STOPPING, SENTENCE]]}, (
            answer, log[-3000:])
        assert "not adopting 1 objects into takeover" in log, log[-3000:]
        assert host.links(LAB_HOST)["victimbr0"]["alias"] == ""  # not marked
    finally:
        running.ensure()
        run_client(None, system_bus, "await client.destroy('takeover')")
        host.run("ip", "-n", LAB_HOST, "link", "del", "victimbr0", check=False)


def _restored(host, before: dict[str, object]) -> bool:
    deadline = time.monotonic() + 15
    while host.snapshot() != before:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def _wait_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.time()))


def _wait_deployed(caller, name: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        answer = caller.call("List")
        if answer["ok"] and name in answer["body"][0]:
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {name} to be deployed")
