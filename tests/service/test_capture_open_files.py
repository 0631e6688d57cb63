"""Captures are admitted by the open files they hold, beside everything else netwrightd runs.

A capture holds its packet socket, the caller's file and the pipes to the helper that writes
it for as long as it runs (a day, if asked); applies, destroys, statuses, plans, checks and
recoveries set aside the open files they will hold (``kernel/open_files``), and captures
took theirs without asking, so enough of them left an apply that had been admitted short of
files half-way. Here netwrightd's limit leaves room for two captures beside its own
descriptors: a third is refused with a sentence before it opens anything, and once the two
have ended a capture is admitted again. That daemon is replaced afterwards (a hard limit
once lowered is raised only with CAP_SYS_RESOURCE).
"""

from __future__ import annotations

import os
import resource
import time

from svc_callers import run_client
from svc_polkit import USER_ALLOWED
from svc_topologies import SEED

from netwright.backend.kernel.descriptors import CAPTURE_NEEDS, OWN, check_needs
from netwright.backend.topology import parse_topology

#: The descriptors the daemon keeps for itself (OWN) and two captures' worth.
LIMIT = OWN + 2 * CAPTURE_NEEDS

THREE_CAPTURES = """
import os
fd = os.open('/dev/null', os.O_WRONLY)
jobs = [await client.start_capture('seed', 'mv1', fd) for _ in range(2)]
try:
    await client.start_capture('seed', 'mv1', fd)
    third = 'started'
except Exception as exc:
    third = f'{type(exc).__name__}: {exc}'
for job in jobs:
    await client.cancel(job)
    await client.wait_capture(job)
again = await client.start_capture('seed', 'mv1', fd)
await client.cancel(again)
ended = await client.wait_capture(again)
return {'third': third, 'again': ended['ended']}
"""


def test_a_capture_beyond_the_open_files_left_is_refused(running, system_bus) -> None:
    assert running.started is not None
    pid = running.started.pid
    run_client(USER_ALLOWED, system_bus, "await client.apply(seed)")
    try:
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (LIMIT, LIMIT))
        outcome = run_client(USER_ALLOWED, system_bus, THREE_CAPTURES)
    finally:  # no raising a hard limit again here (CAP_SYS_RESOURCE): a new daemon instead
        running.stop()
        running.ensure()
        run_client(USER_ALLOWED, system_bus, "await client.destroy('seed')")
    value = outcome.get("value")
    assert value, (outcome, running.log()[-3000:])
    assert value["third"] == (
        f"TooManyFiles: a capture on mv1 of topology seed holds up to {CAPTURE_NEEDS} open"
        " files, and the operations running now beside it in netwrightd (applies, destroys,"
        " checks, captures or statuses of large topologies) hold up to"
        f" {2 * CAPTURE_NEEDS} of the {LIMIT} it may open: try again when they have ended,"
        " or raise LimitNOFILE= in netwrightd's systemd unit ('systemctl edit netwrightd')"
        " and restart it"), value
    assert value["again"] == "stopped", value


def test_a_check_beyond_netwrightds_hard_limit_names_its_unit_and_nothing_to_split(
        running, system_bus) -> None:
    """The refusal said "or split the topology" for every operation: a check (as a capture,
    a status or a destroy) is of what is deployed, which nobody splits. netwrightd's is
    raised in its unit."""
    assert running.started is not None
    pid = running.started.pid
    seed = parse_topology(SEED)
    needed = check_needs(len(seed.namespaces))
    run_client(USER_ALLOWED, system_bus, "await client.apply(seed)")
    try:
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (needed - 1, needed - 1))
        outcome = run_client(USER_ALLOWED, system_bus, """
try:
    await client.check('seed', timeout=0.5)
    return 'checked'
except Exception as exc:
    return f'{type(exc).__name__}: {exc}'
""")
    finally:
        running.stop()
        running.ensure()
        run_client(USER_ALLOWED, system_bus, "await client.destroy('seed')")
    assert outcome.get("value") == (
        f"TooManyFiles: topology seed has {len(seed.namespaces)} namespaces: checking it"
        f" holds up to {needed} open files, and netwrightd may open only {needed - 1} (its"
        f" hard limit; it keeps {OWN} of them for itself): raise LimitNOFILE= in"
        " netwrightd's systemd unit ('systemctl edit netwrightd') and restart it"), (
            outcome, running.log()[-3000:])


CANCELLED_AT_ONCE = """
import os
fd = os.open('/dev/null', os.O_WRONLY)
ends = []
for _ in range(5):
    job = await client.start_capture('seed', 'mv1', fd)
    await client.cancel(job)
    ends.append((await client.wait_capture(job))['ended'])
return ends
"""


def test_captures_cancelled_right_after_they_start_give_back_their_files(
        running, system_bus) -> None:
    """Room for one capture: five cancelled as soon as they have started leave the daemon's
    descriptors as they were and its room free (the next is admitted, not TooManyFiles).
    A job whose task ends before it records is tested in tests/capture/test_capture_job.py."""
    assert running.started is not None
    pid = running.started.pid
    run_client(USER_ALLOWED, system_bus, "await client.apply(seed)")
    try:
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (OWN + CAPTURE_NEEDS,) * 2)
        before = sorted(os.listdir(f"/proc/{pid}/fd"))
        outcome = run_client(USER_ALLOWED, system_bus, CANCELLED_AT_ONCE)
        deadline = time.monotonic() + 5
        while (after := sorted(os.listdir(f"/proc/{pid}/fd"))) != before \
                and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        running.stop()
        running.ensure()
        run_client(USER_ALLOWED, system_bus, "await client.destroy('seed')")
    assert outcome.get("value") == ["stopped"] * 5, (outcome, running.log()[-3000:])
    assert after == before
