"""`netwright import --local` of a live host built by hand (tests/observe/livehost.py): the
file validates, marks everything existing, joins veths and macvlans across namespaces,
plans nothing, changes nothing; as a design it rebuilds the same graph on an emptied host."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from netwright.backend.cli.main import main
from netwright.backend.engine import Engine
from netwright.backend.topology import parse_topology
from tests.engine.conftest import sh, snapshot, wait_for_no_orphans
from tests.observe.livehost import BRIDGE, NAMED, LiveHost


def _import(tmp_path: Path, *extra: str, name: str = "imported.yaml") -> dict[str, Any]:
    out = tmp_path / name
    code = main(["import", "--local", "--process-tree", str(os.getpid()), "-o", str(out),
                 "--force", *extra])
    assert code == 0
    parse_topology(out.read_text(), str(out))  # validates, or raises with the problems
    data: dict[str, Any] = yaml.safe_load(out.read_text())
    return data


def test_import_sees_every_namespace_and_link(live: LiveHost, tmp_path: Path) -> None:
    data = _import(tmp_path)
    anon = live.anonymous_key
    assert data["namespaces"][NAMED] == {
        "existing": True, "routes": [{"to": "default", "via": "172.31.0.1", "dev": "eth0"}]}
    assert data["namespaces"][anon] == {"existing": True}
    links = data["interfaces"]
    assert all(link["existing"] for link in links.values())
    assert links[BRIDGE]["kind"] == "bridge"
    assert links[BRIDGE]["addresses"] == ["172.31.0.1/24"]
    # the two container ends are both called eth0: the second gets a key and keeps its name
    in_named = next(k for k, v in links.items() if v.get("namespace") == NAMED)
    in_anon = next(k for k, v in links.items()
                   if v.get("namespace") == anon and v["kind"] == "veth")
    assert links["obsvh1"] == {**links["obsvh1"], "peer": in_named, "master": BRIDGE,
                               "mtu": 1400}
    assert links[in_named]["peer"] == "obsvh1"
    assert links[in_named]["addresses"] == ["172.31.0.2/24"]
    assert links["obsvh2"]["peer"] == in_anon and links[in_anon]["peer"] == "obsvh2"
    assert links[in_anon].get("name", in_anon) == "eth0"
    assert links["obsmv0"]["parent"] == "obsup0" and links["obsmv0"]["mode"] == "bridge"
    # a macvlan moved into another namespace still names its parent in the host
    assert links["obsmvc"] == {**links["obsmvc"], "namespace": anon, "parent": "obsup1",
                               "mode": "private"}
    assert links["obsvx0"] == {**links["obsvx0"], "vni": 42, "remote": "10.77.0.9",
                               "dev": "obsup0", "port": 4789}
    assert set(data["layout"]) == set(links) | set(data["namespaces"]) | set(
        data.get("host", {}).get("nics", {}))


def test_leased_addresses_are_imported(live: LiveHost, tmp_path: Path) -> None:
    """An address with a lifetime, as a DHCP client (NetworkManager's on a laptop's NIC,
    udhcpc in a namespace) sets it, was left out of the import: the NIC lost its address,
    and a namespace routing via its lease's gateway made the whole import invalid ("next hop
    172.31.0.1 is not on any subnet of obs-red"), so `import` and `check --host` refused."""
    sh(f"ip -n {NAMED} addr change 172.31.0.2/24 dev eth0 valid_lft 300 preferred_lft 300")
    sh("ip addr change 10.77.0.1/24 dev obsup0 valid_lft 300 preferred_lft 300")
    data = _import(tmp_path)  # validates
    links = data["interfaces"]
    in_named = next(k for k, v in links.items() if v.get("namespace") == NAMED)
    assert links[in_named]["addresses"] == ["172.31.0.2/24"]
    assert links["obsup0"]["addresses"] == ["10.77.0.1/24"]
    assert data["namespaces"][NAMED]["routes"] == [
        {"to": "default", "via": "172.31.0.1", "dev": "eth0"}]


def test_a_design_copy_leases_again_what_dhcp_leased(live: LiveHost, tmp_path: Path) -> None:
    """--as-design wrote an address a DHCP client had leased as a static address: applied
    elsewhere, the copy took that lease's address by hand. A design says `dhcp` (one
    client per interface), with the leased address in a comment; a host NIC (never the
    design's) and a plain import (all existing) keep the address as seen."""
    sh(f"ip -n {NAMED} addr change 172.31.0.2/24 dev eth0 valid_lft 300 preferred_lft 300")
    sh(f"ip -n {NAMED} addr add 172.31.0.9/24 dev eth0")  # a static one beside the lease
    sh("ip addr change 10.77.0.1/24 dev obsup0 valid_lft 300 preferred_lft 300")
    sh("ip addr add 10.78.0.1/24 dev obsmv0 valid_lft 300 preferred_lft 300")
    sh("ip tuntap add dev obstap0 mode tap")  # a kind the format has not: a host NIC
    try:
        sh("ip addr add 10.79.0.1/24 dev obstap0 valid_lft 300 preferred_lft 300")
        seen = _import(tmp_path)
        design = _import(tmp_path, "--as-design", name="design.yaml")  # validates
    finally:
        sh("ip link del obstap0")
    in_named = next(k for k, v in seen["interfaces"].items() if v.get("namespace") == NAMED)
    assert seen["interfaces"][in_named]["addresses"] == ["172.31.0.2/24", "172.31.0.9/24"]
    assert seen["interfaces"]["obsmv0"]["addresses"] == ["10.78.0.1/24"]
    assert "dhcp" not in (tmp_path / "imported.yaml").read_text()
    links = design["interfaces"]
    assert links[in_named]["addresses"] == ["dhcp", "172.31.0.9/24"]
    assert links["obsup0"]["addresses"] == links["obsmv0"]["addresses"] == ["dhcp"]
    assert design["host"]["nics"]["obstap0"]["addresses"] == ["10.79.0.1/24"]
    assert design["namespaces"][NAMED]["routes"] == [  # the client adds it with its lease
        {"to": "default", "via": "172.31.0.1", "dev": "eth0"}]
    text = (tmp_path / "design.yaml").read_text()
    said = ("    # dhcp: leased {} when imported; applied, it asks a DHCP server again\n"
            "    addresses: ")
    assert all(said.format(a) in text for a in ("172.31.0.2/24", "10.77.0.1/24",
                                                "10.78.0.1/24")), text
    assert text.count("# dhcp: leased") == 3


def test_applying_the_import_changes_nothing(live: LiveHost, tmp_path: Path,
                                             engine: Engine) -> None:
    before = snapshot()
    _import(tmp_path)
    topology = parse_topology((tmp_path / "imported.yaml").read_text())
    plan = asyncio.run(engine.plan(topology))
    assert plan.steps == []
    asyncio.run(engine.apply(topology))
    assert snapshot() == before


def test_only_the_namespaces_asked_for(live: LiveHost, tmp_path: Path) -> None:
    data = _import(tmp_path, "--namespace", NAMED)
    assert list(data["namespaces"]) == [NAMED]
    assert "obsvh2" not in data["interfaces"]  # its peer's namespace is not imported


def test_an_unknown_namespace_is_a_sentence(live: LiveHost, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["import", "--local", "--process-tree", str(os.getpid()),
                 "--namespace", "nope"])
    assert code != 0
    err = capsys.readouterr().err
    assert "no namespace nope on this host" in err and NAMED in err


def test_a_design_copy_rebuilds_the_same_graph(live: LiveHost, tmp_path: Path,
                                               engine: Engine,
                                               clean_host: dict[str, Any]) -> None:
    # only the namespaces built here: others started from this host (another test's
    # harness) are the host's too, and may come and go meanwhile
    ours = ["--namespace", NAMED, "--namespace", live.anonymous_key]
    # IPv6 with and without duplicate address detection: nodad is written and added back
    sh(f"ip -n {NAMED} addr add fd00:31::2/64 dev eth0 nodad")
    sh(f"ip -n {NAMED} addr add fd00:31::3/64 dev eth0")
    data = _import(tmp_path, *ours)
    eth0 = next(v for v in data["interfaces"].values() if v.get("namespace") == NAMED)
    assert eth0["addresses"] == ["172.31.0.2/24", "fd00:31::2/64 nodad", "fd00:31::3/64"]
    first = (tmp_path / "imported.yaml").read_text()
    _import(tmp_path, "--as-design", *ours, name="design.yaml")
    live.remove()  # the host is empty again: the design builds it all from the file
    assert wait_for_no_orphans(clean_host) == clean_host
    design = parse_topology((tmp_path / "design.yaml").read_text())
    asyncio.run(engine.apply(design))
    _import(tmp_path, *ours, name="again.yaml")
    # the same file, byte for byte: the anonymous namespace is now a named one of the same
    # key, and every MAC, MTU, mode and address was rebuilt from the file
    assert (tmp_path / "again.yaml").read_text() == first
    asyncio.run(engine.destroy(design.name))
    assert wait_for_no_orphans(clean_host) == clean_host


def test_a_namespace_not_started_from_this_host_is_never_read(live: LiveHost,
                                                              tmp_path: Path) -> None:
    """An orphaned holder is re-parented to the machine's init, outside this test's host:
    its namespace is not the host's (as the machine's own namespaces are not)."""
    pid = int(sh("unshare --net sleep 60 >/dev/null 2>&1 & echo $!").strip())
    try:
        data = _import(tmp_path, "--process-tree", "1")
        assert f"sleep-{pid}" not in data["namespaces"]
        assert live.anonymous_key in data["namespaces"]
    finally:
        os.kill(pid, 9)


def test_host_routes_the_file_cannot_hold_are_said(live: LiveHost, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """The file keeps a host NIC's gateway only: a route of the host over a bridge (here to
    a subnet behind obs-red) is named as left out, not silently missing from predictions."""
    sh("ip route add 10.81.0.0/24 via 172.31.0.2 dev obsbr0")
    try:
        _import(tmp_path)
    finally:
        sh("ip route del 10.81.0.0/24", check=False)
    err = capsys.readouterr().err
    assert ("netwright: not imported: the host's route 10.81.0.0/24 via 172.31.0.2 dev"
            " obsbr0: the file format has no routes of the host") in err, err


def test_the_hosts_forwarding_is_said_to_be_left_out(live: LiveHost, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """The host forwarding (docker's host, a router) was left out of the file without a
    word, while each namespace's forwarding is imported."""
    sh("sysctl -qw net.ipv4.ip_forward=1")
    try:
        data = _import(tmp_path)
    finally:
        sh("sysctl -qw net.ipv4.ip_forward=0")
    assert "forwarding" not in data.get("host", {})
    err = capsys.readouterr().err
    assert ("netwright: not imported: the host's IPv4 forwarding (on): the file leaves the"
            " host's own settings alone") in err, err
    _import(tmp_path)
    assert "forwarding (on)" not in capsys.readouterr().err


def test_a_process_tree_that_is_not_there_is_a_sentence(
        live: LiveHost, capsys: pytest.CaptureFixture[str]) -> None:
    """Not an import (or a check) that silently finds no anonymous namespace; and through
    netwrightd, which reads every namespace, --process-tree is refused as check refuses it."""
    gone = int(Path("/proc/sys/kernel/pid_max").read_text()) + 1  # no pid is ever this
    for command in (["import", "--local"], ["check", "--host", "--local"]):
        assert main([*command, "--process-tree", str(gone)]) != 0
        assert f"there is no process {gone} (--process-tree)" in capsys.readouterr().err
    assert main(["import", "--process-tree", str(os.getpid())]) != 0
    assert "--process-tree is for --local" in capsys.readouterr().err


def test_the_hosts_nftables_tables_are_said_and_handed_to_compare(
        live: LiveHost, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The host's NAT and firewall (docker's example applied: an inet netwright-docker
    table) were left out of the import without a word, and Compare never saw them."""
    from netwright.backend.hostimport.imports import host_import

    sh("nft add table inet netwright-docker")
    sh("sysctl -qw net.ipv4.ip_forward=1")
    try:
        _import(tmp_path)
        found = host_import("live", process_tree=os.getpid())
    finally:
        sh("nft delete table inet netwright-docker", check=False)
        sh("sysctl -qw net.ipv4.ip_forward=0")
    err = capsys.readouterr().err
    assert ("netwright: not imported: the host's nftables tables inet netwright-docker (its NAT"
            " and firewall)") in err, err
    assert found.host["nftables"] == ["inet netwright-docker"]
    assert found.host["forwarding"]["ipv4"] is True
    assert any("inet netwright-docker" in line for line in found.skipped)


def test_a_namespace_named_as_netwright_names_the_host_is_left_out_and_said(
        live: LiveHost, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`ip netns add host` is allowed; a file with a namespace called host is not (every
    check would read it as the host). The import leaves it out with a sentence and still
    writes a file that validates, and a check of the live host still runs."""
    sh(f"""set -e
ip netns add host
ip -n host link add obsh0 type veth peer name obsh1 netns {NAMED}
ip -n host addr add 10.82.0.1/24 dev obsh0
ip -n host link set obsh0 up
""")
    try:
        data = _import(tmp_path)
        assert "host" not in data["namespaces"] and NAMED in data["namespaces"]
        err = capsys.readouterr().err
        assert ("netwright: not imported: namespace host: Netwright gives that name to the"
                " host's own namespace, so it cannot be told apart from it") in err, err
        assert "obsh1" in err  # its peer in the imported namespace, left out with it
        assert main(["check", "--host", "--local", "--process-tree", str(os.getpid()),
                     "--timeout", "0.3"]) in (0, 1)
        assert "reserved-name" not in capsys.readouterr().err
    finally:
        sh("ip netns del host", check=False)
