"""The exported shell script, run with `sh -e`, builds what the file says (read back).

Each test makes its own "host" namespace (inside the suite's isolated namespace), gives it a
veth named as the topology's physical parent where one is needed, runs the script there and
reads every object back from the kernel with pyroute2.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyroute2 import NetNS

from netwright.backend.engine import Engine, Target
from netwright.backend.topology import parse_topology

ROOT = Path(__file__).parents[2]
pytestmark = pytest.mark.root


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


@pytest.fixture
def host_ns() -> Iterator[str]:
    """A namespace standing for the host; removed with every namespace the script made."""
    name = f"nwhost-{uuid.uuid4().hex[:8]}"
    before = set(Path("/run/netns").iterdir()) if Path("/run/netns").exists() else set()
    ip("netns", "add", name)
    yield name
    for path in set(Path("/run/netns").iterdir()) - before:
        subprocess.run(["ip", "netns", "delete", path.name], check=False, capture_output=True)


def export_and_run(design: str | Path, host: str) -> None:
    """Export ``design`` (an example's name, or a file) as sh and run it in ``host``."""
    path = ROOT / "examples" / design if isinstance(design, str) else design
    script = subprocess.run(
        [sys.executable, "-m", "netwright.backend.cli.main", "export", "--format", "sh",
         str(path)],
        check=True, capture_output=True, text=True,
    ).stdout
    # nsenter, not `ip netns exec`: the latter makes a slave mount namespace, and namespaces
    # the script adds there would never show in /run/netns outside it.
    run = subprocess.run(["nsenter", f"--net=/run/netns/{host}", "sh", "-e"], input=script,
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr


def links(ns: str) -> dict[str, dict[str, object]]:
    with NetNS(ns) as netns:
        found: dict[str, dict[str, object]] = {}
        index_to_name = {}
        raw = list(netns.get_links())
        for link in raw:
            index_to_name[link["index"]] = link.get_attr("IFLA_IFNAME")
        for link in raw:
            info = link.get_attr("IFLA_LINKINFO")
            data = info.get_attr("IFLA_INFO_DATA") if info else None
            found[link.get_attr("IFLA_IFNAME")] = {
                "kind": info.get_attr("IFLA_INFO_KIND") if info else None,
                "up": bool(link["flags"] & 1),
                "master": index_to_name.get(link.get_attr("IFLA_MASTER")),
                "macvlan_mode": data.get_attr("IFLA_MACVLAN_MODE") if data else None,
            }
        addresses: dict[str, set[str]] = {}
        for addr in netns.get_addr():
            name = index_to_name[addr["index"]]
            addresses.setdefault(name, set()).add(
                f"{addr.get_attr('IFA_ADDRESS')}/{addr['prefixlen']}"
            )
        for name, attrs in found.items():
            attrs["addresses"] = {a for a in addresses.get(name, set()) if ":" not in a}
        defaults = [r.get_attr("RTA_GATEWAY") for r in netns.get_routes(family=2)
                    if r["dst_len"] == 0 and r.get_attr("RTA_GATEWAY")]
        found["<default>"] = {"via": defaults}
        return found


def test_docker_bridge_script_builds_the_topology(host_ns: str) -> None:
    export_and_run("docker-bridge.yaml", host_ns)
    host = links(host_ns)
    assert host["docker0"]["kind"] == "bridge" and host["docker0"]["up"]
    assert host["docker0"]["addresses"] == {"172.17.0.1/16"}
    for veth in ("veth-c1", "veth-c2"):
        assert host[veth]["kind"] == "veth" and host[veth]["master"] == "docker0"
    for ns, address in (("c1", "172.17.0.2/16"), ("c2", "172.17.0.3/16")):
        inside = links(ns)
        assert inside["eth0"]["kind"] == "veth" and inside["eth0"]["up"]
        assert inside["eth0"]["addresses"] == {address}
        assert inside["lo"]["up"]
        assert inside["<default>"]["via"] == ["172.17.0.1"]
    reach = subprocess.run(["ip", "netns", "exec", "c1", "ping", "-c1", "-W2", "172.17.0.3"],
                           capture_output=True, text=True, check=False)
    assert reach.returncode == 0, reach.stdout + reach.stderr


def test_macvlan_bridge_script_builds_the_topology(host_ns: str) -> None:
    # A veth stands in for the physical parent eth1 (its peer stays up so children have carrier).
    ip("-n", host_ns, "link", "add", "eth1", "type", "veth", "peer", "name", "eth1-wire")
    ip("-n", host_ns, "link", "set", "eth1", "up")
    ip("-n", host_ns, "link", "set", "eth1-wire", "up")
    ip("-n", host_ns, "addr", "add", "192.168.31.240/24", "dev", "eth1")
    export_and_run("macvlan-bridge.yaml", host_ns)
    for ns, name, address in (("web", "mv-web", "192.168.31.21/24"),
                              ("db", "mv-db", "192.168.31.22/24")):
        inside = links(ns)
        assert inside[name]["kind"] == "macvlan"
        assert inside[name]["macvlan_mode"] == "bridge"
        assert inside[name]["addresses"] == {address}
        assert inside["<default>"]["via"] == ["192.168.31.1"]
    host = links(host_ns)
    assert host["eth1"]["addresses"] == {"192.168.31.240/24"}, "the parent must not be touched"
    assert set(host) == {"lo", "eth1", "eth1-wire", "<default>"}
    reach = subprocess.run(["ip", "netns", "exec", "web", "ping", "-c1", "-W2", "192.168.31.22"],
                           capture_output=True, text=True, check=False)
    assert reach.returncode == 0, reach.stdout + reach.stderr
    assert ipaddress.ip_interface("192.168.31.22/24")  # the same subnet as the parent


def test_a_sysctl_of_one_interface_is_set_once_the_interface_exists(
        host_ns: str, tmp_path: Path) -> None:
    """/proc/sys/net/ipv4/conf/IFACE exists only with IFACE: the script wrote such a key
    right after `ip netns add` and stopped there (`sh -e`), as apply never does."""
    design = tmp_path / "sysctls.yaml"
    design.write_text("""netwright: 1
name: knobs
namespaces:
  a:
    sysctls: {net.ipv4.conf.eth0.rp_filter: 2, net.ipv4.conf.all.rp_filter: 0,
              net.ipv6.conf.eth0.accept_dad: 0}
  b: {}
interfaces:
  a-eth0: {kind: veth, name: eth0, namespace: a, peer: b-eth0, addresses: [10.7.0.1/24]}
  b-eth0: {kind: veth, namespace: b, peer: a-eth0, addresses: [10.7.0.2/24]}
""")
    export_and_run(design, host_ns)

    def sysctl(key: str) -> str:
        return subprocess.run(["ip", "netns", "exec", "a", "sysctl", "-n", key],
                              capture_output=True, text=True, check=True).stdout.strip()

    assert sysctl("net.ipv4.conf.eth0.rp_filter") == "2"
    assert sysctl("net.ipv6.conf.eth0.accept_dad") == "0"
    assert sysctl("net.ipv4.conf.all.rp_filter") == "0"



def test_a_sysctl_of_an_interface_named_with_a_dot(host_ns: str, tmp_path: Path) -> None:
    """The key writes the dot as '/', as sysctl(8) reads it: eth0.7's own file is set."""
    design = tmp_path / "dotted.yaml"
    design.write_text("""netwright: 1
name: dotted
namespaces:
  a: {sysctls: {net.ipv4.conf.eth0/7.rp_filter: 2, net.ipv6.conf.eth0/7.accept_dad: 0}}
  b: {}
interfaces:
  a-x: {kind: veth, name: eth0.7, namespace: a, peer: b-x, addresses: ["fd07::1/64"]}
  b-x: {kind: veth, name: eth0.7, namespace: b, peer: a-x, addresses: ["fd07::2/64"]}
""")
    export_and_run(design, host_ns)
    proc = ["ip", "netns", "exec", "a", "cat"]
    assert subprocess.run([*proc, "/proc/sys/net/ipv4/conf/eth0.7/rp_filter"],
                          capture_output=True, text=True, check=True).stdout == "2\n"
    assert subprocess.run([*proc, "/proc/sys/net/ipv6/conf/eth0.7/accept_dad"],
                          capture_output=True, text=True, check=True).stdout == "0\n"

IMPAIRED = """netwright: 1
name: imp
namespaces: {a: {}, b: {}}
interfaces:
  a-eth0: {kind: veth, name: eth0, namespace: a, peer: b-eth0, addresses: [10.7.0.1/24],
           impairment: {IMPAIRMENT}}
  b-eth0: {kind: veth, name: eth0, namespace: b, peer: a-eth0, addresses: [10.7.0.2/24]}
"""


def root_qdisc(namespace: str) -> dict[str, object]:
    """eth0's root qdisc in ``namespace`` as tc reports it (without its reference count)."""
    out = subprocess.run(["tc", "-n", namespace, "-j", "qdisc", "show", "dev", "eth0"],
                         capture_output=True, text=True, check=True).stdout
    qdisc: dict[str, object] = json.loads(out)[0]
    qdisc.pop("refcnt", None)
    return qdisc


def assert_same_qdisc(scripted: dict[str, Any], applied: dict[str, Any]) -> None:
    """The same qdisc: the same fields, numbers equal but for a unit of rounding (tc and
    pyroute2 turn a burst or a latency into the kernel's ticks each its own way)."""
    def close(a: object, b: object) -> bool:
        if isinstance(a, dict) and isinstance(b, dict):
            return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
        if isinstance(a, int | float) and isinstance(b, int | float):
            return abs(a - b) <= max(1, abs(b) / 1000)
        return a == b

    assert close(scripted, applied), (scripted, applied)


def scripted_and_applied(impairment: str, host: str, tmp_path: Path) -> tuple[dict, dict]:
    """eth0's root qdisc in namespace a, built once by the sh export, once by apply."""
    text = IMPAIRED.replace("IMPAIRMENT", impairment)
    design = tmp_path / "imp.yaml"
    design.write_text(text)
    export_and_run(design, host)
    scripted = root_qdisc("a")
    for namespace in ("a", "b"):
        ip("netns", "delete", namespace)
    engine = Engine(tmp_path / "state", Target.host())
    asyncio.run(engine.apply(parse_topology(text)))
    try:
        applied = root_qdisc("a")
    finally:
        asyncio.run(engine.destroy("imp"))
    return scripted, applied


@pytest.mark.parametrize("rate", ["10mbit", "1.5 mbit"])
def test_a_rate_limit_is_the_tbf_apply_makes(host_ns: str, tmp_path: Path, rate: str) -> None:
    """The script left impairments out ("netwright apply sets it with tc"): a user who ran it
    had an unshaped link. It now gives the qdisc apply gives, with tc, in tc's words (the
    file may write a space before the unit, tc may not)."""
    scripted, applied = scripted_and_applied(f"rate: {rate}", host_ns, tmp_path)
    assert scripted["kind"] == "tbf" and scripted["handle"] == "1:"
    assert_same_qdisc(scripted, applied)


@pytest.mark.kernel
def test_netem_is_the_qdisc_apply_makes(host_ns: str, tmp_path: Path) -> None:
    subprocess.run(["modprobe", "-a", "sch_netem", "sch_tbf"], check=True)  # no autoloading
    scripted, applied = scripted_and_applied(
        "delay: 40 ms, jitter: 5ms, loss: 1 %, duplicate: 0.5%, corrupt: 0.1%, rate: 20mbit",
        host_ns, tmp_path)
    assert scripted["kind"] == "netem" and scripted["handle"] == "1:"
    assert_same_qdisc(scripted, applied)
