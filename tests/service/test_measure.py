"""Measure over D-Bus: the daemon runs iperf3 inside a deployment of its lab host."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from svc_callers import run_client
from svc_cli import NETWRIGHT, as_user, as_user_background, sigint_ignored
from svc_polkit import USER_ALLOWED

from tests.tools.own_iperf3 import iperf3_processes
from tests.tools.rate_limited import rate_limited_design

DESIGN = rate_limited_design("thru")
MEASURE = '''
await client.apply(DESIGN_TEXT)
try:
    tcp = await client.measure('thru', 'a', 'b', seconds=2)
    udp = await client.measure('thru', 'a', 'b', seconds=1, udp=True, bitrate='2mbit')
    try:
        await client.measure('thru', 'a', 'nowhere', seconds=1)
        unknown = None
    except Exception as exc:
        unknown = [type(exc).__name__, str(exc)]
finally:
    await client.destroy('thru')
return {"tcp": tcp, "udp": udp, "unknown": unknown}
'''.replace("DESIGN_TEXT", repr(DESIGN))


def test_measure_runs_iperf3_in_the_deployment(running, system_bus) -> None:
    outcome = run_client(USER_ALLOWED, system_bus, MEASURE)
    value = outcome["value"]
    tcp, udp = value["tcp"], value["udp"]
    assert tcp["protocol"] == "tcp" and tcp["configured_rate"] == 10_000_000, outcome
    assert abs(tcp["received_bps"] - 10e6) < 0.2 * 10e6, tcp
    assert udp["protocol"] == "udp" and udp["packets"] > 0 and udp["lost_percent"] < 1, udp
    assert value["unknown"][0] == "InvalidArgumentsError", value  # the caller's to fix
    assert "'nowhere' is not a namespace of thru" in value["unknown"][1], value


CANCEL = '''
import asyncio, time
await client.apply(DESIGN_TEXT)
try:
    job = await client.start_measure('thru', 'a', 'b', seconds=30)
    await asyncio.sleep(1)  # iperf3 is sending
    began = time.monotonic()
    await client.cancel(job)
    try:
        await client.wait_measure(job)
        ended = None
    except Exception as exc:
        ended = [type(exc).__name__, str(exc)]
    took = time.monotonic() - began
    again = await client.wait_measure(await client.start_measure('thru', 'a', 'b', seconds=1))
finally:
    await client.destroy('thru')
return {"job": job, "ended": ended, "took": took, "again": again}
'''.replace("DESIGN_TEXT", repr(DESIGN))


def test_a_measurement_job_stops_iperf3_on_cancel(running, system_bus) -> None:
    """StartMeasure: Cancel ends the 30 s run at once, and the port is free for the next."""
    value = run_client(USER_ALLOWED, system_bus, CANCEL)["value"]
    assert value["job"].startswith("measure-thru-"), value
    assert value["ended"][0] == "Cancelled", value
    assert value["ended"][1].startswith("measurement cancelled: cancelled by uid "), value
    assert value["took"] < 3, value
    assert value["again"]["protocol"] == "tcp" and value["again"]["received_bps"] > 0, value


def test_measure_options_out_of_range_are_invalid_arguments(running, system_bus) -> None:
    outcome = run_client(USER_ALLOWED, system_bus,
                         "return await client.measure('thru', 'a', 'b', seconds=999.0)")
    assert outcome["raised"] == "InvalidArgumentsError", outcome
    outcome = run_client(USER_ALLOWED, system_bus,
                         "return await client.measure('thru', 'a b', 'b')")
    assert outcome["raised"] == "InvalidArgumentsError", outcome


def test_the_command_asks_the_backend(running, system_bus) -> None:
    run_client(USER_ALLOWED, system_bus, f"await client.apply({DESIGN!r})")
    try:
        done = as_user(USER_ALLOWED, [NETWRIGHT, "measure", "thru", "a", "b", "--seconds", "1",
                                      "--json"], system_bus)
        text = as_user(USER_ALLOWED, [NETWRIGHT, "measure", "thru", "a", "b", "--seconds", "1",
                                      "--udp"], system_bus)
    finally:
        run_client(USER_ALLOWED, system_bus, "await client.destroy('thru')")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["configured_rate"] == 10_000_000
    assert text.returncode == 0 and text.stdout.startswith("a → b (10.9.0.2, udp, 1 s): ")
    assert "% loss" in text.stdout and "jitter" in text.stdout, text.stdout


def _iperf3_once(count: int, seconds: float) -> list[int]:
    """This run's iperf3 processes once there are ``count`` of them, or at ``seconds``."""
    deadline = time.monotonic() + seconds
    while len(now := iperf3_processes()) != count and time.monotonic() < deadline:
        time.sleep(0.05)
    return now


@contextmanager
def _measure_command(system_bus: str, started: Callable[[list[str]], list[str]] = list
                     ) -> Iterator[subprocess.Popen[str]]:
    """`netwright measure thru a b --seconds 30` as the allowed user (its argv as
    ``started`` gives it), once both iperf3 processes (server and client) run; afterwards
    it is ended, by pid, and thru destroyed."""
    run_client(USER_ALLOWED, system_bus, f"await client.apply({DESIGN!r})")
    try:
        command = as_user_background(USER_ALLOWED, started([NETWRIGHT, "measure", "thru", "a",
                                                            "b", "--seconds", "30"]),
                                     address=system_bus)
        try:
            assert len(_iperf3_once(2, 15)) == 2, command.poll()
            yield command
        finally:
            if command.poll() is None:
                command.kill()
                command.wait()
    finally:
        run_client(USER_ALLOWED, system_bus, "await client.destroy('thru')")


@pytest.mark.parametrize(("stop", "started"), [
    (signal.SIGINT, list), (signal.SIGTERM, list), (signal.SIGTERM, sigint_ignored)],
    ids=["ctrl-c", "sigterm", "sigterm-sigint-ignored"])
def test_ctrl_c_cancels_the_commands_measurement(running, system_bus,
                                                 stop: signal.Signals, started) -> None:
    """SIGINT to `netwright measure` of 30 s cancels the backend's job: both iperf3 processes
    end within seconds, the command says so and exits 130. SIGTERM (`timeout`, `kill`) does
    the same: it ended the command silently, leaving the backend to notice its departure;
    and in a command a script started with `&` (SIGINT ignored) it said only "interrupted"."""
    with _measure_command(system_bus, started) as command:
        time.sleep(0.5)  # sending
        interrupted = time.monotonic()
        command.send_signal(stop)
        _out, err = command.communicate(timeout=15)
        took = time.monotonic() - interrupted
        left = _iperf3_once(0, 2)
    assert command.returncode == 130, err
    assert err.strip() == "netwright: measurement cancelled", err
    assert took < 5, took
    assert left == [], "iperf3 still runs after the command was interrupted"


def test_a_killed_commands_measurement_stops(running, system_bus) -> None:
    """SIGKILL to `netwright measure` of 30 s (it cannot Cancel): its connection leaves the
    bus, nobody can read the result, so netwrightd cancels the job and both iperf3 processes
    end within a second or two instead of running the 30 s out."""
    with _measure_command(system_bus) as command:
        command.kill()  # the process itself: setpriv and env exec into it
        command.communicate(timeout=15)
        left = _iperf3_once(0, 2)
        again = run_client(USER_ALLOWED, system_bus,
                           "return await client.measure('thru', 'a', 'b', seconds=1)")
    assert command.returncode == -signal.SIGKILL
    assert left == [], f"iperf3 still runs after its command was killed: {running.log()}"
    assert again["value"]["received_bps"] > 0, again  # the port is free again


def test_a_measure_call_ends_when_its_caller_is_killed(running, system_bus,
                                                       caller_factory) -> None:
    """The plain Measure method (the answer is the result) runs as a quiet job too: a caller
    killed while it waits leaves no iperf3 behind for the rest of the 30 s."""
    run_client(USER_ALLOWED, system_bus, f"await client.apply({DESIGN!r})")
    try:
        leaver = caller_factory("allowed")
        sent = leaver.request(op="send", member="Measure", signature="sssa{sv}",
                              body=["thru", "a", "b", {"seconds": {"$v": ["d", 30.0]}}])
        assert sent["ok"], sent
        assert len(_iperf3_once(2, 15)) == 2, running.log()
        os.kill(leaver.process.pid, signal.SIGKILL)  # the python process: setpriv exec'd it
        leaver.process.wait(5)
        left = _iperf3_once(0, 2)
    finally:
        run_client(USER_ALLOWED, system_bus, "await client.destroy('thru')")
    assert left == [], f"iperf3 still runs after its caller was killed: {running.log()}"
