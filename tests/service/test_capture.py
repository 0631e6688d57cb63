"""Capture over D-Bus: the caller's file descriptor, the seed's ICMP, limits, Cancel, leaving.

The pcapng files are read with dpkt (tests/tools/pcap_reader.py), never with our writer's
own code. Each client runs as an unprivileged test user and opens its output itself.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
from svc_callers import NETWRIGHT, run_client, start_command
from svc_capture import packet_sockets, shared_directory
from svc_cli import sigint_ignored
from svc_polkit import USER_ALLOWED, USER_DEFAULT

from tests.tools.pcap_reader import frames, icmp_echoes

MV1 = "192.168.31.5"
MV2 = "192.168.31.6"

OPEN = "import os\nfd = os.open({path!r}, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)\n"

CAPTURE_DURING_CHECK = OPEN + """
await client.apply(seed)
try:
    job = await client.start_capture('seed', 'mv1', fd, packet_filter='icmp')
    os.close(fd)  # the daemon writes into its own copy
    await client.check('seed', timeout=0.5)
    await client.cancel(job)
    stopped = await client.wait_capture(job)
    fd = os.open({path!r} + '.count', os.O_WRONLY | os.O_CREAT, 0o644)
    job = await client.start_capture('seed', 'mv1', fd, count=2, packet_filter='icmp')
    os.close(fd)
    await client.check('seed', timeout=0.5)
    counted = await client.wait_capture(job)
    fd = os.open({path!r} + '.quiet', os.O_WRONLY | os.O_CREAT, 0o644)
    job = await client.start_capture('seed', 'mv1', fd, seconds=0.5, packet_filter='tcp')
    os.close(fd)
    timed = await client.wait_capture(job)
finally:
    await client.destroy('seed')
return {{"stopped": stopped, "counted": counted, "timed": timed}}
"""


@pytest.fixture
def directory():
    with shared_directory() as path:
        yield path


def test_seed_icmp_during_a_check(running, system_bus, directory) -> None:
    out = directory / "seed.pcapng"
    outcome = run_client(USER_ALLOWED, system_bus, CAPTURE_DURING_CHECK.format(path=str(out)))
    value = outcome.get("value")
    assert value, outcome
    assert value["stopped"]["ended"] == "stopped" and value["stopped"]["packets"] > 0, value
    echoes = icmp_echoes(out)
    assert ("request", MV1, MV2) in echoes and ("reply", MV2, MV1) in echoes, echoes
    assert ("request", MV2, MV1) in echoes and ("reply", MV1, MV2) in echoes, echoes
    assert out.stat().st_uid != 0  # the user's file, opened by the user
    assert value["counted"] == {"packets": 2, "dropped": 0, "ended": "count"}, value
    assert len(frames(Path(f"{out}.count"))) == 2
    assert value["timed"] == {"packets": 0, "dropped": 0, "ended": "seconds"}, value
    assert frames(Path(f"{out}.quiet")) == []


def test_a_capture_ends_when_its_caller_leaves(running, system_bus, directory) -> None:
    out = directory / "left.pcapng"
    leave = OPEN.format(path=str(out)) + (
        "await client.apply(seed)\n"
        "return await client.start_capture('seed', 'mv1', fd)\n")
    outcome = run_client(USER_ALLOWED, system_bus, leave)
    try:
        assert "value" in outcome, outcome
        deadline = time.monotonic() + 10
        while packet_sockets(running.host, "lab-net1") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert packet_sockets(running.host, "lab-net1") == 0, running.log()
        assert out.read_bytes()[:4] == b"\x0a\x0d\x0d\x0a"  # it had started: a section header
    finally:
        run_client(USER_ALLOWED, system_bus, "await client.destroy('seed')")


def test_refusals_are_sentences(running, system_bus, directory) -> None:
    out = str(directory / "refused.pcapng")
    denied = run_client(USER_DEFAULT, system_bus, OPEN.format(path=out + ".denied")
                        + "return await client.start_capture('seed', 'mv1', fd)")
    assert denied["raised"] == "NotAuthorizedError", denied
    assert denied["message"].startswith("not authorized to capture network traffic"), denied
    not_deployed = run_client(USER_ALLOWED, system_bus, OPEN.format(path=out)
                              + "return await client.start_capture('nothing', 'mv1', fd)")
    assert not_deployed["raised"] == "NotDeployed", not_deployed
    bad = OPEN.format(path=out) + """
await client.apply(seed)
outcomes = []
try:
    for interface, expression in (('mv9', ''), ('mv1', 'icmp and hst 1')):
        try:
            await client.start_capture('seed', interface, fd, packet_filter=expression)
        except Exception as exc:
            outcomes.append([type(exc).__name__, str(exc)])
finally:
    await client.destroy('seed')
return outcomes
"""
    outcome = run_client(USER_ALLOWED, system_bus, bad)
    (no_such, bad_filter) = outcome["value"]
    assert no_such[0] == "InvalidArgumentsError" and "has no interface 'mv9'" in no_such[1]
    assert "mv1, mv2" in no_such[1]
    assert bad_filter[0] == "InvalidArgumentsError" and "syntax error" in bad_filter[1]


def test_the_cli_writes_the_users_file(running, system_bus, directory) -> None:
    out = directory / "cli.pcapng"
    run_client(USER_ALLOWED, system_bus, "await client.apply(seed)")
    try:
        command = start_command(USER_ALLOWED, [NETWRIGHT, "capture", "seed", "mv1", "-c", "2",
                                               "--filter", "icmp", "-w", str(out)], system_bus)
        time.sleep(1.0)
        run_client(USER_ALLOWED, system_bus, "return await client.check('seed', timeout=0.5)")
        _, err = command.communicate(timeout=30)
        assert command.returncode == 0, err
        assert "2 packets captured (the count was reached)" in err, err
        assert [kind for kind, _, _ in icmp_echoes(out)] == ["request", "reply"]
        bad = start_command(USER_ALLOWED, [NETWRIGHT, "capture", "seed", "mv1", "--filter",
                                           "icmp and hst 1", "-w",
                                           str(directory / "bad.pcapng")], system_bus)
        _, err = bad.communicate(timeout=30)
        assert bad.returncode != 0 and "Traceback" not in err, err
        assert "filter 'icmp and hst 1' is not valid: syntax error" in err, err
    finally:
        run_client(USER_ALLOWED, system_bus, "await client.destroy('seed')")


@pytest.mark.parametrize(("stop", "started"), [
    (signal.SIGINT, list), (signal.SIGTERM, list), (signal.SIGTERM, sigint_ignored)],
    ids=["ctrl-c", "sigterm", "sigterm-sigint-ignored"])
def test_ctrl_c_stops_the_cli_and_keeps_the_file(running, system_bus, directory,
                                                 stop: signal.Signals, started) -> None:
    """Ctrl+C, and SIGTERM as tcpdump takes it (`timeout 10 netwright capture …`, which ended
    the command silently with no closing count): the job is cancelled, FILE keeps what was
    captured, the count is said and the status is 0. Also for a command a script started
    with `&` (SIGINT ignored), which a SIGTERM ended as "interrupted", 130."""
    out = directory / "interrupted.pcapng"
    run_client(USER_ALLOWED, system_bus, "await client.apply(seed)")
    try:
        command = start_command(USER_ALLOWED, started([NETWRIGHT, "capture", "seed", "mv1",
                                                       "--filter", "icmp", "-w", str(out)]),
                                system_bus)
        deadline = time.monotonic() + 30
        while not out.exists() or out.stat().st_size == 0:  # the header: it is capturing
            assert time.monotonic() < deadline and command.poll() is None
            time.sleep(0.1)
        run_client(USER_ALLOWED, system_bus, "return await client.check('seed', timeout=0.5)")
        command.send_signal(stop)
        _, err = command.communicate(timeout=30)
        assert command.returncode == 0, err
        assert "packets captured (stopped)" in err, err
        assert ("request", MV1, MV2) in icmp_echoes(out)
        deadline = time.monotonic() + 10
        while packet_sockets(running.host, "lab-net1") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert packet_sockets(running.host, "lab-net1") == 0
    finally:
        run_client(USER_ALLOWED, system_bus, "await client.destroy('seed')")
