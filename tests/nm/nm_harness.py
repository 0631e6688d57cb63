"""A real NetworkManager for the tests, on a private bus, inside a namespace of its own.

The recipe is ../shared/test-infra.md's: a private dbus-daemon (Debian's default-deny
system-bus policy plus the distribution's system.d, which brings NetworkManager's own bus
policy), and NetworkManager started with ``ip netns exec NS unshare --uts`` over a tmpfs /run
and /var/lib/NetworkManager, a read-only /sys (with a writable one NM assumes udev and never
finishes starting) and the keyfile plugin writing to a private directory. Nothing here uses the
machine's system bus, /etc or its own network namespace; every process is stopped by its PID.

The namespace NM runs in plays "the host" for the code under test (``Target(host_netns=NS)``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

from tests.tools.private_bus import name_has_owner, write_system_bus_config

NM_CONFIG = """[main]
plugins=keyfile
no-auto-default=*
dns=none
rc-manager=unmanaged
hostname-mode=none
auth-polkit=false

[keyfile]
path={keyfile_dir}

[connectivity]
enabled=false

[logging]
level=DEBUG
domains=CORE,DEVICE,SETTINGS,PLATFORM
"""

# Inside `ip netns exec` (its own mount namespace, /sys already remounted for the namespace):
# hide the machine's /run and NM state behind private directories of the run ($1: /run's,
# kept across a restart of NM as a real /run is, so NM finds its device state again), make
# /sys read-only, then become NM.
NM_WRAPPER = (
    'mount --bind "$1" /run && shift'
    " && mount -t tmpfs -o mode=0755 none /var/lib/NetworkManager"
    " && mount -o remount,bind,ro /sys"
    ' && exec "$@"'
)

_serial = count()
REPO = Path(__file__).resolve().parents[2]
PROJECT_POLICY = REPO / "packaging" / "dbus" / "io.netwright.Backend1.conf"


def _wait(condition: Callable[[], bool], timeout: float, what: str,
          process: subprocess.Popen[bytes] | None = None, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if process is not None and process.poll() is not None:
            tail = log.read_text(errors="replace")[-4000:] if log else ""
            raise RuntimeError(f"{what}: process exited ({process.returncode})\n{tail}")
        time.sleep(0.02)
    tail = log.read_text(errors="replace")[-4000:] if log else ""
    raise TimeoutError(f"timed out after {timeout} s waiting for {what}\n{tail}")


def _stop(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """SIGTERM, wait, SIGKILL: this process only, by its PID."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout)


@dataclass
class PrivateBus:
    """A dbus-daemon configured like Debian's system bus, listening in ``run_dir``."""

    run_dir: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def socket(self) -> Path:
        return self.run_dir / "system_bus_socket"

    @property
    def address(self) -> str:
        return f"unix:path={self.socket}"

    def start(self) -> PrivateBus:
        """Start the bus; the project's own bus policy (packaging/dbus) is included, so
        netwrightd may own its name on it."""
        config, _socket = write_system_bus_config(
            self.run_dir, PROJECT_POLICY if PROJECT_POLICY.exists() else None)
        log = self.run_dir / "dbus-daemon.log"
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                ["dbus-daemon", f"--config-file={config}", "--nofork", "--nopidfile"],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )
        _wait(self.socket.exists, 10, "the private bus socket", self.process, log)
        return self

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)

    def has_owner(self, name: str) -> bool:
        return name_has_owner(self.address, name)


@dataclass
class NetworkManagerRun:
    """NetworkManager running in namespace ``netns`` on ``bus``; profiles in ``keyfile_dir``."""

    bus: PrivateBus
    netns: str
    run_dir: Path
    process: subprocess.Popen[bytes] | None = None
    extra_netns: list[str] = field(default_factory=list)

    @property
    def keyfile_dir(self) -> Path:
        return self.run_dir / "system-connections"

    @property
    def log(self) -> Path:
        return self.run_dir / "NetworkManager.log"

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "DBUS_SYSTEM_BUS_ADDRESS": self.bus.address}

    @property
    def run_state(self) -> Path:
        """What NM sees as /run: kept across ``restart`` as a real /run is (its device state
        there tells a restarted NM which profile each device it finds up has)."""
        return self.run_dir / "run"

    def start(self) -> NetworkManagerRun:
        """Start NM; again after ``stop`` it finds the profiles it kept (``restart``)."""
        self.keyfile_dir.mkdir(mode=0o700, exist_ok=True)
        self.run_state.mkdir(mode=0o755, exist_ok=True)
        conf_dir = self.run_dir / "conf.d"
        conf_dir.mkdir(exist_ok=True)
        config = self.run_dir / "NetworkManager.conf"
        config.write_text(NM_CONFIG.format(keyfile_dir=self.keyfile_dir))
        argv = [
            "NetworkManager", "--no-daemon", "--debug", f"--config={config}",
            f"--config-dir={conf_dir}", f"--system-config-dir={conf_dir}",
            f"--intern-config={self.run_dir / 'NetworkManager-intern.conf'}",
            f"--state-file={self.run_dir / 'NetworkManager.state'}",
        ]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                ["ip", "netns", "exec", self.netns, "unshare", "--uts", "--",
                 "sh", "-c", NM_WRAPPER, "nm-wrapper", str(self.run_state), *argv],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=self.env,
            )
        _wait(lambda: self.bus.has_owner("org.freedesktop.NetworkManager"), 20,
              "NetworkManager on the private bus", self.process, self.log)
        _wait(self._started, 20, "NetworkManager to finish starting", self.process, self.log)
        return self

    def _started(self) -> bool:
        result = subprocess.run(
            ["dbus-send", f"--bus={self.bus.address}", "--print-reply",
             "--dest=org.freedesktop.NetworkManager", "/org/freedesktop/NetworkManager",
             "org.freedesktop.DBus.Properties.Get", "string:org.freedesktop.NetworkManager",
             "string:Startup"],
            capture_output=True, text=True, check=False, timeout=10,
        )
        return "boolean false" in result.stdout

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)

    def restart(self) -> None:
        """Stop NM and start it again: its profiles stay, its checkpoints (kept in memory
        only) are gone, as after ``systemctl restart NetworkManager``."""
        self.stop()
        self.start()

    def reboot(self) -> None:
        """What a reboot leaves: NM's profiles on disk, no link but lo, an empty /run; then
        NM starts again (and brings back what its profiles say)."""
        self.stop()
        for name in self.links():
            if name != "lo":
                self.ip("link", "del", name, check=False)
        shutil.rmtree(self.run_state)
        self.start()

    def nmcli(self, *args: str, check: bool = True) -> str:
        """nmcli against this NM: an independent client to read state back with."""
        result = subprocess.run(["nmcli", *args], capture_output=True, text=True,
                                env=self.env, timeout=30, check=False)
        if check and result.returncode != 0:
            raise RuntimeError(f"nmcli {' '.join(args)}: {result.stderr.strip()}")
        return result.stdout

    def ip(self, *args: str, netns: str | None = None, check: bool = True) -> str:
        """`ip` inside NM's namespace (or ``netns``)."""
        return ip(*args, netns=netns or self.netns, check=check)

    def links(self) -> dict[str, dict[str, object]]:
        """The kernel's links in NM's namespace, by name (``ip -j -d link``)."""
        return {link["ifname"]: link for link in json.loads(self.ip("-j", "-d", "link"))}

    def addresses(self, name: str) -> list[str]:
        data = json.loads(self.ip("-j", "addr", "show", "dev", name))
        return [f"{a['local']}/{a['prefixlen']}" for d in data for a in d.get("addr_info", [])
                if a.get("scope") != "link"]

    def profiles(self) -> dict[str, str]:
        """id → type of every profile NM has, as nmcli reports it."""
        out = self.nmcli("-t", "-f", "NAME,TYPE", "connection", "show")
        rows = [line.rsplit(":", 1) for line in out.splitlines() if line]
        return {name.replace("\\:", ":"): kind for name, kind in rows}

    def device_state(self, name: str) -> str:
        out = self.nmcli("-t", "-f", "DEVICE,STATE", "device", "status")
        for line in out.splitlines():
            device, _, state = line.partition(":")
            if device == name:
                return state
        return "absent"

    def wait_for(self, condition: Callable[[], bool], what: str, timeout: float = 15) -> None:
        _wait(condition, timeout, what, self.process, self.log)


def ip(*args: str, netns: str | None = None, check: bool = True) -> str:
    argv = ["ip", *(["-n", netns] if netns else []), *args]
    result = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=30)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {result.stderr.strip()}")
    return result.stdout


def new_netns(stem: str = "nwnm") -> str:
    name = f"{stem}{os.getpid() % 100000}-{next(_serial)}"
    ip("netns", "add", name)
    ip("link", "set", "lo", "up", netns=name)
    return name


def delete_netns(name: str) -> None:
    ip("netns", "del", name, check=False)


#: the prefix of the namespaces an engine on the harness's host makes (designs.harness_engine)
ENGINE_NETNS_PREFIX = "nme-"


@dataclass
class Harness:
    """One private bus + one NetworkManager in a fresh namespace; ``close`` undoes it all."""

    run_dir: Path
    bus: PrivateBus
    nm: NetworkManagerRun

    @classmethod
    def start(cls, keep_logs: bool = False) -> Harness:
        run_dir = Path(tempfile.mkdtemp(prefix="netwright-nm-"))
        run_dir.chmod(0o755)
        bus = PrivateBus(run_dir).start()
        netns = new_netns()
        nm_dir = run_dir / "nm"
        nm_dir.mkdir()
        try:
            nm = NetworkManagerRun(bus, netns, nm_dir).start()
        except BaseException:
            bus.stop()
            delete_netns(netns)
            raise
        return cls(run_dir, bus, nm)

    def close(self, keep_logs: bool = False) -> None:
        self.nm.stop()
        self.bus.stop()
        delete_netns(self.nm.netns)
        for extra in self.nm.extra_netns:
            delete_netns(extra)
        # a test that stopped NetworkManager mid-trial cannot destroy what its engine made
        run_netns = Path("/run/netns")
        for made in sorted(run_netns.glob(f"{ENGINE_NETNS_PREFIX}*")) if run_netns.is_dir() else []:
            delete_netns(made.name)
        if not keep_logs:
            shutil.rmtree(self.run_dir, ignore_errors=True)


def require_tools(tools: Sequence[str]) -> str | None:
    """The first missing tool, if any (the caller skips with a sentence naming it)."""
    for tool in tools:
        if shutil.which(tool) is None:
            return tool
    return None


@contextlib.contextmanager
def netwrightd_on(harness: Harness, state_dir: Path,
                  log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """netwrightd as root in NetworkManager's namespace, on the harness's private bus, without
    polkit (``--no-polkit`` is allowed only on a private bus address; only root reaches it)."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["ip", "netns", "exec", harness.nm.netns, sys.executable, "-m",
             "netwright.backend.service.daemon", "--state-dir", str(state_dir),
             "--bus", harness.bus.address, "--no-polkit"],
            env=harness.nm.env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
        try:
            harness.nm.wait_for(lambda: harness.bus.has_owner("io.netwright.Backend1"),
                                "netwrightd on the bus", timeout=30)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
