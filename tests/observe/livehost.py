"""A small live host built by hand with iproute2 and ``unshare``, as docker and an admin
would leave it: a named namespace (``ip netns add``), an anonymous one held by a process
(``unshare --net sleep``), a docker-like bridge with a veth into each, an uplink veth pair
with a macvlan (one more macvlan moved into the anonymous namespace) and a vxlan on it.

``LiveHost.remove()`` takes it all down again (the sleeper ended by its pid)."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass

from tests.engine.conftest import sh

NAMED = "obs-red"
BRIDGE = "obsbr0"


@dataclass
class LiveHost:
    sleeper: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        return self.sleeper.pid

    @property
    def anonymous_key(self) -> str:
        return f"sleep-{self.pid}"

    def remove(self) -> None:
        if self.sleeper.poll() is None:
            self.sleeper.kill()
            self.sleeper.wait()
        sh(f"ip netns del {NAMED}", check=False)
        for name in (BRIDGE, "obsvh1", "obsvh2", "obsup0", "obsmv0", "obsvx0"):
            sh(f"ip link del {name} 2>/dev/null", check=False)


def build_live_host() -> LiveHost:
    sleeper = subprocess.Popen(["unshare", "--net", "sleep", "120"])
    deadline = time.monotonic() + 5
    while sh(f"readlink /proc/{sleeper.pid}/ns/net") == sh("readlink /proc/self/ns/net"):
        if time.monotonic() > deadline:
            raise AssertionError("unshare --net did not start")
        time.sleep(0.01)
    host = LiveHost(sleeper)
    pid = sleeper.pid
    sh(f"""set -e
ip netns add {NAMED}
ip link add name {BRIDGE} type bridge
ip addr add 172.31.0.1/24 dev {BRIDGE}
ip link set {BRIDGE} up
ip link add name obsvh1 mtu 1400 type veth peer name eth0 netns {NAMED}
ip link set obsvh1 master {BRIDGE} up
ip -n {NAMED} addr add 172.31.0.2/24 dev eth0
ip -n {NAMED} link set eth0 up
ip -n {NAMED} route add default via 172.31.0.1
ip link add name obsvh2 type veth peer name eth0 netns {pid}
ip link set obsvh2 master {BRIDGE} up
ip link add name obsup0 type veth peer name obsup1
ip link set obsup0 up
ip addr add 10.77.0.1/24 dev obsup0
ip link add name obsmv0 link obsup0 type macvlan mode bridge
ip link add name obsmvc link obsup1 type macvlan mode private
ip link set obsmvc netns {pid}
ip link add name obsvx0 type vxlan id 42 remote 10.77.0.9 dev obsup0 dstport 4789
""")
    return host
