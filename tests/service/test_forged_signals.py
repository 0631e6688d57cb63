"""A job's signals are believed only from netwrightd itself.

The system bus lets any user send a signal to any connection (Debian's system.conf allows
send_type="signal"), and a job's id is guessable (its daemon's run token is in every id the
attacker gets for a job of their own, then a counter). A client that took JobFinished from
anyone let another user end its jobs with results of their choosing: a capture, a check, an
apply reported done while it ran on. The attacker here is nwtest-denied, whom polkit refuses
everything: sending a signal asks nobody.
"""

from __future__ import annotations

import json
import pwd
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from svc_callers import NETWRIGHT, run_client, start_command
from svc_capture import shared_directory
from svc_polkit import USER_ALLOWED, USER_DENIED
from svc_topologies import star

VICTIM = """
import json, os
fd = os.open('/dev/null', os.O_WRONLY)
await client.apply(seed)
try:
    job = await client.start_capture('seed', 'mv1', fd, seconds=5.0)
    with open({path!r} + '.tmp', 'w') as out:
        json.dump({{'name': client._bus.unique_name, 'job': job}}, out)
    os.rename({path!r} + '.tmp', {path!r})
    return await client.wait_capture(job)
finally:
    await client.destroy('seed')
"""

FORGER = """
from dbus_fast import Message, MessageType
await client._bus.send(Message(
    message_type=MessageType.SIGNAL, destination={name!r}, path='/io/netwright/Backend1',
    interface='io.netwright.Backend1', member='JobFinished', signature='ssss',
    body=[{job!r}, '', '', '{{"packets": 999999, "dropped": 0, "ended": "count"}}']))
return 'sent'
"""


def _wait_for(path: Path) -> dict[str, str]:
    deadline = time.monotonic() + 30
    while not path.exists():
        assert time.monotonic() < deadline, "the victim's capture did not start"
        time.sleep(0.05)
    found: dict[str, str] = json.loads(path.read_text())
    return found


def test_another_user_cannot_end_a_job_with_a_forged_signal(running, system_bus) -> None:
    with shared_directory() as directory, ThreadPoolExecutor(1) as pool:
        where = directory / "victim.json"
        victim = pool.submit(run_client, USER_ALLOWED, system_bus, VICTIM.format(path=str(where)))
        target = _wait_for(where)
        forged = run_client(USER_DENIED, system_bus, FORGER.format(**target))
        assert forged == {"value": "sent"}, forged
        outcome = victim.result(timeout=120)
    assert outcome.get("value", {}).get("ended") == "seconds", outcome  # the real end
    assert outcome["value"]["packets"] != 999999, outcome


#: Sends a forged failure of job JOB to every connection of user UID on the bus (what an
#: attacker who guessed a job id does: the bus says who owns each unique name).
FORGE_FAILURE = """
from dbus_fast import Message, MessageType
bus = client._bus
names = (await bus.call(Message(destination='org.freedesktop.DBus', path='/org/freedesktop/DBus',
    interface='org.freedesktop.DBus', member='ListNames'))).body[0]
sent = 0
for name in names:
    if not name.startswith(':'):
        continue
    uid = await bus.call(Message(destination='org.freedesktop.DBus',
        path='/org/freedesktop/DBus', interface='org.freedesktop.DBus',
        member='GetConnectionUnixUser', signature='s', body=[name]))
    if uid.body and uid.body[0] == {uid}:
        await bus.send(Message(message_type=MessageType.SIGNAL, destination=name,
            path='/io/netwright/Backend1', interface='io.netwright.Backend1',
            member='JobFinished', signature='ssss',
            body=[{job!r}, 'io.netwright.Error.Failed', 'FORGED: the apply failed', '']))
        sent += 1
return sent
"""


def _job_started(running, operation: str, topology: str) -> str:
    """The id of the job the daemon's log says it started (the test's stand-in for the
    attacker's guess)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for line in running.log().splitlines():
            words = line.split()
            if f"{operation} of topology {topology} started" in line:
                return next(w for w in words if w.startswith(f"{operation}-")).rstrip(":")
        time.sleep(0.05)
    raise AssertionError(f"no {operation} of {topology} started")


def test_the_command_line_believes_only_the_backend(running, system_bus) -> None:
    with shared_directory() as directory:
        design = directory / "big.yaml"
        design.write_text(star("forged", 300))  # a few seconds to apply
        design.chmod(0o644)
        command = start_command(USER_ALLOWED, [NETWRIGHT, "apply", "--yes", str(design)],
                                system_bus)
        try:
            job = _job_started(running, "apply", "forged")
            uid = pwd.getpwnam(USER_ALLOWED).pw_uid
            forged = run_client(USER_DENIED, system_bus, FORGE_FAILURE.format(uid=uid, job=job))
            assert forged.get("value"), forged
            _, err = command.communicate(timeout=120)
            assert "FORGED" not in err, err
            assert command.returncode == 0, err
        finally:
            run_client(USER_ALLOWED, system_bus, "await client.destroy('forged')")
