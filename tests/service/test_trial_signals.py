"""StateChanged tells of each end of a trial once, whoever ended it.

The designer (and any subscriber) learns from StateChanged(topology, "restored") that the
change it showed on trial is gone. A Confirm that came after netwrightd's own clock had
restored at the deadline made netwrightd say "restored" a second time, though nothing was
restored again; a Revert must still say it once. A listener of another user counts the
signals on the private system bus, after a call of its own (the daemon sends to one
connection in order: a signal sent before that call's answer has arrived by then).
"""

from __future__ import annotations

from typing import Any

import pytest
from svc_jobs import wait_signal
from svc_topologies import HOSTNAT

FAILED = "io.netwright.Error.Failed"


def _on_trial(owner: Any, seconds: int) -> None:
    """Apply HOSTNAT with "confirm": on trial for ``seconds``."""
    applied = owner.call("Apply", "sa{sv}", HOSTNAT,
                         {"confirm": {"$v": ["b", True]},
                          "confirm-seconds": {"$v": ["u", seconds]}})
    assert applied["ok"], applied
    finished = wait_signal(owner, "JobFinished", applied["body"][0])
    assert finished[1] == "" and '"awaiting_confirmation"' in finished[3], finished


def _heard(listener: Any) -> list[list[Any]]:
    """The StateChanged signals of hostnat the listener has had so far."""
    # a property needs no polkit (this listener may do nothing); whatever the daemon sent
    # it before this answer has come
    version = listener.call("Get", "ss", "io.netwright.Backend1", "Version",
                            interface="org.freedesktop.DBus.Properties")
    assert version["ok"], version
    backlog: list[list[Any]] = listener.__dict__.setdefault("backlog", [])
    backlog += listener.request(op="signals")["signals"]
    heard = [body for member, body in backlog if member == "StateChanged"
             and body[0] == "hostnat"]
    backlog.clear()
    return heard


@pytest.fixture
def owner_and_listener(running, caller_factory) -> Any:
    owner, listener = caller_factory("allowed"), caller_factory("denied")
    for caller in (owner, listener):
        caller.request(op="signals")  # forget what earlier tests left
        caller.__dict__["backlog"] = []
    yield owner, listener
    owner.call("Destroy", "sa{sv}", "hostnat", {})  # NotFound once its trial removed it


def test_a_late_confirm_does_not_tell_of_the_restore_again(owner_and_listener) -> None:
    owner, listener = owner_and_listener
    _on_trial(owner, 5)  # the shortest window
    wait_signal(listener, "StateChanged", "hostnat", lambda body: body[1] == "restored")
    late = owner.call("Confirm", "sa{sv}", "hostnat", {})
    assert late["error"] == FAILED and "before this confirm" in late["text"], late
    assert _heard(listener) == [["hostnat", "deployed"]]  # and no second "restored"


def test_a_revert_tells_of_its_restore_once(owner_and_listener) -> None:
    owner, listener = owner_and_listener
    _on_trial(owner, 60)
    reverted = owner.call("Revert", "sa{sv}", "hostnat", {})
    assert reverted["ok"], reverted
    assert wait_signal(owner, "JobFinished", reverted["body"][0])[1] == ""
    assert _heard(listener) == [["hostnat", "deployed"], ["hostnat", "restored"]]
