"""A small live host built inside this test's own lab, as docker and an admin would leave
it: a named namespace (``ip netns add``, as the lab names namespaces: ``lab-obs-red``), an
anonymous one held by a process started from the lab's host (``unshare --net sleep``), a
docker-like bridge with a veth into each, and a macvlan on a veth standing in for an uplink.
Everything is made with iproute2 through ``nsenter`` into the lab (its user, network, mount
and PID namespaces: a namespace made by the machine's root could not be entered by the lab,
and the lab's /proc lists only the processes of its PID namespace), so the lab's backend
observes it as its host; ``remove()`` ends the holder by its pid there (the rest goes with the
lab)."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass

LAB_HOST = "nwlab-host"
NAMED = "obs-red"  # on disk lab-obs-red: the lab's import gives back the key
BRIDGE = "obsbr0"


def enter_lab(lab_pid: int) -> list[str]:
    """nsenter into the lab backend's namespaces, its PID namespace too."""
    return ["nsenter", f"--target={lab_pid}", "--user", "--net", "--mount", "--pid", "--"]


def in_lab(lab_pid: int, script: str, check: bool = True) -> str:
    result = subprocess.run([*enter_lab(lab_pid), "sh", "-c", script], capture_output=True,
                            text=True, timeout=30, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"{script!r} failed: {result.stderr.strip()}")
    return result.stdout


@dataclass
class LabLiveHost:
    lab_pid: int
    holder: subprocess.Popen[str]
    sleeper: int  # as the lab's PID namespace numbers it

    @property
    def anonymous_key(self) -> str:
        return f"sleep-{self.sleeper}"

    def run(self, script: str, check: bool = True) -> str:
        return in_lab(self.lab_pid, script, check)

    def links(self, netns: str = LAB_HOST) -> str:
        return self.run(f"ip -n {netns} -d -o link show")

    def remove(self) -> None:
        self.run(f"kill -KILL {self.sleeper}", check=False)
        self.holder.wait(10)


def build_lab_host(lab_pid: int) -> LabLiveHost:
    in_lab(lab_pid, f"""set -e
ip netns add lab-{NAMED}
ip -n {LAB_HOST} link add name {BRIDGE} type bridge
ip -n {LAB_HOST} addr add 172.30.0.1/24 dev {BRIDGE}
ip -n {LAB_HOST} link set {BRIDGE} up
ip -n {LAB_HOST} link add name obsvh1 mtu 1400 type veth peer name eth0 netns lab-{NAMED}
ip -n {LAB_HOST} link set obsvh1 master {BRIDGE} up
ip -n lab-{NAMED} addr add 172.30.0.2/24 dev eth0
ip -n lab-{NAMED} link set eth0 up
ip -n {LAB_HOST} link add name obsup0 type veth peer name obsup1
ip -n {LAB_HOST} link set obsup0 up
ip -n {LAB_HOST} link add name obsmv0 link obsup0 type macvlan mode bridge
""")
    holder = subprocess.Popen(
        [*enter_lab(lab_pid), "ip", "netns", "exec", LAB_HOST, "sh", "-c",
         "unshare --net sleep 120 & echo $!; wait"],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None
    sleeper = int(holder.stdout.readline())
    host = LabLiveHost(lab_pid, holder, sleeper)
    # $! is known before unshare has run: a veth sent to the pid meanwhile lands in the host
    lab_host_ns = host.run(f"ip netns exec {LAB_HOST} readlink /proc/self/ns/net")
    deadline = time.monotonic() + 5
    while host.run(f"readlink /proc/{sleeper}/ns/net") == lab_host_ns:
        if time.monotonic() > deadline:
            raise AssertionError("unshare --net did not start")
        time.sleep(0.01)
    host.run(f"ip -n {LAB_HOST} link add name obsvh2 type veth peer name eth0 netns {sleeper}"
             f" && ip -n {LAB_HOST} link set obsvh2 master {BRIDGE} up")
    return host


def build_lab_star(lab_pid: int, bridge: str, leaves: int) -> None:
    """A docker-like star on the lab's host: ``bridge`` (172.31.0.1/16) with a veth port
    into each of ``leaves`` named namespaces (``star<i>``, on disk ``lab-star<i>``, its end
    ``eth0``), as ``docker run`` leaves containers on docker0. It goes with the lab."""
    lines = ["set -e",
             f"ip -n {LAB_HOST} link add name {bridge} type bridge",
             f"ip -n {LAB_HOST} addr add 172.31.0.1/16 dev {bridge}",
             f"ip -n {LAB_HOST} link set {bridge} up"]
    for i in range(leaves):
        lines += [f"ip netns add lab-star{i}",
                  f"ip -n {LAB_HOST} link add name sv{i} type veth peer name eth0"
                  f" netns lab-star{i}",
                  f"ip -n {LAB_HOST} link set sv{i} master {bridge} up",
                  f"ip -n lab-star{i} addr add 172.31.{i // 200}.{i % 200 + 2}/16 dev eth0",
                  f"ip -n lab-star{i} link set eth0 up"]
    in_lab(lab_pid, "\n".join(lines))
