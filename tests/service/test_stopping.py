"""A netwrightd that has begun to stop starts and changes nothing more: it says so, first.

SIGTERM cancels the jobs that run and waits for them, and for the calls in progress. A call
that polkit was still asking about then (a password prompt open) went on once it was
answered and started its job after the others had stopped, and the end of the daemon's loop
cancelled that job half-way, for the next netwrightd's recovery to finish; a call that came
meanwhile asked polkit (a password prompt for a call that could not run) and read its
topology before it was refused. polkit keeps the held user's Apply waiting here
(svc_polkit.PolkitHold) while the test sends SIGTERM, which keeps the daemon stopping until
the test lets polkit answer yes. Every check of the network reads the kernel of the daemon's
host namespace, not what the daemon says.
"""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from svc_bus import REPO
from svc_callers import run_client
from svc_cli import NETWRIGHT, as_user_background
from svc_polkit import USER_ALLOWED, USER_HELD, polkit_hold
from svc_stopping import sigterm_while_held

from netwright.backend.client.restart import STOPPING_WAIT_SECONDS, not_resent_sentence
from netwright.backend.service import names
from netwright.backend.service.stopping import SERVED_WHILE_STOPPING

SEED_FILE = Path(__file__).parent / "data" / "seed-macvlan.yaml"
CONTRACT = REPO / "packaging" / "dbus" / "io.netwright.Backend1.xml"
SENTENCE = "netwrightd is stopping: nothing was changed; try again once it is back"
#: What the command says of its Apply that the stopping netwrightd refused, once it has
#: waited for a next one that this test does not start (test_stopping_restart_cli.py).
REFUSED = f"netwright: {not_resent_sentence('Apply', None, STOPPING_WAIT_SECONDS)}\n"
#: A value of each D-Bus type the methods take (Capture's 'h' names no descriptor).
SAMPLES = {"s": "seed", "as": ["a"], "a{sv}": {}, "h": 0}


def held_apply(system_bus: str) -> subprocess.Popen[str]:
    return as_user_background(USER_HELD, [NETWRIGHT, "apply", "--yes", str(SEED_FILE)],
                              address=system_bus)


def methods() -> dict[str, tuple[str, list[object]]]:
    """Every method of the checked-in contract: its signature and arguments of those types."""
    root = ET.parse(CONTRACT).getroot()
    interface = next(i for i in root.iter("interface") if i.get("name") == names.INTERFACE)
    found = {}
    for method in interface.findall("method"):
        types = [arg.get("type", "") for arg in method.findall("arg")
                 if arg.get("direction", "in") == "in"]
        found[method.get("name", "")] = ("".join(types), [SAMPLES[kind] for kind in types])
    return found


def test_an_apply_polkit_answers_after_sigterm_is_refused_and_changes_nothing(
        running, host, system_bus, service_run_dir, users) -> None:
    before = host.snapshot()
    daemon = running.started
    assert daemon is not None
    earlier = len(daemon.log_text())  # the session's daemon: earlier tests applied seed too
    with polkit_hold(service_run_dir) as hold:
        command = held_apply(system_bus)
        with sigterm_while_held(running, hold, command):
            pass
    _out, err = command.communicate(timeout=90)  # polkit has said yes: the Apply goes on
    assert daemon.process.wait(90) == 0
    log = daemon.log_text()[earlier:]
    assert (command.returncode, err) == (1, REFUSED), (err, log[-3000:])
    assert "not starting the apply of topology seed for uid" in log, log[-3000:]
    assert "job apply-seed" not in log, log[-3000:]
    assert host.snapshot() == before  # nothing half made for a recovery to finish

    again = running.start()  # a next netwrightd finds nothing to recover, nor deployed
    assert "recovered interrupted jobs" not in again.log_text()
    status = run_client(USER_ALLOWED, system_bus, "return await client.status('seed')")
    assert status.get("raised") == "NotDeployed" or status["value"]["deployed"] is False, status


def test_a_call_that_comes_while_netwrightd_stops_is_refused_before_polkit_is_asked(
        running, system_bus, service_run_dir, users, caller_factory) -> None:
    """Each method but Cancel and the reads of what is recorded (SERVED_WHILE_STOPPING) is
    refused at once: polkit, which says no to everything nwtest-denied asks, is not asked
    (NotAuthorized would be its answer), nor is an Apply's text read (InvalidTopology). The
    methods still served wait for polkit, which the held Apply keeps busy: they are sent
    without waiting, and the daemon's log says it refused none of them."""
    denied, allowed = caller_factory("denied"), caller_factory("allowed")
    every = methods()
    assert set(every) >= SERVED_WHILE_STOPPING
    daemon = running.started
    assert daemon is not None
    with polkit_hold(service_run_dir) as hold:
        command = held_apply(system_bus)
        with sigterm_while_held(running, hold, command):
            for name in sorted(SERVED_WHILE_STOPPING):
                signature, body = every[name]
                assert denied.request(op="send", member=name, signature=signature,
                                      body=body)["ok"]
            answers = {name: denied.call(name, signature, *body)
                       for name, (signature, body) in every.items()
                       if name not in SERVED_WHILE_STOPPING}
            unread = allowed.call("Apply", "sa{sv}", "netwright: [not a topology", {})
    _out, err = command.communicate(timeout=90)
    assert daemon.process.wait(90) == 0
    log = daemon.log_text()
    assert {name: (answer.get("error"), answer.get("text")) for name, answer in answers.items()
            } == dict.fromkeys(answers, (names.ERROR_STOPPING, SENTENCE)), answers
    assert (unread.get("error"), unread.get("text")) == (names.ERROR_STOPPING, SENTENCE), unread
    assert all(f"refusing {name} from :" in log for name in answers), log[-3000:]
    assert not [name for name in SERVED_WHILE_STOPPING if f"refusing {name} from" in log]
    assert (command.returncode, err) == (1, REFUSED), err
