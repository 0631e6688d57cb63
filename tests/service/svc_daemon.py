"""netwrightd as root in a network + mount namespace of its own, and its kernel read back.

A holder process (``sleep``) keeps the namespace alive, with a private /run/netns, so the
daemon can be killed (SIGTERM, SIGKILL) and started again in the same place, as systemd would
restart it on the same host. Tests read the namespace's state with iproute2 through nsenter:
what the kernel says, not what the daemon believes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from svc_bus import REPO, name_has_owner
from svc_processes import Started, start, wait_until

PYTHON = str(REPO / ".venv" / "bin" / "python")
BUS_NAME = "io.netwright.Backend1"
LAB_HOST = "nwlab-host"  # the host netwrightd --target lab manages, a namespace of the host

_HOLD = ("mount -t tmpfs -o mode=0755 netwright-svc-netns /run/netns && ip link set lo up"
         " && exec sleep 1000000")


@dataclass
class Host:
    """The daemon's own network namespace (the "host" it manages), kept by a holder."""

    holder: Started
    run_dir: Path

    @property
    def pid(self) -> int:
        return self.holder.pid

    def run(self, *argv: str, check: bool = True) -> str:
        """Run a command in the host namespace (net and mount), return its stdout."""
        result = subprocess.run(
            ["nsenter", f"--target={self.pid}", "--net", "--mount", "--root", "--wd", "--",
             *argv],
            capture_output=True, text=True, check=False, timeout=30,
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"{argv} failed: {result.stderr.strip()}")
        return result.stdout

    def netns(self) -> list[str]:
        return sorted(self.run("ls", "/run/netns").split())

    def links(self, netns: str | None = None) -> dict[str, dict[str, object]]:
        """Interfaces by name with kind, alias, state and addresses (``ip -j -d addr``)."""
        prefix = ["ip", "-n", netns] if netns else ["ip"]
        data = json.loads(self.run(*prefix, "-j", "-d", "address", "show") or "[]")
        links: dict[str, dict[str, object]] = {}
        for link in data:
            links[link["ifname"]] = {
                "kind": (link.get("linkinfo") or {}).get("info_kind", ""),
                "alias": link.get("ifalias", ""),
                "up": "UP" in link.get("flags", []),
                "addresses": sorted(f"{a['local']}/{a['prefixlen']}"
                                    for a in link.get("addr_info", [])
                                    if a.get("scope") != "link"),
            }
        return links

    def host_settings(self) -> dict[str, str]:
        """The settings of the managed host (the lab's host namespace, see ``LAB_HOST``) that
        change the whole machine: its forwarding sysctls and its nftables ruleset."""
        exec_in = ["ip", "netns", "exec", LAB_HOST]
        return {
            "forwarding": self.run(*exec_in, "sysctl", "-n", "net.ipv4.ip_forward",
                                   "net.ipv6.conf.all.forwarding"),
            "ruleset": self.run(*exec_in, "nft", "list", "ruleset"),
        }

    def snapshot(self) -> dict[str, object]:
        """Everything a topology could have changed: namespaces and their interfaces, and
        (once the lab's host exists) the managed host's forwarding and nftables rules."""
        netns = self.netns()
        return {
            "netns": netns,
            "links": {name: self.links(name if name != "-" else None)
                      for name in ["-", *netns]},
            "host": self.host_settings() if LAB_HOST in netns else {},
        }


def start_host(run_dir: Path) -> Host:
    holder = start("netns-holder", ["unshare", "--net", "--mount", "--propagation", "private",
                                    "--", "sh", "-c", _HOLD], run_dir)
    host = Host(holder, run_dir)
    wait_until(lambda: _mounted(host), 10, "the host namespace", holder)
    return host


def _mounted(host: Host) -> bool:
    try:
        return "netwright-svc-netns" in host.run("cat", "/proc/self/mounts")
    except RuntimeError:
        return False


@dataclass
class Daemon:
    host: Host
    address: str
    state_dir: Path
    extra_args: list[str] = field(default_factory=list)
    started: Started | None = None
    count: int = 0

    def start(self) -> Started:
        """Start netwrightd in the host namespace and wait until it owns its name."""
        self.count += 1
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DBUS_SYSTEM_BUS_ADDRESS": self.address,
               "PYTHONUNBUFFERED": "1",  # and the run's marker, for what it leaves behind:
               "NETWRIGHT_TEST_ISOLATED": os.environ.get("NETWRIGHT_TEST_ISOLATED", "")}
        self.started = start(
            f"netwrightd-{self.count}",
            ["nsenter", f"--target={self.host.pid}", "--net", "--mount", "--root",
             "--wd", "--", PYTHON, "-m", "netwright.backend.service.daemon",
             "--state-dir", str(self.state_dir), *self.extra_args],
            self.host.run_dir, env,
        )
        wait_until(lambda: name_has_owner(self.address, BUS_NAME), 60,
                   "netwrightd to own its name", self.started)
        return self.started

    def ensure(self) -> None:
        """Make sure a daemon serves: start one if the last was stopped or killed.

        A daemon that is alive but has released its name is on its way out (it logs why:
        "stopping on SIGTERM"); wait for it, then start a fresh one.
        """
        if self.started is not None and self.started.alive():
            if name_has_owner(self.address, BUS_NAME):
                return
            self.started.process.wait(90)
        self.start()

    def stop(self) -> int | None:
        return self.started.stop(timeout=90) if self.started is not None else None

    def log(self) -> str:
        return self.started.log_text() if self.started is not None else ""


def python_for_users() -> str:
    """The venv's interpreter, checked to be runnable by other users (not /root's pyenv)."""
    real = Path(PYTHON).resolve()
    if not str(real).startswith("/usr/"):
        print(f"warning: {PYTHON} resolves to {real}", file=sys.stderr)
    return PYTHON
