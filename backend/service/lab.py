"""``netwrightd --lab``: a private backend for one ordinary user, with no root and no polkit.

The launcher (running as the user) makes a private directory, starts a dbus-daemon listening
only there, then enters a new user + network + mount namespace itself (as ``unshare --user
--map-root-user --net --mount`` would): root of its own user namespace, with a network
namespace and a /run/netns nobody else sees.
There it builds the lab host (emulated uplink, router, outside address) and serves the same
API as the system daemon. Clients find the bus at ``lab_address()``; the directory is 0700,
so only this user can reach it, which is why the lab asks no polkit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from netwright.backend.dhcp import processes
from netwright.backend.parent_death import die_with_parent
from netwright.backend.service.lab_log import bound_lab_log
from netwright.backend.service.lab_pids import run_in_pid_namespace
from netwright.backend.service.labdir import LabUnavailableError, lab_address, lab_dir
from netwright.backend.service.namespaces import (
    enter_lab_namespaces,
    mount_tmpfs,
    probe_pid_namespace,
    probe_user_namespaces,
)
from netwright.backend.service.rootdir import chroot_evidence

_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <!-- The lab's private bus: its socket is in a 0700 directory of one user. -->
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def user_namespace_problem() -> str | None:
    """None if unprivileged user namespaces work; else what forbids them and how to allow it."""
    error = probe_user_namespaces()
    if error is None:
        return None
    hints = []
    if _sysctl("kernel/unprivileged_userns_clone") == "0":
        hints.append("this kernel forbids unprivileged user namespaces"
                     " (kernel.unprivileged_userns_clone = 0); allow them with:"
                     " sudo sysctl -w kernel.unprivileged_userns_clone=1")
    if _sysctl("user/max_user_namespaces") == "0":
        hints.append("user namespaces are switched off (user.max_user_namespaces = 0);"
                     " allow them with: sudo sysctl -w user.max_user_namespaces=15000")
    if _sysctl("kernel/apparmor_restrict_unprivileged_userns") == "1":
        hints.append("AppArmor restricts unprivileged user namespaces"
                     " (kernel.apparmor_restrict_unprivileged_userns = 1, as on Ubuntu 24.04);"
                     " install the netwright-lab AppArmor profile shipped with Netwright"
                     " (/etc/apparmor.d/netwright-lab, then: sudo apparmor_parser -r"
                     " /etc/apparmor.d/netwright-lab), or allow them for every program with:"
                     " sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0")
    chrooted = chroot_evidence()
    if chrooted is not None:
        hints.append(f"this process runs under chroot ({chrooted}), and the kernel refuses new"
                     " user namespaces to a chrooted process; run the lab outside the chroot,"
                     " or enter that root the way switch_root or pivot_root do (mount --move"
                     " NEWROOT / then chroot .) instead of a plain chroot")
    advice = "; ".join(hints) or "the kernel or a security module forbids them"
    return (f"the lab cannot start: unprivileged user namespaces are not available"
            f" ({error.strerror}); {advice}. Or use the system backend (netwrightd, installed"
            " with Netwright's package) instead.")


def _sysctl(name: str) -> str | None:
    try:
        return Path("/proc/sys", name).read_text().strip()
    except OSError:
        return None


def run_lab_launcher(args: argparse.Namespace) -> int:
    """Start the lab's bus, enter the lab's namespaces and serve there until SIGTERM."""
    # a SIGTERM before the backend serves (the bus starting, the modules loading) is kept for
    # it, so it stops cleanly once up instead of dying with its helpers left running
    early: list[str] = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda number, _frame: early.append(signal.Signals(number).name))
    try:
        directory = lab_dir()
    except LabUnavailableError as exc:
        print(f"netwrightd: {exc}", file=sys.stderr)
        return 1
    lock = (directory / "lock").open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"netwrightd: a lab is already running ({lab_address(directory)})", file=sys.stderr)
        return 1
    bound_lab_log(directory / "lab.log")  # only the lab holding the lock may rotate it
    problem = user_namespace_problem()
    if problem is not None:
        print(f"netwrightd: {problem}", file=sys.stderr)
        return 1
    socket = directory / "bus"
    socket.unlink(missing_ok=True)
    config = directory / "bus.conf"
    config.write_text(_BUS_CONFIG.format(socket=socket))
    state_dir = Path(args.state_dir) if args.state_dir else directory / "state"
    # a lab killed with SIGKILL by a Netwright without the lab's PID namespace (or where it
    # cannot have one) could not stop its helpers (dnsmasq, the DHCP clients, its bus), which
    # keep its namespaces alive: end exactly those it recorded, by PID
    for leftovers in {directory, state_dir}:
        processes.end_recorded(leftovers)
    shutil.rmtree(state_dir, ignore_errors=True)  # the lab's kernel state died with its last run
    pid_problem = probe_pid_namespace()
    if pid_problem is not None:
        print("netwrightd: this lab runs without a PID namespace of its own"
              f" ({pid_problem.strerror}): if it is killed with SIGKILL, its helpers"
              " (dnsmasq, DHCP clients) keep running until the next lab starts",
              file=sys.stderr)
    bus_argv = ["dbus-daemon", f"--config-file={config}", "--nofork", "--nopidfile"]
    bus = _start_bus(bus_argv)
    processes.adopt(directory / f"bus{processes.RECORD_SUFFIX}", bus.pid, bus_argv)
    pid_file = directory / "pid"
    try:
        _wait_for(socket, bus)
        inner = argparse.Namespace(**{**vars(args), "lab_inner": True, "stop_requested": early,
                                      "bus": lab_address(directory), "state_dir": state_dir})
        if pid_problem is None:  # see lab_pids.py
            enter_lab_namespaces(pids=True)
            code = run_in_pid_namespace(lambda: _serve(inner), early,
                                        lambda pid: pid_file.write_text(f"{pid}\n"))
        else:  # the backend is this process
            pid_file.write_text(f"{os.getpid()}\n")
            enter_lab_namespaces()
            code = _serve(inner)
        if code == 0:  # its helpers are stopped; what it recorded died with its namespaces
            shutil.rmtree(state_dir, ignore_errors=True)
        return code
    finally:
        pid_file.unlink(missing_ok=True)
        if bus.poll() is None:
            bus.terminate()
            try:
                bus.wait(5)
            except subprocess.TimeoutExpired:
                bus.kill()
        socket.unlink(missing_ok=True)


def _start_bus(argv: list[str]) -> subprocess.Popen[bytes]:
    """The lab's dbus-daemon, which the kernel stops when this process dies (it starts the bus
    from its main thread, the only one it has then and the last to end)."""
    launcher = os.getpid()

    def bound_to_launcher() -> None:
        if not die_with_parent(launcher, signal.SIGTERM):  # it died before this
            os._exit(1)

    return subprocess.Popen(argv, stdin=subprocess.DEVNULL,  # single-threaded here
                            preexec_fn=bound_to_launcher)  # noqa: PLW1509


def _serve(inner: argparse.Namespace) -> int:
    """The backend itself, inside the lab's namespaces: serve until stopped."""
    from netwright.backend.service.daemon import serve

    return asyncio.run(serve(inner))


def running_lab_pid(directory: Path | None = None) -> int | None:
    """The PID of this user's running lab, if there is one."""
    try:
        pid = int(((directory or lab_dir()) / "pid").read_text().strip())
    except (OSError, ValueError, LabUnavailableError):
        return None
    return pid if is_lab_process(pid) else None


def is_lab_process(pid: int) -> bool:
    """True if ``pid`` is a lab netwrightd, not another process that got a stale file's PID."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    program = any(a.endswith((b"netwrightd", b"netwright.backend.service.daemon")) for a in argv)
    return program and b"--lab" in argv


def stop_running_lab(directory: Path | None = None, timeout: float = 60.0) -> bool:
    """Stop this user's lab (SIGTERM: it cancels its jobs and stops its helpers; its
    namespaces, and everything deployed in them, go with it) and wait until it has exited.
    False if no lab was running."""
    pid = running_lab_pid(directory)
    if pid is None:
        return False
    lab = lab_processes(pid)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not all(processes.exited(p) for p in lab):
        time.sleep(0.05)
    for each in lab:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(each, os.WNOHANG)  # a lab this process started (the designer's) is reaped
    reaped = time.monotonic() + 2  # any other exited lab is a zombie until init reaps it
    while time.monotonic() < reaped and Path(f"/proc/{pid}").exists():
        time.sleep(0.02)  # (an exited launcher has let go of the lock: no need to wait more)
    return True


def lab_processes(pid: int) -> list[int]:
    """The lab backend ``pid`` and, when it runs in the lab's PID namespace, the namespace's
    init and the launcher above it (lab_pids.py): the launcher holds the lab's lock until it
    has cleaned up, so a lab is gone only once all of them are."""
    found = [pid]
    while len(found) < 3:
        try:
            parent = int(Path(f"/proc/{found[-1]}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            break
        if not is_lab_process(parent):
            break
        found.append(parent)
    return found


def lab_unit(pid: int) -> str | None:
    """The transient systemd user unit the lab process ``pid`` runs in (from its cgroup:
    ``…/user@1000.service/app.slice/netwright-lab.service``), if it runs in one."""
    try:
        lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        path = line.split(":", 2)[-1]
        last = path.rstrip("/").rsplit("/", 1)[-1]
        if last.startswith("netwright-lab") and last.endswith(".service"):
            return last  # the transient unit lab_start.py names
    return None


def lab_idle_seconds(pid: int) -> float:
    """The idle time the lab process ``pid`` was started with (its --idle-exit, else its
    $NETWRIGHT_LAB_IDLE_SECONDS, else the default), read from /proc."""
    from netwright.backend.service.idle import IDLE_ENV, idle_seconds

    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
        environ = Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace")
    except OSError:
        return idle_seconds(None)
    text = next((argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--idle-exit"), None)
    if text is None:
        text = next((e.split("=", 1)[1] for e in environ.split("\0")
                     if e.startswith(IDLE_ENV + "=")), None)
    return idle_seconds(text)


def lab_started_at(directory: Path | None = None) -> float | None:
    """When the running lab became ready (its pid file's time), Unix time."""
    try:
        return ((directory or lab_dir()) / "pid").stat().st_mtime
    except (OSError, LabUnavailableError):
        return None


def _wait_for(socket: Path, bus: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 10
    while not socket.exists():
        if bus.poll() is not None or time.monotonic() > deadline:
            raise LabUnavailableError("the lab's private dbus-daemon did not start")
        time.sleep(0.02)


def prepare_inner() -> None:
    """Inside the lab's namespaces: a private, empty /run/netns for the lab's namespaces.

    Called after the bus connection is open, because mounting over /run may hide the bus
    socket's directory ($XDG_RUNTIME_DIR is usually under /run).
    """
    if Path("/run/netns").is_dir():
        mount_tmpfs("/run/netns")
    else:
        mount_tmpfs("/run")
        Path("/run/netns").mkdir(mode=0o755)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=False, capture_output=True)


__all__ = ["lab_address", "lab_dir", "lab_idle_seconds", "lab_started_at", "lab_unit",
           "run_lab_launcher", "running_lab_pid", "stop_running_lab", "user_namespace_problem"]
