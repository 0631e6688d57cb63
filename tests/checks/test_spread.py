"""Probes spread over worker processes (``checks/spread.py``) see what one process sees.

On the hand-built LAN of test_prober.py: the same probes (replies, kernel errors, silence,
full-size drops) give the same observations from one process and from two or three; a worker
killed or stopped midway has its share probed again here, with a note; a cancel ends the
workers at once; and no worker process is ever left behind, running or unreaped (each test's
children are compared with those before it: an earlier test's are not judged here).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from netwright.backend.checks import prober as prober_module
from netwright.backend.checks import spread
from netwright.backend.checks.netns import netns_path
from netwright.backend.checks.prober import EchoProber, Probe
from netwright.backend.checks.results import Observation
from netwright.backend.checks.run import CheckOptions, run_check

pytestmark = pytest.mark.root
WORKER = "netwright.backend.checks.probe_worker"


def sh(command: str) -> None:
    subprocess.run(command, shell=True, check=True, capture_output=True)


def children() -> list[int]:
    """Child processes of this one, still running or not yet waited for."""
    found = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        try:
            found += [int(pid) for pid in (task / "children").read_text().split()]
        except FileNotFoundError:  # a thread (of a finished executor) ended meanwhile
            continue
    return found


def left_since(before: set[int]) -> dict[int, bytes]:
    """Children that were not there ``before`` (an earlier test's process, or one not yet
    reaped, is not this test's), with their command lines (empty for a zombie)."""
    left = {}
    for pid in set(children()) - before:
        try:
            left[pid] = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue  # reaped meanwhile
    return left


@pytest.fixture(autouse=True)
def no_process_left() -> Iterator[None]:
    """Every test here ends with no child process of its own left, running or unreaped
    (a zombie too); children an earlier test left are not this file's to judge."""
    before = set(children())
    yield
    assert left_since(before) == {}


def workers() -> list[int]:
    found = []
    for pid in children():
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if WORKER.encode() in command:
            found.append(pid)
    return found


def silent(ns: str) -> None:
    """The namespace answers no echo: its probes wait for the whole timeout."""
    sh(f"ip netns exec {ns} sysctl -qw net.ipv4.icmp_echo_ignore_all=1")


def mixed(lan: dict[str, Any]) -> list[Probe]:
    """From every namespace: each peer (small, full-size, too big), IPv6, no route, and the
    silent third namespace; the first namespace's bridge port drops full-size frames."""
    sh(f"ip link set vp{lan['tag']}1 mtu 1400")
    silent(lan["names"][2])
    probes = []
    for ns in lan["names"]:
        path = netns_path(ns)
        for i in (1, 2, 3):
            model = Probe(path, f"10.77.0.{i}")
            probes += [model, Probe.like(model, path, 1500), Probe.like(model, path, 1600),
                       Probe(path, f"fd77::{i}")]
        probes.append(Probe(path, "192.0.2.1"))
    return probes


def without_rtt(seen: list[Observation]) -> list[Observation]:
    return [dataclasses.replace(o, rtt_ms=None) for o in seen]


def probe(probes: list[Probe], processes: int, timeout: float = 0.3) -> tuple[
        list[Observation], list[str]]:
    prober = EchoProber(timeout=timeout, retries=1, processes=processes)
    return asyncio.run(prober.run(probes)), prober.notes


def test_the_same_observations_from_one_two_and_three_processes(lan: dict[str, Any]) -> None:
    probes = mixed(lan)
    alone, _ = probe(probes, 1)
    assert {o.errno for o in alone} >= {None, "ENETUNREACH", "EMSGSIZE", "ENOBUFS"}
    assert any(o.error == "no reply" and o.attempts == 2 for o in alone)
    for processes in (2, 3):
        spread_out, notes = probe(probes, processes)
        assert without_rtt(spread_out) == without_rtt(alone)
        assert all(o.rtt_ms is not None and o.rtt_ms > 0
                   for o in spread_out if o.verdict == "reachable")
        assert notes == []
    assert workers() == []


def kill_a_worker_midway(how: signal.Signals, timeout: float = 1.0, after: float = 0.2) -> Any:
    """A run from two processes, the worker sent ``how`` ``after`` seconds after it began."""
    async def run(lan: dict[str, Any]) -> tuple[list[Observation], list[str], int]:
        prober = EchoProber(timeout=timeout, retries=0, processes=2)
        task = asyncio.ensure_future(prober.run(mixed(lan)))
        while not workers():
            await asyncio.sleep(0.01)
        victim = workers()[0]
        await asyncio.sleep(after)  # 0.2: it has sent; it waits for the silent namespace
        os.kill(victim, how)
        return await task, prober.notes, victim
    return run


def test_a_killed_worker_has_its_share_probed_again(lan: dict[str, Any]) -> None:
    seen, notes, victim = asyncio.run(kill_a_worker_midway(signal.SIGKILL)(lan))
    assert without_rtt(seen) == without_rtt(
        asyncio.run(EchoProber(timeout=1.0, retries=0, processes=1).run(mixed(lan))))
    assert len(notes) == 1
    assert f"PID {victim}) was killed by signal 9" in notes[0]
    assert "sent again from this process" in notes[0]
    assert workers() == []


def test_a_worker_killed_before_it_reads_its_share_is_named_as_killed(
        lan: dict[str, Any]) -> None:
    """Killed with its request unsent or unread, the worker's channel breaks (EPIPE or
    ECONNRESET) before its exit is seen: the note still names the death, not the reset (a
    loaded CI machine's 0.2 s "midway" was once this case)."""
    seen, notes, victim = asyncio.run(kill_a_worker_midway(signal.SIGKILL, after=0)(lan))
    # (that its share is probed again is test_a_killed_worker_has_its_share_probed_again's:
    # a worker killed this early may have sent some echoes, and with one attempt of 1 s on
    # a loaded machine an observation compared pair by pair is the machine's, not the note's)
    assert len(seen) == len(mixed(lan))
    assert len(notes) == 1 and f"PID {victim}) was killed by signal 9" in notes[0], notes
    assert "sent again from this process" in notes[0]
    assert workers() == []


def test_a_stuck_worker_is_ended_and_its_share_probed_here(
        lan: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spread, "GRACE", 0.3)
    monkeypatch.setattr(spread, "SLOWER", 0.1)
    seen, notes, victim = asyncio.run(kill_a_worker_midway(signal.SIGSTOP, 0.5)(lan))
    assert len(notes) == 1 and f"PID {victim}) was still busy" in notes[0]
    assert without_rtt(seen) == without_rtt(
        asyncio.run(EchoProber(timeout=0.5, retries=0, processes=1).run(mixed(lan))))
    assert workers() == []
    assert not Path(f"/proc/{victim}").exists()  # killed and waited for


def test_a_cancel_ends_the_workers_at_once(lan: dict[str, Any]) -> None:
    async def run() -> float:
        task = asyncio.ensure_future(
            EchoProber(timeout=10.0, retries=1, processes=2).run(mixed(lan)))
        while not workers():
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)
        begun = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.monotonic() - begun

    took = asyncio.run(run())
    assert took < 5.0  # not the 20 s the silent namespace's probes would wait
    assert workers() == []


def test_a_check_spread_over_processes_says_what_one_process_says(
        lan: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.checks.test_prober import bridge_topology

    topology = bridge_topology(lan)
    options = CheckOptions(timeout=0.5, neighbour_budget=2)
    alone = asyncio.run(run_check(topology, options))
    monkeypatch.setattr(prober_module, "SPREAD_FROM", 1)
    spread_out = asyncio.run(run_check(topology, options))
    for result in (alone, spread_out):
        result.seconds.clear()
        for pair in result.pairs:
            assert pair.observed is not None and pair.observed.verdict == "reachable"
    assert [dataclasses.replace(p, observed=dataclasses.replace(p.observed, rtt_ms=None))
            for p in spread_out.pairs if p.observed] == [
        dataclasses.replace(p, observed=dataclasses.replace(p.observed, rtt_ms=None))
        for p in alone.pairs if p.observed]
    def lasting(notes: list[str]) -> list[str]:  # the first check may wait for new links
        return [note for note in notes if not note.startswith("waited")]

    assert lasting(spread_out.notes) == lasting(alone.notes)
    assert not any("worker" in note for note in spread_out.notes)
    assert workers() == []


def test_the_worker_starts_without_the_model() -> None:
    """The worker imports the prober alone: no pydantic, no explanation."""
    out = subprocess.run([sys.executable, "-c", "import sys, netwright.backend.checks."
                          "probe_worker; print(sorted(m for m in sys.modules if m.startswith("
                          "('pydantic', 'netwright.backend.topology.model',"
                          " 'netwright.backend.checks.explain'))))"],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_cancelled_check_in_netwrightd_leaves_no_worker(
        lan: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The daemon's way: the check in a check thread on a loop of its own, its cancel flag
    set (a Cancel, the caller leaving the bus, the time limit) while workers are probing."""
    from netwright.backend.engine import Target
    from netwright.backend.outcomes.errors import Cancelled
    from netwright.backend.service.worker import CancelFlag, EngineWorker
    from tests.checks.test_prober import bridge_topology

    monkeypatch.setattr(prober_module, "SPREAD_FROM", 1)
    silent(lan["names"][2])
    topology = bridge_topology(lan)

    async def run() -> float:
        cancel = CancelFlag()
        job = asyncio.ensure_future(EngineWorker(tmp_path, Target.host()).run_check(
            lambda: run_check(topology, CheckOptions(timeout=10.0, retries=1)), cancel,
            "check of handmade"))
        while not workers():
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.3)
        begun = time.monotonic()
        cancel.request("it was cancelled")
        with pytest.raises(Cancelled):
            await job
        return time.monotonic() - begun

    assert asyncio.run(run()) < 5.0  # not the 20 s the silent namespace's probes would wait
    assert workers() == []


@pytest.mark.timeout(60)
def test_a_worker_stopped_before_it_reads_its_share_holds_nothing_up(
        lan: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker started ahead that never reads its request (stopped, or still starting):
    the request, bigger than the channel's buffer, is sent in the background, this process
    probes its own share meanwhile, and the worker is ended once it is overdue."""
    monkeypatch.setattr(spread, "GRACE", 0.3)
    monkeypatch.setattr(spread, "SLOWER", 0.1)
    probes = mixed(lan) * 1200  # about 400 kB of request for the worker's share: more than
    # the channel holds (about 230 kB)

    async def run() -> tuple[list[Observation], list[str], int]:
        pool = spread.ProbeWorkers()
        await pool.start(1)
        victim = workers()[0]
        os.kill(victim, signal.SIGSTOP)
        try:
            prober = EchoProber(timeout=0.3, retries=0, processes=2, workers=pool)
            return await prober.run(probes), prober.notes, victim
        finally:
            await pool.close()

    seen, notes, victim = asyncio.run(run())
    assert len(notes) == 1 and f"PID {victim}) was still busy" in notes[0]
    assert len(seen) == len(probes) and seen[0].verdict == "reachable"
    assert workers() == []


def test_a_worker_may_open_as_many_files_as_the_hard_limit_allows() -> None:
    """A share of a thousand namespaces is more sockets than the usual soft limit of open
    files: a worker started under a low one raises it, or the sockets sent would be lost."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        pytest.skip("no hard limit on open files here")
    low = len(os.listdir("/proc/self/fd")) + 16

    async def worker_limit() -> str:
        pool = spread.ProbeWorkers()
        resource.setrlimit(resource.RLIMIT_NOFILE, (low, hard))
        try:
            await pool.start(1)
        finally:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        try:
            limits = Path(f"/proc/{workers()[0]}/limits")
            for _ in range(500):  # it raises the limit once it has started (about 0.1 s)
                line = next(x for x in limits.read_text().splitlines() if "open files" in x)
                if int(line.split()[3]) != low:
                    return line
                await asyncio.sleep(0.01)
            return line
        finally:
            await pool.close()

    assert asyncio.run(worker_limit()).split()[3:5] == [str(hard), str(hard)]
    assert workers() == []
