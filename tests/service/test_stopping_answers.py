"""Every call a stopping netwrightd received is answered before it exits.

Reads sent in a tight loop while SIGTERM arrives: before, the daemon shut its bus socket with
calls unread and replies unsent, and the bus answered their callers NoReply ("recipient
disconnected"). Now each gets its result or Stopping, and once the daemon has released its
name the bus says it has no owner: never NoReply, never a call left unanswered.
Real bus, polkitd, users and
daemon (conftest.py).
"""

from __future__ import annotations

import os
import signal
import time

from netwright.backend.service import names

#: What a read may be answered while netwrightd stops: its result, a refusal, or (once the
#: name is released) the bus's word that nobody owns it. Never NoReply, never silence.
ANSWERS = {"", names.ERROR_STOPPING, names.ERROR_NOT_FOUND,
           "org.freedesktop.DBus.Error.ServiceUnknown",
           "org.freedesktop.DBus.Error.NameHasNoOwner"}

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
