"""Every call a stopping netwrightd received is answered, and a DhcpRenew it let in does nothing.

Reads sent in a tight loop while SIGTERM arrives: before, the daemon shut its bus socket with
calls unread and replies unsent, and the bus answered their callers NoReply ("recipient
disconnected"). Now each gets its result or Stopping, and once the daemon has released its
name the bus says it has no owner: never NoReply, never a call left unanswered.
A DhcpRenew whose polkit answer comes after the stop began (the held user's io.netwright.apply,
svc_polkit.PolkitHold) was still made: the DHCP client was asked to renew during the stop. It
is refused (Stopping) now, before the client is signalled. Real bus, polkitd, users and
daemon (conftest.py).
"""

from __future__ import annotations

import json
import os
import signal
import time

import pytest
from svc_callers import run_client
from svc_polkit import polkit_hold
from svc_stopping import sigterm_while_held

from netwright.backend.service import names

SENTENCE = "netwrightd is stopping: nothing was changed; try again once it is back"
#: What a read may be answered while netwrightd stops: its result, a refusal, or (once the
#: name is released) the bus's word that nobody owns it. Never NoReply, never silence.
ANSWERS = {"", names.ERROR_STOPPING, names.ERROR_NOT_FOUND,
           "org.freedesktop.DBus.Error.ServiceUnknown",
           "org.freedesktop.DBus.Error.NameHasNoOwner"}
#: One macvlan child of the lab host's wlp2s0 whose address comes from the lab's DHCP server.
LEASED = """\
netwright: 1
name: leased
host: {nics: {wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}}}
namespaces:
  l1: {}
interfaces:
  lv1: {kind: macvlan, parent: wlp2s0, mode: bridge, namespace: l1, addresses: [dhcp]}
"""


def test_reads_in_a_tight_loop_during_sigterm_are_all_answered(running, caller_factory
                                                                ) -> None:
    floods = {caller_factory("allowed"): ("List", "", []),
              caller_factory("default"): ("Status", "s", ["nosuchtopology"]),
              caller_factory("peer"): ("Deployments", "", [])}
    daemon = running.started
    assert daemon is not None
    for caller, (member, signature, body) in floods.items():
        caller.ask(op="flood", inflight=8, seconds=60, member=member, signature=signature,
                   body=body)
    time.sleep(1.0)  # the loops run: calls in flight whenever the signal comes
    os.kill(daemon.pid, signal.SIGTERM)
    answers = [caller.answer() for caller in floods]
    assert daemon.process.wait(90) == 0
    log = daemon.log_text()
    for answer in answers:
        assert answer["ok"], answer
        counts = answer["counts"]
        assert set(counts) <= ANSWERS, (counts, log[-3000:])
        assert counts.get("", 0) + counts.get(names.ERROR_NOT_FOUND, 0) > 10, counts


@pytest.mark.usefixtures("users")
def test_a_dhcp_renew_polkit_answers_during_the_stop_is_refused_and_renews_nothing(
        running, service_run_dir, caller_factory) -> None:
    held, allowed = caller_factory("held"), caller_factory("allowed")
    try:
        assert allowed.call("Apply", "sa{sv}", LEASED, {})["ok"]
        _wait_bound(allowed)
        daemon = running.started
        assert daemon is not None
        with polkit_hold(service_run_dir) as hold:
            sent = held.request(op="burst", count=1, answered=0, timeout=0,
                                member="DhcpRenew", signature="sa{sv}", body=["leased", {}])
            assert sent == {"ok": True, "answers": []}, sent
            with sigterm_while_held(running, hold, held.process):
                pass
        answer = held.request(op="rest", timeout=60)  # polkit said yes during the stop
        assert daemon.process.wait(90) == 0
        log = daemon.log_text()
        assert answer == {"ok": True, "answers": [[names.ERROR_STOPPING, SENTENCE]]}, (
            answer, log[-3000:])
        assert "not renewing the DHCP clients of leased" in log, log[-3000:]
    finally:
        running.ensure()
        run_client(None, running.address, "await client.destroy('leased')")


def _wait_bound(caller) -> None:
    """Until the deployment's DHCP client holds a lease (the renew then has a client)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        answer = caller.call("DhcpLeases", "s", "leased")
        if answer["ok"] and any(state["address"] for state in json.loads(answer["body"][0])):
            return
        time.sleep(0.2)
    raise AssertionError(f"the DHCP client never bound: {answer}")
