"""A lab started on demand does not outlive everyone who used it (issue #22).

Each test gives the user a private $XDG_RUNTIME_DIR (so its lab is this test's alone) and a
short idle time (NETWRIGHT_LAB_IDLE_SECONDS), starts the lab the way a user does (a command
that falls back to the lab, or ``--lab``), and reads what runs from /proc: the lab daemon
and every helper whose command line names the lab's directory (its dbus-daemon, the lab
router's dnsmasq, DHCP clients).

The test machines run no systemd: the plain-process tests see the lab start as a process;
the unit tests start a real ``systemd --user`` for the test user (svc_user_manager), under
which the same commands start the lab as the transient unit netwright-lab.service.
"""

from __future__ import annotations

import fcntl
import json
import os
import pwd
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from svc_cli import NETWRIGHT, as_user, as_user_background, user_argv
from svc_daemon import PYTHON
from svc_lab import PrivateLab, lab_pid, wait_logged
from svc_polkit import USER_ALLOWED
from svc_user_manager import UserManager

from netwright.backend.client import lab_start
from netwright.backend.service.lab import lab_processes as lab_tree
from tests.tools.proc_scan import naming

SEED_FILE = Path(__file__).parent / "data" / "seed-macvlan.yaml"
IDLE = 1.0  # seconds: short, so the waits for it are; the lab polls every IDLE / 4

HOLD_A_CONNECTION = """
import asyncio, sys
from netwright.backend.client import connect_lab
async def main():
    client = await connect_lab()
    print("connected", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    print(len(await client.deployments()), flush=True)
    client.close()
asyncio.run(main())
"""
# what the lab logs when its idle check finds it must stay (idle.py), once per reason
HOLDING_SEED = f"no client for {IDLE:.0f} s, but holding deployment seed: staying"
ONE_CLIENT = f"1 client connected for over {IDLE:.0f} s: staying until it leaves"


@pytest.fixture
def lab(users: dict[str, str]) -> Iterator[PrivateLab]:
    private = PrivateLab(USER_ALLOWED)
    private.env["NETWRIGHT_LAB_IDLE_SECONDS"] = str(IDLE)
    yield private
    private.close()


def lab_processes(lab: PrivateLab | UserManager) -> set[int]:
    """The lab daemon (with its PID namespace's init and its launcher) and every process
    whose command line names the lab's directory."""
    found = {pid for pid, _argv in naming(lab.runtime / "netwright-lab")}
    pid = lab_pid(USER_ALLOWED, lab.runtime / "netwright-lab")
    return found | (set(lab_tree(pid)) if pid else set())


def wait_gone(pids: set[int], timeout: float) -> float:
    started = time.monotonic()
    while any(Path(f"/proc/{pid}").exists() for pid in pids):
        assert time.monotonic() - started < timeout, f"still running: {pids}"
        time.sleep(0.1)
    return time.monotonic() - started


def stays_running(now: Callable[[], object], running: object, until: float) -> None:
    """Assert ``now()`` stays ``running`` (the lab's pid, its unit's state) until ``until``
    (monotonic): the lab that said it stays does not stop at a later idle check."""
    while True:
        assert now() == running, "the lab stopped by itself after it said it stays"
        if time.monotonic() >= until:
            return
        time.sleep(0.2)


def test_an_empty_lab_a_command_fell_back_to_stops_once_nobody_uses_it(lab) -> None:
    listed = as_user(lab.user, [NETWRIGHT, "list", "--json"], env=lab.env)  # no system bus
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == {"deployments": [], "target": "lab", "sources": {}}
    running = lab_processes(lab)
    assert lab.pid() in running and len(running) >= 3, running  # daemon, bus, dnsmasq

    took = wait_gone(running, IDLE + 15)
    assert took >= IDLE * 0.5, "it stopped before the idle time"
    assert not (lab.directory / "bus").exists() and not (lab.directory / "state").exists()
    log = (lab.directory / "lab.log").read_text()
    assert f"no client for {IDLE:.0f} s and nothing deployed: the lab stops" in log
    assert "Traceback" not in log
    print(f"gone {took:.1f} s after the command (idle time {IDLE:.0f} s)")


def test_a_connected_client_keeps_an_empty_lab_until_it_leaves(lab) -> None:
    """The designer holds its connection while it runs: the lab waits for it to quit."""
    holder = subprocess.Popen(user_argv(lab.user, [PYTHON, "-c", HOLD_A_CONNECTION],
                                        env=lab.env),
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd="/")
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "connected\n"
        wait_logged(lab.directory / "lab.log", ONE_CLIENT, IDLE + 15)
        assert lab.pid() is not None, "the lab stopped under a connected client"
    finally:
        out, err = holder.communicate("\n", timeout=60)  # the client leaves
    assert holder.returncode == 0 and out.split() == ["0"], err
    running = lab_processes(lab)
    assert lab.pid() is not None, "the lab stopped under a connected client"
    wait_gone(running, IDLE + 15)
    log = (lab.directory / "lab.log").read_text()
    assert log.count(ONE_CLIENT) == 1, log


def test_a_lab_holding_a_deployment_keeps_running_and_says_what_it_holds(lab) -> None:
    applied = as_user(lab.user, [NETWRIGHT, "apply", "--lab", "--yes", str(SEED_FILE)],
                      env=lab.env)
    assert applied.returncode == 0, applied.stderr
    applied_at = time.monotonic()
    pid = lab.pid()
    assert pid is not None
    wait_logged(lab.directory / "lab.log", HOLDING_SEED, IDLE + 15)
    assert lab.pid() == pid, "a lab holding seed stopped by itself"
    # as long as before (IDLE * 2 + 1 after the apply), and past the next idle check
    stays_running(lab.pid, pid, until=max(applied_at + IDLE * 2 + 1,
                                          time.monotonic() + IDLE + 0.5))
    log = (lab.directory / "lab.log").read_text()
    assert log.count(HOLDING_SEED) == 1, log  # the next idle check decided the same silently
    status = as_user(lab.user, [NETWRIGHT, "lab", "status"], env=lab.env)
    assert status.returncode == 0, status.stderr
    assert f"the lab is running (pid {pid}, since " in status.stdout
    assert "as a plain process (no systemd user manager answered" in status.stdout
    assert f"  seed  deployed from {SEED_FILE} by {lab.user}, last applied " in status.stdout, \
        status.stdout
    running = lab_processes(lab)
    stopped = as_user(lab.user, [NETWRIGHT, "lab", "stop"], env=lab.env)
    assert stopped.returncode == 0, stopped.stderr
    assert stopped.stdout == "the lab is stopped; it held seed, which ended with it\n", \
        stopped.stdout  # what went with it (it said only "the lab is stopped")
    wait_gone(running, 30)


def test_an_empty_lab_says_when_it_stops(lab) -> None:
    started = as_user(lab.user, [NETWRIGHT, "lab", "start"], env=lab.env)
    assert started.returncode == 0, started.stderr
    assert f"stops by itself {IDLE:.0f} s after its last client leaves" in started.stdout
    status = as_user(lab.user, [NETWRIGHT, "lab", "status"], env=lab.env)
    assert f"it holds nothing and stops by itself {IDLE:.0f} s" in status.stdout, status.stdout


# -- the systemd user unit path ----------------------------------------------------------------

@pytest.fixture
def manager(users: dict[str, str]) -> Iterator[UserManager]:
    started = UserManager(USER_ALLOWED)
    yield started
    lab = started.runtime / "netwright-lab"
    if lab_pid(USER_ALLOWED, lab) is not None:
        as_user(USER_ALLOWED, [NETWRIGHT, "lab", "stop"], env=started.env)
    started.stop()


def unit_state(manager: UserManager) -> str:
    return manager.systemctl("is-active", "netwright-lab.service").strip()


def test_under_a_user_manager_the_lab_is_a_unit_that_goes_when_idle(manager) -> None:
    env = {**manager.env, "NETWRIGHT_LAB_IDLE_SECONDS": str(IDLE)}
    started = as_user(USER_ALLOWED, [NETWRIGHT, "lab", "start"], env=env)
    assert started.returncode == 0, started.stderr
    pid = lab_pid(USER_ALLOWED, manager.runtime / "netwright-lab")
    assert pid is not None
    # the unit's main process is the lab's launcher, above the backend's PID namespace
    assert manager.systemctl("show", "netwright-lab.service", "--property=MainPID",
                             "--value").strip() == str(lab_tree(pid)[-1])
    assert Path(f"/proc/{pid}/cgroup").read_text().rstrip().endswith(
        "/app.slice/netwright-lab.service")
    status = as_user(USER_ALLOWED, [NETWRIGHT, "lab", "status"], env=env)
    assert "as the systemd user unit netwright-lab.service" in status.stdout, status.stdout
    running = lab_processes(manager)
    assert len(running) >= 3, running  # the daemon, its bus, dnsmasq: all in the unit
    wait_gone(running, IDLE + 20)
    assert unit_state(manager) in ("inactive", "unknown"), "the unit outlived its lab"


def test_systemctl_stop_ends_a_lab_unit_that_holds_a_deployment(manager) -> None:
    env = {**manager.env, "NETWRIGHT_LAB_IDLE_SECONDS": str(IDLE)}
    applied = as_user(USER_ALLOWED, [NETWRIGHT, "apply", "--lab", "--yes", str(SEED_FILE)],
                      env=env)
    assert applied.returncode == 0, applied.stderr
    applied_at = time.monotonic()
    running = lab_processes(manager)
    wait_logged(manager.runtime / "netwright-lab" / "lab.log", HOLDING_SEED, IDLE + 15)
    assert unit_state(manager) == "active", "a lab unit holding seed stopped by itself"
    stays_running(lambda: unit_state(manager), "active", until=max(
        applied_at + IDLE * 2 + 1, time.monotonic() + IDLE + 0.5))
    manager.systemctl("stop", "netwright-lab.service")
    wait_gone(running, 30)
    log = (manager.runtime / "netwright-lab" / "lab.log").read_text()
    assert "stopping on SIGTERM" in log and "stopped" in log  # the lab stopped its helpers


def test_without_a_user_manager_the_lab_is_a_plain_process() -> None:
    """This machine has systemctl but no systemd running: no unit is attempted."""
    assert lab_start.user_manager_answers() is False
    assert lab_start.user_manager_answers({"PATH": "/nonexistent"}) is False
    assert lab_start.user_manager_answers({"NETWRIGHT_LAB_NO_UNIT": "1",
                                           "PATH": "/usr/bin:/bin"}) is False


def test_the_unit_command_line() -> None:
    env = {"XDG_RUNTIME_DIR": "/run/user/1000", "PATH": "/usr/bin:/bin", "HOME": "/home/u",
           "NETWRIGHT_LAB_IDLE_SECONDS": "30", "DISPLAY": ":0"}
    argv = lab_start.unit_command(Path("/run/user/1000/netwright-lab"), env)
    assert argv[:3] == ["systemd-run", "--user", "--unit=netwright-lab.service"]
    split = argv.index("--")
    options, command = argv[:split], argv[split + 1:]
    assert command == lab_start.lab_command() and command[-1] == "--lab"
    assert {"--collect", "--property=KillMode=mixed",
            "--property=StandardOutput=append:/run/user/1000/netwright-lab/lab.log",
            "--setenv=NETWRIGHT_LAB_IDLE_SECONDS=30", "--setenv=PATH=/usr/bin:/bin",
            "--setenv=XDG_RUNTIME_DIR=/run/user/1000"} <= set(options)
    assert not any("DISPLAY" in o or "HOME" in o for o in options)
    other = lab_start.unit_name(Path("/tmp/netwright-lab-1000"), env)
    assert other.startswith("netwright-lab-") and other.endswith(".service")
    assert other != "netwright-lab.service"


def test_a_command_arriving_while_a_lab_stops_gets_a_new_lab(lab) -> None:
    """A lab stopping on idle holds its lock until it has exited; a command that starts a lab
    meanwhile sees "a lab is already running", waits for the lock and starts a fresh one.
    The test holds the lab's lock itself, as such a lab would, until the command has met it."""
    uid = pwd.getpwnam(lab.user).pw_uid
    lab.directory.mkdir(mode=0o700)
    os.chown(lab.directory, uid, uid)
    lock_path = lab.directory / "lock"
    lock_path.touch()
    os.chown(lock_path, uid, uid)
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        command = as_user_background(lab.user, [NETWRIGHT, "list", "--lab", "--json"], lab.env)
        log = lab.directory / "lab.log"
        deadline = time.monotonic() + 60
        while not log.exists() or "a lab is already running" not in log.read_text():
            assert command.poll() is None, command.communicate()
            assert time.monotonic() < deadline, "the command never tried to start a lab"
            time.sleep(0.1)
        time.sleep(1)
        assert command.poll() is None, command.communicate()  # it waits for the lock
    out, err = command.communicate(timeout=90)
    assert command.returncode == 0, err
    assert json.loads(out) == {"deployments": [], "target": "lab", "sources": {}}


@pytest.fixture
def steady_lab(users: dict[str, str]) -> Iterator[PrivateLab]:
    """A private lab with the default idle time (it does not stop by itself meanwhile)."""
    private = PrivateLab(USER_ALLOWED)
    yield private
    private.close()


def test_a_lab_whose_bus_is_gone_is_not_called_not_running(steady_lab) -> None:
    """A running lab process whose bus socket went (a /tmp cleaner): status names the
    process and what to do, not "no lab is running", and lab stop still stops it."""
    started = as_user(steady_lab.user, [NETWRIGHT, "lab", "start"], env=steady_lab.env)
    assert started.returncode == 0, started.stderr
    pid = steady_lab.pid()
    (steady_lab.directory / "bus").unlink()
    status = as_user(steady_lab.user, [NETWRIGHT, "lab", "status"], env=steady_lab.env)
    assert status.returncode == 1, status.stderr
    assert status.stdout.startswith(f"the lab process (pid {pid}) is running, but its bus ("
                                    f"{steady_lab.directory / 'bus'}) does not answer"), \
        status.stdout
    stopped = as_user(steady_lab.user, [NETWRIGHT, "lab", "stop"], env=steady_lab.env)
    assert stopped.returncode == 0 and stopped.stdout == "the lab is stopped\n", stopped
    assert steady_lab.pid() is None


def test_a_lab_that_does_not_stop_in_time_is_not_called_stopped(steady_lab) -> None:
    """lab stop of a lab that has not ended within --wait (here: held stopped) says it still
    runs, with its pid, and exits 1; let go, it ends by the SIGTERM it was sent."""
    started = as_user(steady_lab.user, [NETWRIGHT, "lab", "start"], env=steady_lab.env)
    assert started.returncode == 0, started.stderr
    pid = steady_lab.pid()
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    try:
        stopped = as_user(steady_lab.user, [NETWRIGHT, "lab", "stop", "--wait", "0.5"],
                          env=steady_lab.env)
    finally:
        os.kill(pid, signal.SIGCONT)
    assert stopped.returncode == 1, stopped
    assert stopped.stdout.startswith(f"the lab (pid {pid}) was asked to stop but still runs"
                                     " after 0.5 s"), stopped.stdout
    wait_gone({pid}, 30)
