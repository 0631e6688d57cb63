"""`netwright dhcp leases|renew|server` as an ordinary user, through the lab and the system backend.

Issue #21's design: two macvlan children of wlp2s0 whose addresses are ``dhcp`` (one sending
client-id ``pod-one``), both with ``default via 192.168.31.1``. Each command must show or act
on the backend's real clients and server: the leases shown are the addresses the kernel has on
the children (read with iproute2 inside the backend's namespaces), the server's leases are the
same addresses with the client-id sent, and a renew makes both clients obtain their lease again.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from svc_cli import NETWRIGHT, as_user
from svc_lab import in_lab
from svc_polkit import USER_ALLOWED, USER_DENIED

from netwright.backend.dhcp import client_id_bytes

PODS = """\
netwright: 1
name: pods
host: {nics: {wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}}}
namespaces:
  net1: {routes: [{to: default, via: 192.168.31.1}]}
  net2: {routes: [{to: default, via: 192.168.31.1}]}
interfaces:
  mv1: {kind: macvlan, parent: wlp2s0, mode: bridge, namespace: net1,
        addresses: [{dhcp: {client-id: pod-one}}]}
  mv2: {kind: macvlan, parent: wlp2s0, mode: bridge, namespace: net2, addresses: [dhcp]}
"""
CHILDREN = {"mv1": "net1", "mv2": "net2"}

Netwright = Callable[..., Any]
Kernel = Callable[..., str]  # runs a command where the backend's namespaces are


@pytest.fixture
def pods_file() -> Iterator[Path]:
    """The design in a file the test users can read."""
    directory = Path(tempfile.mkdtemp(prefix="netwright-pods-"))
    directory.chmod(0o755)
    path = directory / "pods.yaml"
    path.write_text(PODS)
    path.chmod(0o644)
    yield path
    shutil.rmtree(directory, ignore_errors=True)


def wait_bound(netwright: Netwright, *flags: str) -> dict[str, dict[str, Any]]:
    deadline = time.monotonic() + 30
    while True:
        shown = netwright("dhcp", "leases", "--json", *flags, "pods")
        states = {s["interface"]: s for s in json.loads(shown.stdout or "[]")}
        if shown.returncode == 0 or time.monotonic() > deadline:
            assert shown.returncode == 0, (shown.stdout, shown.stderr)
            return states
        time.sleep(0.3)


def leased_addresses(kernel: Kernel, netns_prefix: str) -> dict[str, list[str]]:
    """What the kernel has on each child (the backend's namespaces are ``<prefix><ns>``)."""
    out = {}
    for key, ns in CHILDREN.items():
        data = json.loads(kernel("ip", "-n", f"{netns_prefix}{ns}", "-j", "-4", "address",
                                 "show", "dev", key))
        out[key] = [f"{a['local']}/{a['prefixlen']}" for a in data[0]["addr_info"]]
    return out


def exercise(netwright: Netwright, kernel: Kernel, netns_prefix: str, *flags: str) -> None:
    """The three commands against one backend, each checked against the kernel."""
    states = wait_bound(netwright, *flags)
    assert set(states) == {"mv1", "mv2"}
    on_link = leased_addresses(kernel, netns_prefix)
    assert {key: [s["address"]] for key, s in states.items()} == on_link
    assert {s["server"] for s in states.values()} == {"192.168.31.1"}
    assert states["mv1"]["client_id"] == "pod-one"

    text = netwright("dhcp", "leases", *flags, "pods")
    assert text.returncode == 0, text.stderr
    for key in CHILDREN:
        assert f"{key}: DHCP lease {states[key]['address']} from 192.168.31.1" in text.stdout
    assert "client-id 'pod-one' (as given)" in text.stdout

    served = netwright("dhcp", "server", "--json", *flags)
    assert served.returncode == 0, served.stderr
    by_address = {lease["address"]: lease for lease in json.loads(served.stdout)}
    mv1 = by_address[states["mv1"]["address"].split("/")[0]]
    assert mv1["client_id"] == client_id_bytes("pod-one").hex(":")
    assert states["mv2"]["address"].split("/")[0] in by_address
    shown = netwright("dhcp", "server", *flags)
    assert shown.returncode == 0 and states["mv1"]["address"].split("/")[0] in shown.stdout
    assert "client-id 'pod-one'" in shown.stdout  # as the design writes it, not 00:70:6f:…

    time.sleep(1.1)  # "obtained" has a resolution of one second
    renewed = netwright("dhcp", "renew", *flags, "pods")
    assert renewed.returncode == 0, renewed.stderr
    assert "asked 2 DHCP clients to renew" in renewed.stdout
    deadline = time.monotonic() + 15
    while True:
        again = wait_bound(netwright, *flags)
        if all(again[k]["obtained"] > states[k]["obtained"] for k in CHILDREN):
            break
        assert time.monotonic() < deadline, (states, again)
        time.sleep(0.3)


# -- the lab backend ---------------------------------------------------------------------------

def test_dhcp_commands_act_on_the_labs_clients_and_server(lab, pods_file) -> None:
    def netwright(*argv: str) -> Any:
        return as_user(lab.user, [NETWRIGHT, *argv], env=lab.env)

    applied = netwright("apply", "--lab", "--yes", str(pods_file))
    assert applied.returncode == 0, applied.stderr
    pid = lab.pid()
    assert pid is not None
    exercise(netwright, lambda *argv: in_lab(pid, *argv), "lab-", "--lab")
    # no --lab and no system backend: the same lab answers
    assert netwright("dhcp", "renew", "pods").stdout.startswith("pods: asked 2 DHCP")
    missing = netwright("dhcp", "leases", "--lab", "nothing")
    assert missing.returncode == 1
    assert "topology nothing is not deployed on the lab host" in missing.stderr


# -- the system backend ------------------------------------------------------------------------

def test_dhcp_commands_act_on_the_system_backends_clients(running, host, system_bus,
                                                          pods_file) -> None:
    """The session's netwrightd manages a lab host in its namespace (its netns are lab-*)."""
    def netwright(*argv: str, user: str = USER_ALLOWED) -> Any:
        return as_user(user, [NETWRIGHT, *argv], system_bus)

    applied = netwright("apply", "--yes", str(pods_file))
    assert applied.returncode == 0, applied.stderr
    try:
        refused = netwright("dhcp", "renew", "pods", user=USER_DENIED)
        assert refused.returncode == 1 and "not authorized" in refused.stderr, refused
        exercise(netwright, host.run, "lab-")
    finally:
        destroyed = netwright("destroy", "pods")
    assert destroyed.returncode == 0, destroyed.stderr
    gone = netwright("dhcp", "leases", "pods")
    assert gone.returncode == 1 and "is not deployed" in gone.stderr



def test_a_backend_on_the_real_host_says_it_serves_no_dhcp(tmp_path_factory, users) -> None:
    """Only a lab runs a DHCP server: netwrightd managing its (real) host refuses in words.

    Its own bus and network namespace (the session's daemon manages a lab host)."""
    from svc_bus import start_system_bus
    from svc_daemon import Daemon, start_host

    run_dir = Path(tempfile.mkdtemp(prefix="netwright-hostd-"))
    run_dir.chmod(0o755)
    bus, address = start_system_bus(run_dir)
    host = start_host(run_dir)
    daemon = Daemon(host, address, run_dir / "state", ["--bus", address, "--no-polkit"])
    try:
        daemon.start()
        served = as_user(USER_ALLOWED, [NETWRIGHT, "dhcp", "server"], address)
        missing = as_user(USER_ALLOWED, [NETWRIGHT, "dhcp", "leases", "pods"], address)
    finally:
        daemon.stop()
        host.holder.stop()
        bus.stop()
        shutil.rmtree(run_dir, ignore_errors=True)
    assert served.returncode == 1, served
    assert served.stderr == ("netwright: this backend manages the real host, where Netwright"
                             " runs no DHCP server (only a lab does: netwright dhcp server"
                             " --lab)\n"), served.stderr
    assert "topology pods is not deployed on this machine" in missing.stderr, missing.stderr
