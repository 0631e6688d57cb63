"""ImportHost through netwrightd: the lab host it manages (with a named namespace, an
anonymous one held by a process started from the host, and a bridge with veths into both)
comes back as a file of existing objects; polkit's io.netwright.observe decides who may ask,
and nothing on the host changes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from svc_cli import NETWRIGHT, as_user
from svc_daemon import Host
from svc_polkit import USER_ALLOWED

from netwright.backend.topology import parse_topology

LAB_HOST = "nwlab-host"
# the lab names a topology's namespace KEY lab-KEY on disk; the import gives back the key
BUILD = f"""set -e
ip netns add lab-obs-red
ip -n {LAB_HOST} link add name obsbr0 type bridge
ip -n {LAB_HOST} link add name obsvh1 type veth peer name eth0 netns lab-obs-red
ip -n {LAB_HOST} link set obsvh1 master obsbr0
ip -n lab-obs-red addr add 172.30.0.2/24 dev eth0
"""
# the veths first, from the host's side: a namespace's links go asynchronously after it
CLEAN = (f"ip -n {LAB_HOST} link del obsvh1; ip -n {LAB_HOST} link del obsvh2;"
         f" ip -n {LAB_HOST} link del obsbr0; ip netns del lab-obs-red")


@pytest.fixture
def built(running: Any, host: Host) -> Iterator[int]:
    """The objects above, plus a process in the lab host holding a namespace of its own with
    a veth from the bridge; yields the holder's pid (ended by pid afterwards)."""
    host.run("sh", "-c", BUILD)
    shell = subprocess.Popen(
        ["nsenter", f"--target={host.pid}", "--net", "--mount", "--", "ip", "netns", "exec",
         LAB_HOST, "sh", "-c", "unshare --net sleep 120 & echo $!; wait"],
        stdout=subprocess.PIPE, text=True)
    assert shell.stdout is not None
    sleeper = int(shell.stdout.readline())
    # the pid is unshare's: until it has unshared, a veth sent "into" it lands in the lab host
    lab_host = os.stat(f"/proc/{host.pid}/root/run/netns/{LAB_HOST}").st_ino
    deadline = time.monotonic() + 5
    while os.stat(f"/proc/{sleeper}/ns/net").st_ino == lab_host:
        assert time.monotonic() < deadline, "unshare --net did not start"
        time.sleep(0.01)
    try:
        host.run("sh", "-c", f"ip -n {LAB_HOST} link add name obsvh2 type veth peer name eth0"
                 f" netns {sleeper} && ip -n {LAB_HOST} link set obsvh2 master obsbr0")
        yield sleeper
    finally:
        host.run("sh", "-c", CLEAN, check=False)
        os.kill(sleeper, signal.SIGKILL)
        shell.wait(10)


def test_the_allowed_user_imports_the_lab_host(built: int, host: Host, running: Any) -> None:
    before = host.snapshot()
    shown = as_user(USER_ALLOWED, [NETWRIGHT, "import"], running.address)
    assert shown.returncode == 0, shown.stderr
    topology = parse_topology(shown.stdout)  # validates
    assert topology.namespaces["obs-red"].existing
    anonymous = topology.namespaces[f"sleep-{built}"]
    assert anonymous.existing
    links = topology.interfaces
    assert all(link.existing for link in links.values())
    assert links["obsvh1"].master == "obsbr0" and links["obsvh2"].master == "obsbr0"
    peer = links["obsvh2"].peer  # type: ignore[union-attr]
    assert peer is not None and links[peer].namespace == f"sleep-{built}"
    assert "wlp2s0" in topology.host.nics  # the lab's uplink leads out: the host's NIC
    assert not any(ns.startswith("nwlab") for ns in topology.namespaces)
    assert host.snapshot() == before


def test_an_unknown_namespace_is_invalid_arguments(built: int, caller_factory: Any) -> None:
    answer = caller_factory("allowed").call(
        "ImportHost", "a{sv}", {"namespaces": {"$v": ["as", ["nope"]]}})
    assert answer["error"] == "io.netwright.Error.InvalidArguments", answer
    assert "no namespace nope" in answer["text"] and "obs-red" in answer["text"]


def test_only_the_named_namespaces(built: int, caller_factory: Any) -> None:
    answer = caller_factory("allowed").call(
        "ImportHost", "a{sv}",
        {"namespaces": {"$v": ["as", ["obs-red"]]}, "name": {"$v": ["s", "mine"]}})
    assert answer["ok"], answer
    result = json.loads(answer["body"][0])
    topology = parse_topology(result["topology"])
    assert topology.name == "mine" and list(topology.namespaces) == ["obs-red"]


def test_the_answer_says_what_holds_an_anonymous_namespace(built: int,
                                                          caller_factory: Any) -> None:
    answer = caller_factory("allowed").call("ImportHost", "a{sv}", {})
    assert answer["ok"], answer
    result = json.loads(answer["body"][0])
    assert result["holders"] == {f"sleep-{built}": f"held by sleep (pid {built})"}


@pytest.mark.parametrize(("role", "words"), [("denied", "denied"),
                                             ("default", "authentication is required")])
def test_others_do_not_see_the_host(running: Any, caller_factory: Any, role: str,
                                    words: str) -> None:
    answer = caller_factory(role).call("ImportHost", "a{sv}", {})
    assert answer["error"] == "io.netwright.Error.NotAuthorized", answer
    assert words in answer["text"]


def test_the_allowed_user_adopts_and_destroy_removes_only_that(
        built: int, host: Host, running: Any) -> None:
    work = Path(tempfile.mkdtemp(prefix="netwright-adopt-"))  # the test user writes here
    work.chmod(0o777)
    design = work / "design.yaml"

    def netwright(*argv: str) -> Any:
        done = as_user(USER_ALLOWED, [NETWRIGHT, *argv], running.address)
        assert done.returncode == 0, (argv, done.stdout, done.stderr)
        return done

    netwright("import", "--name", "adopted", "--namespace", "obs-red", "-o", str(design))
    netwright("apply", "--yes", str(design))  # all existing: nothing is made
    shown = netwright("adopt", str(design), "obsvh1", "eth0", "obs-red", "--yes")
    assert "veth eth0 in namespace obs-red" in shown.stdout
    lab = json.loads(host.run("ip", "-n", LAB_HOST, "-j", "link", "show", "obsvh1"))
    assert lab[0]["ifalias"] == "netwright:adopted:obsvh1"
    inside = json.loads(host.run("ip", "-n", "lab-obs-red", "-j", "link", "show", "lo"))
    assert inside[0]["ifalias"] == "netwright:adopted:obs-red"
    assert "existing" not in yaml.safe_load(design.read_text())["interfaces"]["obsvh1"]
    netwright("destroy", "adopted")
    shutil.rmtree(work)
    assert "lab-obs-red" not in host.netns()
    left = host.links(LAB_HOST)
    assert "obsvh1" not in left and "obsbr0" in left and "obsvh2" in left


def test_the_denied_user_cannot_adopt(built: int, caller_factory: Any) -> None:
    answer = caller_factory("denied").call("Adopt", "sasa{sv}", "adopted", ["obsvh1"], {})
    assert answer["error"] == "io.netwright.Error.NotAuthorized", answer


def test_the_allowed_user_checks_the_lab_host(built: int, host: Host, running: Any) -> None:
    """`netwright check --host`: the lab host's namespaces probed read-only, the lab's
    outside address too; the prediction holds and nothing changes."""
    host.run("sh", "-c", f"ip -n {LAB_HOST} addr add 172.30.0.1/24 dev obsbr0 &&"
             f" ip -n {LAB_HOST} link set obsbr0 up && ip -n {LAB_HOST} link set obsvh1 up &&"
             " ip -n lab-obs-red link set eth0 up")
    before = host.snapshot()
    shown = as_user(USER_ALLOWED, [NETWRIGHT, "check", "--host", "--namespace", "obs-red",
                                   "--timeout", "0.5", "--json"], running.address)
    assert shown.returncode == 0, shown.stderr  # no mismatch
    report = json.loads(shown.stdout)
    pairs = {(p["source"], p["target"]): p for p in report["pairs"]}
    assert pairs[("obs-red", "172.30.0.1")]["observed"]["verdict"] == "reachable"
    outside = pairs[("obs-red", "203.0.113.114")]  # no default route in obs-red
    assert outside["predicted"]["verdict"] == outside["observed"]["verdict"] == "unreachable"
    assert host.snapshot() == before


def test_check_host_probes_a_port_through_netwrightd(built: int, host: Host,
                                                     running: Any) -> None:
    """`netwright check --host --port P`: netwrightd tries TCP to P from the observed
    namespaces too; a listener in the lab host answers, the namespace without one refuses."""
    host.run("sh", "-c", f"ip -n {LAB_HOST} addr add 172.30.0.1/24 dev obsbr0 &&"
             f" ip -n {LAB_HOST} link set obsbr0 up && ip -n {LAB_HOST} link set obsvh1 up &&"
             " ip -n lab-obs-red link set eth0 up")
    listener = subprocess.Popen(
        ["nsenter", f"--target={host.pid}", "--net", "--mount", "--", "ip", "netns", "exec",
         LAB_HOST, "python3", "-c",
         "import socket, sys, time\n"
         "s = socket.create_server(('172.30.0.1', 0))\n"
         "print(s.getsockname()[1], flush=True)\n"
         "time.sleep(60)\n"], stdout=subprocess.PIPE, text=True)
    try:
        assert listener.stdout is not None
        port = listener.stdout.readline().strip()
        shown = as_user(USER_ALLOWED, [NETWRIGHT, "check", "--host", "--namespace", "obs-red",
                                       "--timeout", "0.5", "--port", port, "--json"],
                        running.address)
    finally:
        listener.kill()
        listener.wait(10)
    assert shown.returncode == 0, shown.stderr
    pairs = {(p["source"], p["target"]): p for p in json.loads(shown.stdout)["pairs"]}
    assert pairs[("obs-red", "172.30.0.1")]["observed"]["tcp"]["verdict"] == "reachable"
    back = pairs[("host", "172.30.0.2")]["observed"]["tcp"]
    assert back["error"] == "Connection refused", back


def test_a_bad_port_is_refused_before_asking(running: Any) -> None:
    shown = as_user(USER_ALLOWED, [NETWRIGHT, "check", "--host", "--port", "http"],
                    running.address)
    assert shown.returncode == 2 and "'http' is not a TCP port number" in shown.stderr


@pytest.mark.parametrize(("role", "words"), [("denied", "denied"),
                                             ("default", "authentication is required")])
def test_others_cannot_check_the_host(running: Any, caller_factory: Any, role: str,
                                      words: str) -> None:
    answer = caller_factory(role).call("StartCheckHost", "a{sv}", {})
    assert answer["error"] == "io.netwright.Error.NotAuthorized", answer
    assert words in answer["text"]


@pytest.mark.parametrize(("options", "words"), [
    ({"pin": {"$v": ["b", True]}}, "pin"),
    ({"namespaces": {"$v": ["as", ["../etc"]]}}, "topology name"),
    ({"timeout": {"$v": ["d", 99.0]}}, "out of range"),
    ({"tcp_port": {"$v": ["u", 0]}}, "TCP port 0 is out of range (1–65535)"),
    ({"tcp_port": {"$v": ["u", 70000]}}, "TCP port 70000 is out of range (1–65535)"),
])
def test_hostile_options_are_refused(running: Any, caller_factory: Any,
                                     options: dict[str, Any], words: str) -> None:
    answer = caller_factory("allowed").call("StartCheckHost", "a{sv}", options)
    assert answer["error"] == "io.netwright.Error.InvalidArguments", answer
    assert words in answer["text"]


def test_a_lab_host_with_nothing_to_check_says_so(running: Any) -> None:
    """`netwright check --host` through netwrightd where no namespace has an address: the
    sentence and its hint, exit 0, no "Every pair is reachable"; --json says it too."""
    shown = as_user(USER_ALLOWED, [NETWRIGHT, "check", "--host"], running.address)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("Nothing to check in live-host: no namespace of this host"
                                   " has an address to probe from"), shown.stdout
    assert "reachable" not in shown.stdout, shown.stdout
    data = as_user(USER_ALLOWED, [NETWRIGHT, "check", "--host", "--json"], running.address)
    report = json.loads(data.stdout)
    assert data.returncode == 0 and report["pairs"] == [], report
    assert report["nothing_to_check"].startswith("no namespace of this host"), report
