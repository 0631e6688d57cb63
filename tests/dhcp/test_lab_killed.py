"""A lab that cannot have a PID namespace of its own, killed with SIGKILL, leaves no helper
behind once the next lab starts.

``netwrightd --lab`` runs dnsmasq and the udhcpc clients inside its private namespaces. In its
own PID namespace (lab_pids.py; tests/service/test_lab_sigkill.py) they die with it; where the
kernel refuses that namespace its /proc (a /proc partly hidden by a mount, as in some
containers), a SIGKILL gives the lab no chance to stop them, and they keep the dead lab's
namespaces alive. The next lab start ends exactly the helpers its records name (PID, start
time, command line) — the test checks those recorded processes, never a process name.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from netwright.backend.client.connecting import connect_lab
from netwright.backend.dhcp import processes
from netwright.backend.service.errors import BackendUnavailableError
from netwright.backend.service.lab import lab_processes, running_lab_pid
from tests.dhcp.conftest import LAB_TWO_MACVLANS, ROOT
from tests.tools.proc_scan import naming


def _children(pid: int) -> list[int]:
    """PIDs whose parent is ``pid`` (the lab's own dbus-daemon)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(stat[1]) == pid:
                    out.append(int(entry.name))
    return out


class Labs:
    """The lab daemons this test starts, and what they start, stopped by PID at the end."""

    def __init__(self, runtime: Path) -> None:
        self.runtime = runtime
        self.started: list[subprocess.Popen[bytes]] = []
        self.buses: list[int] = []
        self.helpers: list[processes.Helper] = []

    def start(self, *, hidden_proc: bool = False) -> subprocess.Popen[bytes]:
        """A lab; ``hidden_proc``: in a mount namespace whose /proc/driver is covered, where
        the kernel refuses the lab a /proc of its own PID namespace."""
        argv = [sys.executable, "-m", "netwright.backend.service.daemon", "--lab"]
        if hidden_proc:
            argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                    'mount -t tmpfs hide /proc/driver && exec "$@"', "sh", *argv]
        with (self.runtime / "lab.err").open("ab") as err:
            lab = subprocess.Popen(argv, cwd=ROOT,
                                   env={**os.environ, "XDG_RUNTIME_DIR": str(self.runtime)},
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=err, start_new_session=True)
        self.started.append(lab)
        deadline = time.monotonic() + 30
        directory = self.runtime / "netwright-lab"
        while lab.pid not in lab_processes(running_lab_pid(directory) or 0) or not (
                directory / "bus").exists():
            assert lab.poll() is None and time.monotonic() < deadline, "the lab did not start"
            time.sleep(0.05)
        self.buses += _children(lab.pid)
        return lab

    def recorded(self) -> list[processes.Helper]:
        """The live helpers recorded by the lab: its bus, dnsmasq, the DHCP clients."""
        found = [h for r in processes.records_under(self.runtime / "netwright-lab")
                 if (h := processes.recorded(r)) is not None]
        self.helpers += found
        return found

    def stop(self) -> None:
        for lab in self.started:
            if lab.poll() is None:
                lab.send_signal(signal.SIGTERM)
                lab.wait(30)
        processes.stop([h for h in self.helpers if processes.alive(h)])
        for pid in self.buses:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def labs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Labs]:
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    rig = Labs(runtime)
    yield rig
    rig.stop()


async def _apply(text: str) -> list[str]:
    deadline = time.monotonic() + 30
    while True:  # the lab's bus is up before its backend owns its name on it
        try:
            client = await connect_lab(start=False)
            break
        except BackendUnavailableError:
            assert time.monotonic() < deadline, "the lab backend never answered"
            await asyncio.sleep(0.1)
    try:
        await client.apply(text)
        return await client.deployments()
    finally:
        client.close()


def test_the_next_lab_ends_the_helpers_a_killed_lab_left(labs: Labs) -> None:
    first = labs.start(hidden_proc=True)
    assert "this lab runs without a PID namespace of its own (Operation not permitted): if it" \
        " is killed with SIGKILL, its helpers (dnsmasq, DHCP clients) keep running until the" \
        " next lab starts" in (labs.runtime / "lab.err").read_text()
    assert asyncio.run(_apply(LAB_TWO_MACVLANS)) == ["dhcplab"]
    left = labs.recorded()
    assert len(left) == 4  # the lab's bus, the router's dnsmasq, one udhcpc per interface
    first.send_signal(signal.SIGKILL)
    first.wait()
    bus = [h for h in left if h.argv[0] == "dbus-daemon"]
    deadline = time.monotonic() + 5
    while bus and processes.alive(bus[0]):  # the kernel ends the bus with its lab
        assert time.monotonic() < deadline, "the lab's bus outlived it"
        time.sleep(0.02)
    left = [h for h in left if h not in bus]
    assert len(bus) == 1 and all(processes.alive(h) for h in left)  # orphans: nothing stopped them

    labs.start()
    assert not [h for h in left if processes.alive(h)]
    # the new lab's own bus (and, once its host is built, the dnsmasq behind its default NIC)
    fresh = labs.recorded()
    assert 1 <= len(fresh) <= 2 and not {h.pid for h in fresh} & {h.pid for h in left}


def test_a_lab_stopped_while_it_starts_ends_cleanly_and_leaves_no_helper(labs: Labs) -> None:
    """SIGTERM as soon as the lab's bus is up, while the backend loads and builds the lab
    host (the router's dnsmasq): it stops once up, helpers first, and exits cleanly."""
    lab = labs.start()
    lab.send_signal(signal.SIGTERM)
    assert lab.wait(60) == 0
    assert [b" ".join(argv).decode() for _pid, argv in naming(labs.runtime)] == []
