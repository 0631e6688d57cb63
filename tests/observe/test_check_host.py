"""Checks on what exists: the live host of livehost.py, with a "WAN" namespace beyond its
uplink (hidden from the host as the lab's LAN is), checked read-only. The prediction equals
the observation, "why can't my container reach the outside?" is answered (the host does not
forward), and nothing changes: links, addresses, routes and permanent neighbour entries of
every namespace, the anonymous one included, are the same afterwards."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from netwright.backend.checks.netns import NamespaceGoneError
from netwright.backend.checks.observed import check_live_host, check_observed, observe_subject
from netwright.backend.checks.results import CheckResult
from netwright.backend.checks.run import CheckOptions
from netwright.backend.cli.main import main
from tests.engine.conftest import sh, snapshot
from tests.observe.livehost import BRIDGE, NAMED, LiveHost

WAN = "obs-wan"
FORWARD = Path("/proc/sys/net/ipv4/ip_forward")
OUTSIDE = "198.51.100.7"


@pytest.fixture
def wan(live: LiveHost) -> Iterator[LiveHost]:
    """The live host with an address in its anonymous namespace, an uplink to a WAN
    namespace (its default route) and an outside address there; the host does not forward
    (as a fresh host), whatever it did before, and does again what it did afterwards."""
    forwarding = FORWARD.read_text().strip()
    FORWARD.write_text("0")
    sh(f"""set -e
nsenter -t {live.pid} -n ip addr add 172.31.0.3/24 dev eth0
nsenter -t {live.pid} -n ip link set eth0 up
nsenter -t {live.pid} -n ip route add default via 172.31.0.1
ip netns add {WAN}
ip link add name obswan0 type veth peer name wan0 netns {WAN}
ip addr add 10.78.0.1/24 dev obswan0
ip link set obswan0 up
ip -n {WAN} addr add 10.78.0.2/24 dev wan0
ip -n {WAN} link set wan0 up
ip -n {WAN} link set lo up
ip -n {WAN} addr add {OUTSIDE}/32 dev lo
ip route add default via 10.78.0.2
""")
    try:
        yield live
    finally:
        sh(f"ip netns del {WAN}", check=False)
        sh("ip link del obswan0 2>/dev/null", check=False)
        FORWARD.write_text(forwarding)


def _state(pid: int) -> dict[str, Any]:
    """The snapshot of every named namespace and the host, plus the anonymous namespace
    and the permanent neighbour entries of all of them."""
    def permanent(prefix: str) -> list[str]:
        return sorted(json.dumps(n, sort_keys=True) for n in json.loads(
            sh(f"{prefix} ip -j neigh show nud permanent") or "[]"))

    anon = f"nsenter -t {pid} -n"
    state = snapshot()
    state["anonymous"] = {"links": sh(f"{anon} ip -br addr"), "routes": sh(f"{anon} ip route")}
    state["permanent"] = {"host": permanent(""), "anonymous": permanent(anon),
                          **{ns: permanent(f"ip netns exec {ns}") for ns in (NAMED, WAN)}}
    return state


def _check(live: LiveHost, **options: Any) -> CheckResult:
    subject = observe_subject(process_tree=os.getpid(), hide=frozenset({WAN}))
    outside = {"outside": OUTSIDE, "outside_netns": WAN}
    return asyncio.run(check_observed(subject, CheckOptions(timeout=0.5, **{**outside,
                                                                            **options})))


def _pair(result: CheckResult, source: str, address: str) -> Any:
    return next(p for p in result.pairs
                if p.source == source and p.target.address == address)


def test_the_prediction_equals_the_observation_and_nothing_changes(wan: LiveHost) -> None:
    before = _state(wan.pid)
    result = _check(wan)
    assert _state(wan.pid) == before
    assert result.probed
    anon = wan.anonymous_key
    sources = {p.source for p in result.pairs}
    assert {NAMED, anon} <= sources
    assert result.mismatches == []
    assert _pair(result, NAMED, "172.31.0.3").observed.verdict == "reachable"
    assert _pair(result, anon, "172.31.0.2").observed.verdict == "reachable"
    # the container's way out: the host is its gateway but does not forward
    out = _pair(result, NAMED, OUTSIDE)
    assert out.predicted.verdict == out.observed.verdict != "reachable"
    assert "forward" in json.dumps(out.predicted.to_json())


def test_forwarding_and_masquerade_on_the_host_let_the_containers_out(wan: LiveHost) -> None:
    """As docker does it: forwarding on, and the bridge's subnet masqueraded on the uplink
    (the WAN's router knows no way back to 172.31.0.0/24, as a home router would not)."""
    sh("sysctl -qw net.ipv4.ip_forward=1")
    sh("nft add table ip obsnat && nft 'add chain ip obsnat post { type nat hook postrouting"
       " priority srcnat; }' && nft add rule ip obsnat post ip saddr 172.31.0.0/24"
       " oifname obswan0 masquerade")
    try:
        result = _check(wan)
    finally:
        sh("sysctl -qw net.ipv4.ip_forward=0")
        sh("nft delete table ip obsnat")
    assert result.mismatches == []
    out = _pair(result, NAMED, OUTSIDE)
    assert out.observed.verdict == out.predicted.verdict == "reachable"
    assert "masquerade" in out.predicted.reason
    # the host's rules, not "rules live-host does not own" (the import's name for it)
    assert any(note.startswith("the host's rules are read (never changed) and taken into the"
                               " prediction — host: table ip obsnat") for note in result.notes)


def test_only_the_namespaces_asked_for_are_probed(wan: LiveHost) -> None:
    subject = observe_subject([NAMED], process_tree=os.getpid(), hide=frozenset({WAN}))
    assert set(subject.files) == {NAMED}
    assert subject.files[NAMED] == f"/run/netns/{NAMED}"
    assert BRIDGE in subject.topology.interfaces


def test_the_command_line_checks_the_host(live: LiveHost,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    sh(f"nsenter -t {live.pid} -n ip addr add 172.31.0.3/24 dev eth0 &&"
       f" nsenter -t {live.pid} -n ip link set eth0 up")
    code = main(["check", "--host", "--local", "--process-tree", str(os.getpid()),
                 "--namespace", live.anonymous_key, "--timeout", "0.5", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0  # no mismatch
    assert {p["source"] for p in report["pairs"]} == {live.anonymous_key, "host"}
    assert report["topology"] == "live-host"


@pytest.mark.parametrize(("argv", "words"), [
    (["check", "--host", "mine.yaml"], "either a topology or --host"),
    (["check"], "or --host for the namespaces that exist"),
    (["check", "mine", "--namespace", "x"], "go with --host"),
    (["check", "--host", "--local", "--namespace", "nope"], "no namespace nope"),
])
def test_wrong_arguments_are_sentences(live: LiveHost, capsys: pytest.CaptureFixture[str],
                                       argv: list[str], words: str) -> None:
    assert main(argv) != 0
    assert words in capsys.readouterr().err


def test_local_without_root_is_a_sentence(live: LiveHost) -> None:
    """An ordinary user asking for --local is told to use the backend (no traceback)."""
    done = subprocess.run(
        ["runuser", "-u", "nobody", "--", sys.executable, "-m", "netwright.backend.cli.main",
         "check", "--host", "--local"], capture_output=True, text=True, check=False)
    assert done.returncode != 0
    assert "needs root: drop --local" in done.stderr and "Traceback" not in done.stderr


def test_a_host_with_nothing_to_check_says_so_and_claims_nothing() -> None:
    """A host whose only addresses are loopback's (a fresh network namespace): what was
    looked at and the hint, exit 0, and no "Every pair is reachable"."""
    fresh = ["unshare", "--net", "--mount", "--propagation", "private", "sh", "-c",
             'mount -t tmpfs none /run/netns && ip link set lo up && exec "$@"', "sh",
             sys.executable, "-m", "netwright.backend.cli.main", "check", "--host", "--local"]
    text = subprocess.run(fresh, capture_output=True, text=True, check=False, timeout=60)
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith("Nothing to check in live-host: no namespace of this host"
                                  " has an address to probe from (looked at host;"), text.stdout
    assert "ip -n NAMESPACE address add" in text.stdout, text.stdout
    assert "reachable" not in text.stdout and "probes were sent" not in text.stdout, text.stdout
    data = subprocess.run([*fresh, "--json"], capture_output=True, text=True, check=False,
                          timeout=60)
    report = json.loads(data.stdout)
    assert data.returncode == 0 and report["pairs"] == [] and not report["probed"], report
    assert report["nothing_to_check"].startswith("no namespace of this host"), report


@pytest.fixture
def router(live: LiveHost) -> Iterator[str]:
    """A named namespace that forwards between two others, as a hand-made router (or a
    container acting as one) would."""
    sh("""set -e
ip netns add obs-rt
ip netns add obs-near
ip netns add obs-far
ip -n obs-rt link add name rt1 type veth peer name near0 netns obs-near
ip -n obs-rt link add name rt2 type veth peer name far0 netns obs-far
ip -n obs-rt addr add 10.79.0.2/24 dev rt1
ip -n obs-rt addr add 10.80.0.1/24 dev rt2
ip -n obs-near addr add 10.79.0.1/24 dev near0
ip -n obs-far addr add 10.80.0.2/24 dev far0
ip -n obs-rt link set rt1 up
ip -n obs-rt link set rt2 up
ip -n obs-near link set near0 up
ip -n obs-far link set far0 up
ip -n obs-near route add default via 10.79.0.2
ip -n obs-far route add default via 10.80.0.1
ip netns exec obs-rt sysctl -qw net.ipv4.ip_forward=1
""")
    try:
        yield "obs-rt"
    finally:
        sh("ip netns del obs-rt; ip netns del obs-near; ip netns del obs-far", check=False)


def test_a_namespace_that_forwards_is_imported_and_predicted_as_forwarding(
        router: str, tmp_path: Path) -> None:
    """Its forwarding is what the kernel says (an existing namespace's sysctls are what
    was observed), not 'off, as in every new namespace'."""
    out = tmp_path / "host.yaml"
    assert main(["import", "--local", "--process-tree", str(os.getpid()), "-o", str(out)]) == 0
    text = out.read_text()
    assert "obs-rt:\n    existing: true\n    sysctls: {net.ipv4.ip_forward: 1}" in text
    assert "obs-far:\n    existing: true\n    routes:" in text  # off: nothing written
    subject = observe_subject(process_tree=os.getpid())
    result = asyncio.run(check_observed(subject, CheckOptions(timeout=0.5)))
    far = _pair(result, "obs-far", "10.79.0.1")
    assert far.observed.verdict == far.predicted.verdict == "reachable", far.predicted.reason
    assert [m for m in result.mismatches if m.source in ("obs-near", "obs-far")] == []


def _short_lived(name: str) -> None:
    """Namespace ``name`` with a veth to ``name``-peer, both addressed: probes go from both."""
    sh(f"""set -e
ip netns add {name}
ip netns add {name}-peer
ip -n {name} link add x0 type veth peer name x1 netns {name}-peer
ip -n {name} addr add 10.81.0.1/24 dev x0
ip -n {name}-peer addr add 10.81.0.2/24 dev x1
ip -n {name} link set x0 up
ip -n {name}-peer link set x1 up
""")


def test_a_namespace_deleted_right_after_the_observation_is_observed_again(
        live: LiveHost) -> None:
    """The live host is not ours: a container that stops between the observation and the
    check's opening its namespace (a host check beside an apply or destroy) is no failure.
    The host is observed again, checked as it is then, and the report says what went."""
    _short_lived("obs-brief")
    looks: list[set[str]] = []

    def observe() -> Any:
        subject = observe_subject(process_tree=os.getpid())
        looks.append(set(subject.files))
        sh("ip netns del obs-brief", check=False)  # gone before the check opens it
        return subject

    try:
        result = asyncio.run(check_live_host(observe, CheckOptions(timeout=0.5)))
    finally:
        sh("ip netns del obs-brief-peer", check=False)
    assert "obs-brief" in looks[0] and "obs-brief" not in looks[1] and len(looks) == 2
    assert "observed the host again: obs-brief went away during the check" in result.notes
    assert result.probed and {p.source for p in result.pairs} >= {NAMED}


def test_a_host_whose_namespaces_keep_going_is_told_in_a_sentence(live: LiveHost) -> None:
    """Each look finds a namespace that is gone by the time it is opened: after the last
    look, a sentence naming them, not a bare "No such file or directory"."""
    count = iter(range(10))

    def observe() -> Any:
        name = f"obs-brief{next(count)}"
        _short_lived(name)
        subject = observe_subject(process_tree=os.getpid())
        sh(f"ip netns del {name}")
        return subject

    try:
        with pytest.raises(NamespaceGoneError) as raised:
            asyncio.run(check_live_host(observe, CheckOptions(timeout=0.5)))
    finally:
        sh("for n in 0 1 2; do ip netns del obs-brief$n-peer; done", check=False)
    assert str(raised.value).startswith(
        "the host's namespaces kept changing while they were checked (obs-brief0, obs-brief1,"
        " obs-brief2 went away each time right after they were observed): check again once"
        " they stay"), raised.value


def test_a_namespace_gone_before_its_rules_are_read_is_observed_again(
        live: LiveHost) -> None:
    """One that nothing probes from (only loopback has an address) is opened first to read
    its rules: its going was a note "could not be read … (is the topology deployed?)", words
    for a design, where the host is simply looked at again."""
    sh("ip netns add obs-quiet && ip -n obs-quiet link set lo up")
    looks = []

    def observe() -> Any:
        subject = observe_subject(process_tree=os.getpid())
        looks.append(set(subject.files))
        sh("ip netns del obs-quiet", check=False)
        return subject

    result = asyncio.run(check_live_host(observe, CheckOptions(timeout=0.5)))
    assert "obs-quiet" in looks[0] and len(looks) == 2, looks
    assert not any("could not be read" in note for note in result.notes), result.notes
    assert "observed the host again: obs-quiet went away during the check" in result.notes
