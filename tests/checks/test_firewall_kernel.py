"""Firewall and NAT rules, applied by the real engine: the prediction equals the kernel.

Each case deploys a small design with rules (inet filter chains, bridge-port chains, NAT),
runs the whole check (ICMP, plus TCP and UDP for the ports the rules name) and fails on any
pair or port where the kernel did something else than the prediction said; it also asserts
the key verdicts and the deciding rule, so a prediction that agreed by accident would not
pass. Bridge-family conntrack is missing from this machine's kernel: port rules here are
stateless.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from netwright.backend.checks.results import CheckResult, Pair, Service
from netwright.backend.checks.run import CheckOptions, run_check
from netwright.backend.topology import Topology, load_topology, parse_topology

from .conftest import OUTSIDE, sh
from .test_rules_kernel import assert_agrees

pytestmark = pytest.mark.root
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# A reachable pair answers in well under a millisecond; a dropped one waits the timeout twice
# (one retry). 0.5 s stays generous for a loaded CI machine and halves every drop's wait.
FAST = CheckOptions(timeout=0.5, retries=1)

ROUTED = """
netwright: 1
name: {name}
namespaces:
  a: {{routes: [{{to: default, via: 10.0.1.1}}], {a}}}
  b: {{{b_routes} {b}}}
  r: {{forwarding: {{ipv4: true}}, {r}}}
interfaces:
  ea: {{kind: veth, peer: ra, namespace: a, addresses: [10.0.1.2/24]}}
  ra: {{kind: veth, peer: ea, namespace: r, addresses: [10.0.1.1/24]}}
  eb: {{kind: veth, peer: rb, namespace: b, addresses: [10.0.2.2/24]}}
  rb: {{kind: veth, peer: eb, namespace: r, addresses: [10.0.2.1/24]}}
"""
BACK = "routes: [{to: default, via: 10.0.2.1}],"

# nodad: these cases are about rules, not duplicate address detection (test_dad_kernel's
# business); with every address nodad the check starts probing without waiting 1-2 s for it.
BRIDGED = """
netwright: 1
name: {name}
host: {{{host}}}
namespaces: {{a: {{{a}}}, b: {{{b}}}}}
interfaces:
  br0: {{kind: bridge}}
  pa: {{kind: veth, peer: ea, master: br0{pa}}}
  ea: {{kind: veth, peer: pa, namespace: a, addresses: [10.0.0.1/24, "fd00::1/64 nodad"]}}
  pb: {{kind: veth, peer: eb, master: br0{pb}}}
  eb: {{kind: veth, peer: pb, namespace: b, addresses: [10.0.0.2/24, "fd00::2/64 nodad"]}}
"""


def routed(name: str, a: str = "", b: str = "", r: str = "", back: bool = True) -> Topology:
    return parse_topology(ROUTED.format(name=name, a=a, b=b, r=r,
                                        b_routes=BACK if back else ""))


def bridged(name: str, *, a: str = "", b: str = "", pa: str = "", pb: str = "",
            host: str = "") -> Topology:
    return parse_topology(BRIDGED.format(name=name, a=a, b=b, pa=pa, pb=pb, host=host))


def check(deployment: object) -> CheckResult:
    result = asyncio.run(run_check(deployment, FAST))
    assert_agrees(result)
    return result


def pair(result: CheckResult, source: str, target: str) -> Pair:
    return next(p for p in result.pairs if p.source == source and p.target.address == target)


def verdict(result: CheckResult, source: str, target: str) -> str:
    found = pair(result, source, target)
    assert found.observed is not None
    return found.observed.verdict


INPUT_DROP = "firewall: {input: {policy: drop}}"
ICMP_FROM_A = "firewall: {input: {policy: drop, rules: [{action: accept, proto: icmp," \
              " from: 10.0.0.1}]}}"
ICMP_FROM_A_STATEFUL = ICMP_FROM_A.replace("policy: drop,", "policy: drop, stateful: true,")


# (case, topology builder, {(source, target): verdict}, a phrase the deciding reason holds)
CASES: list[tuple[str, Callable[[], Topology], dict[tuple[str, str], str], str]] = [
    ("input-policy-drop", lambda: bridged("fwin", b=INPUT_DROP),
     {("a", "10.0.0.2"): "unreachable", ("b", "10.0.0.1"): "unreachable"},
     "drop policy of table inet netwright-fwin, chain input"),
    ("input-accept-rule-stateless", lambda: bridged("fwrule", b=ICMP_FROM_A),
     {("a", "10.0.0.2"): "reachable", ("b", "10.0.0.1"): "reachable",
      ("b", "fd00::1"): "unreachable"},
     "neighbour discovery for fd00::1 fails"),
    ("input-stateful-replies", lambda: bridged("fwstate", b=ICMP_FROM_A_STATEFUL),
     {("a", "10.0.0.2"): "reachable", ("b", "10.0.0.1"): "reachable"}, "allowed by"),
    ("input-ipv6-untouched-by-ip-rule", lambda: bridged(
        "fwsix", b="firewall: {input: {rules: [{action: drop, from: 10.0.0.1}]}}"),
     {("a", "10.0.0.2"): "unreachable", ("a", "fd00::2"): "reachable"}, "ip saddr 10.0.0.1"),
    ("input-ipv6-rule", lambda: bridged(
        "fwsix6", b='firewall: {input: {rules: [{action: drop, proto: icmpv6, from: "fd00::1"}]}}'),
     {("a", "fd00::2"): "unreachable", ("a", "10.0.0.2"): "reachable"}, "ip6 saddr fd00::1"),
    ("input-reject", lambda: bridged(
        "fwrej", b="firewall: {input: {rules: [{action: reject, proto: icmp}]}}"),
     {("a", "10.0.0.2"): "unreachable"}, "refused"),
    ("output-drop", lambda: bridged(
        "fwout", a="firewall: {output: {rules: [{action: drop, to: 10.0.0.2}]}}"),
     {("a", "10.0.0.2"): "unreachable", ("b", "10.0.0.1"): "unreachable",
      ("a", "fd00::2"): "reachable"}, "chain output"),
    ("conntrack-state-rule", lambda: bridged(
        "fwct", a="firewall: {input: {policy: drop, rules: [{action: accept,"
                  " state: [established, related]}]}}"),
     {("a", "10.0.0.2"): "reachable", ("b", "10.0.0.1"): "unreachable"}, "ct state"),
    ("forward-policy-drop", lambda: routed("fwfwd", r="firewall: {forward: {policy: drop}}"),
     {("a", "10.0.2.2"): "unreachable", ("a", "10.0.1.1"): "reachable"},
     "chain forward"),
    ("forward-stateful-one-way", lambda: routed(
        "fwfwds", r="firewall: {forward: {policy: drop, stateful: true,"
                    " rules: [{action: accept, in: ra}]}}"),
     {("a", "10.0.2.2"): "reachable", ("b", "10.0.1.2"): "unreachable"}, 'iifname "ra"'),
    ("forward-stateless-replies-dropped", lambda: routed(
        "fwfwdn", r="firewall: {forward: {policy: drop, rules: [{action: accept, in: ra}]}}"),
     {("a", "10.0.2.2"): "unreachable", ("b", "10.0.1.2"): "unreachable"},
     "stateful: true"),
    ("forward-by-out-interface", lambda: routed(
        "fwoif", r="firewall: {forward: {rules: [{action: drop, out: ra, from: 10.0.2.2}]}}"),
     {("a", "10.0.2.2"): "unreachable", ("b", "10.0.1.2"): "unreachable",
      ("b", "10.0.1.1"): "reachable"}, 'oifname "ra"'),
    ("masquerade", lambda: routed(
        "fwmasq", back=False, r="nat: [{masquerade: {from: 10.0.1.0/24, out: rb}}]"),
     {("a", "10.0.2.2"): "reachable", ("b", "10.0.1.2"): "unreachable"},
     "leaves rb as 10.0.2.1 (masquerade"),
    ("snat", lambda: routed(
        "fwsnat", back=False, r="nat: [{snat: {from: 10.0.1.0/24, out: rb, to: 10.0.2.1}}]"),
     {("a", "10.0.2.2"): "reachable"}, "as 10.0.2.1 (snat"),
    ("no-nat-no-route-back", lambda: routed("fwnonat", back=False),
     {("a", "10.0.2.2"): "unreachable"}, "reply cannot come back"),
    ("bridge-to-port-drop", lambda: bridged(
        "fwbto", pb=", port-firewall: {to-port: {rules: [{action: drop, proto: icmp,"
                    " from: 10.0.0.1}]}}"),
     {("a", "10.0.0.2"): "unreachable", ("a", "fd00::2"): "reachable"},
     "table bridge netwright-fwbto, chain to-pb"),
    ("bridge-from-port-policy", lambda: bridged(
        "fwbfrom", pa=", port-firewall: {from-port: {policy: drop, rules: [{action: accept,"
                      " to: 10.0.0.2}]}}"),
     {("a", "10.0.0.2"): "reachable", ("a", "fd00::2"): "unreachable",
      ("b", "10.0.0.1"): "reachable"}, "port-firewall.from-port"),
    ("bridge-anti-spoofing", lambda: bridged(
        "fwspoof", pa=', port-firewall: {anti-spoofing: {ips: [10.0.0.1, "fd00::1"]}}'),
     {("a", "10.0.0.2"): "reachable", ("b", "fd00::1"): "reachable"}, ""),
    ("bridged-ipv4-meets-the-ip-forward-hook", lambda: bridged(
        "fwbrnf", host="firewall: {forward: {policy: drop}}"),
     {("a", "10.0.0.2"): "unreachable", ("a", "fd00::2"): "unreachable"},
     "bridge-nf-call-iptables is 1"),
    ("default-policy-accept-with-drop-rule", lambda: routed(
        "fwacc", r="firewall: {forward: {policy: accept, rules: [{action: drop,"
                   " to: 10.0.2.2, proto: icmp}]}}"),
     {("a", "10.0.2.2"): "unreachable", ("a", "10.0.2.1"): "reachable"},
     "proto icmp"),
]


@pytest.mark.parametrize(("case", "build", "expected", "phrase"), CASES,
                         ids=[c[0] for c in CASES])
def test_rule_case(case: str, build: Callable[[], Topology],
                   expected: dict[tuple[str, str], str], phrase: str,
                   deploy: Callable[[Topology], object]) -> None:
    result = check(deploy(build()))
    for (source, target), wanted in expected.items():
        assert verdict(result, source, target) == wanted, (case, source, target)
    reasons = " ".join(f"{p.predicted.reason} {p.predicted.fix}" for p in result.pairs)
    assert phrase in reasons, reasons


def service(result: CheckResult, source: str, target: str, proto: str, port: int) -> Service:
    found = next(s for s in pair(result, source, target).services
                 if s.proto == proto and s.port == port)
    assert found.observed is not None
    return found


SSH_ONLY = "firewall: {input: {policy: drop, stateful: true, rules: [{action: accept," \
           " proto: tcp, dport: 22}, {action: accept, proto: udp, dport: 53}]}}"

# (case, topology, {(source, target, proto, port): verdict}, phrase in a service's reason)
PORT_CASES: list[tuple[str, Callable[[], Topology], dict[tuple[str, str, str, int], str],
                       str]] = [
    ("input-ports-allowed-and-dropped", lambda: bridged("fwport", b=SSH_ONLY),
     {("a", "10.0.0.2", "tcp", 22): "reachable", ("a", "10.0.0.2", "tcp", 9): "unreachable",
      ("a", "10.0.0.2", "udp", 53): "reachable", ("a", "10.0.0.2", "udp", 9): "unreachable",
      ("b", "10.0.0.1", "tcp", 22): "reachable"},
     "tcp 10.0.0.1 → 10.0.0.2 port 9 is dropped (no answer) by the drop policy"),
    ("input-port-rejected", lambda: bridged(
        "fwprej", b="firewall: {input: {rules: [{action: reject, proto: tcp, dport: 23},"
                    " {action: reject, proto: udp, dport: 69}]}}"),
     {("a", "10.0.0.2", "tcp", 23): "unreachable", ("a", "10.0.0.2", "tcp", 9): "reachable",
      ("a", "10.0.0.2", "udp", 69): "unreachable"}, "refused"),
    ("forward-port-stateful", lambda: routed(
        "fwfport", r="firewall: {forward: {policy: drop, stateful: true, rules: [{action:"
                     " accept, proto: tcp, dport: 80, to: 10.0.2.2}]}}"),
     {("a", "10.0.2.2", "tcp", 80): "reachable", ("a", "10.0.2.2", "tcp", 9): "unreachable",
      ("b", "10.0.1.2", "tcp", 80): "unreachable"}, "tcp dport 80"),
    ("dnat-published-port", lambda: routed(
        "fwdnat", r="nat: [{publish: {proto: tcp, port: 8080, in: ra, to: 10.0.2.2,"
                    " to-port: 80}}, {publish: {proto: udp, port: 5353, in: ra, to: 10.0.2.2,"
                    " to-port: 53}}]"),
     {("a", "10.0.1.1", "tcp", 8080): "reachable", ("a", "10.0.1.1", "udp", 5353): "reachable",
      ("a", "10.0.2.2", "tcp", 80): "reachable"},
     "a → 10.0.1.1:8080 reaches b:80 (published in r)"),
    ("bridge-port-tcp-only", lambda: bridged(
        "fwbport", pb=", port-firewall: {to-port: {policy: drop, rules: [{action: accept,"
                      " proto: tcp, dport: 22}]}}"),
     {("a", "10.0.0.2", "tcp", 22): "reachable", ("a", "10.0.0.2", "tcp", 9): "unreachable"},
     "table bridge netwright-fwbport, chain to-pb"),
    # to itself the reply has the request's addresses: the reason still says it was the reply
    ("input-stateless-own-port", lambda: bridged(
        "fwself", b="firewall: {input: {policy: drop, rules: [{action: accept, proto: tcp,"
                    " dport: 22, to: 10.0.0.2}]}}"),
     {("b", "10.0.0.2", "tcp", 22): "unreachable", ("a", "10.0.0.2", "tcp", 22): "reachable"},
     "tcp/22 to itself: the request arrives but the reply cannot come back: tcp 10.0.0.2 port"
     " 22 → 10.0.0.2 is dropped"),
]


@pytest.mark.parametrize(("case", "build", "expected", "phrase"), PORT_CASES,
                         ids=[c[0] for c in PORT_CASES])
def test_port_case(case: str, build: Callable[[], Topology],
                   expected: dict[tuple[str, str, str, int], str], phrase: str,
                   deploy: Callable[[Topology], object]) -> None:
    """TCP and UDP through rules: a responder answers in the target namespace."""
    result = check(deploy(build()))
    for (source, target, proto, port), wanted in expected.items():
        found = service(result, source, target, proto, port)
        assert found.observed is not None and found.observed.verdict == wanted, \
            (case, source, target, proto, port, found.observed)
        if wanted == "unreachable" and "refused" in found.predicted.reason:
            assert found.observed.error == "Connection refused"
    reasons = " ".join(f"{s.proto}/{s.port}{' to itself' if p.target.role == 'self' else ''}:"
                       f" {s.predicted.reason} {s.predicted.fix}"
                       for p in result.pairs for s in p.services)
    assert phrase in reasons, reasons


FOREIGN = """table ip foreignfw {
  chain input {
    type filter hook input priority -10; policy accept;
    ip saddr 10.0.0.1 icmp type echo-request drop
  }
}
"""
NAMED_SET = """table ip foreignset {
  set blocked { type ipv4_addr; elements = { 10.0.0.1 } }
  chain input {
    type filter hook input priority -10; policy accept;
    ip saddr @blocked drop
  }
}
"""
UNREADABLE = """table ip foreignmark {
  chain input {
    type filter hook input priority -10; policy accept;
    meta mark 7 drop
  }
}
"""


@pytest.mark.parametrize(("table", "phrase", "verdicts"), [
    (FOREIGN, "'ip saddr 10.0.0.1 icmp type echo-request drop' in table ip foreignfw,"
              " chain input", ("unreachable", "reachable")),
    # the set drops a's replies to b as well
    (NAMED_SET, "'ip saddr @blocked drop' in table ip foreignset", ("unreachable",) * 2),
    (UNREADABLE, "unsure: 'meta mark 7 drop' in table ip foreignmark, chain input: meta mark"
                 " is not modelled — taken as not matching", ("reachable",) * 2),
])
def test_a_foreign_table_that_drops(table: str, phrase: str, verdicts: tuple[str, str],
                                    deploy: Callable[[Topology], object],
                                    tmp_path: Path) -> None:
    """A table Netwright does not own, in a namespace of the design: read, named in the
    notes and in the reason, taken into the prediction (and left as it was)."""
    deployment = deploy(bridged("fwforeign", b="firewall: {input: {policy: accept}}"))
    namespace = deployment.namespaces["b"]  # type: ignore[attr-defined]
    rules = tmp_path / "foreign.nft"
    rules.write_text(table)
    sh(f"ip netns exec {namespace} nft -f {rules}")
    before = subprocess.run(["ip", "netns", "exec", namespace, "nft", "list", "ruleset"],
                            capture_output=True, text=True, check=True).stdout
    result = check(deployment)
    assert (verdict(result, "a", "10.0.0.2"), verdict(result, "b", "10.0.0.1")) == verdicts
    found = pair(result, "a", "10.0.0.2").predicted
    assert phrase in found.reason, found.reason
    assert any("not own" in note and "b: table ip foreign" in note for note in result.notes), \
        result.notes
    after = subprocess.run(["ip", "netns", "exec", namespace, "nft", "list", "ruleset"],
                           capture_output=True, text=True, check=True).stdout
    assert after == before


def test_docker_example_masquerades_and_publishes(uplink: Callable[..., str],
                                                  deploy: Callable[[Topology], object]) -> None:
    """examples/docker-bridge.yaml, with the outside answering and connecting from its own
    namespace (as in the lab): c1 reaches the outside through masquerade (ICMP, TCP, UDP),
    the outside reaches c1's port 80 through the published 8080, and container to container
    passes the host's forward chain (bridged IPv4 meets it under br_netfilter)."""
    _doc, topology = load_topology(EXAMPLES / "docker-bridge.yaml")
    router = uplink("wlp2s0", route_outside=True)
    deployment = deploy(topology)
    result = asyncio.run(run_check(deployment, CheckOptions(
        timeout=0.5, retries=1, outside=OUTSIDE, outside_netns=router)))
    assert_agrees(result)
    out = pair(result, "c1", OUTSIDE)
    assert verdict(result, "c1", OUTSIDE) == "reachable"
    assert "c1 → 203.0.113.114 leaves wlp2s0 as 192.168.31.240 (masquerade" \
        in out.predicted.reason
    assert {(s.proto, s.port): s.observed.verdict for s in out.services if s.observed} == {
        ("tcp", 80): "reachable", ("tcp", 8080): "reachable", ("tcp", 9): "reachable",
        ("tcp", 443): "reachable", ("udp", 53): "reachable"}
    published = service(result, "outside", "192.168.31.240", "tcp", 8080)
    assert published.observed is not None and published.observed.verdict == "reachable"
    assert "outside → 192.168.31.240:8080 reaches c1:80 (published in host)" \
        in published.predicted.reason
    between = service(result, "c2", "172.17.0.2", "tcp", 80).observed
    assert between is not None and between.verdict == "reachable"
    refused = service(result, "c1", "192.168.31.240", "tcp", 8080)  # not from the uplink
    assert refused.observed is not None and refused.observed.error == "Connection refused"
    # the port is published: why it did not take this connection, and no "publish it" fix
    assert "the host's publish of tcp/8080 (to 172.17.0.2:80) takes only packets arriving" \
        " on wlp2s0, and these arrive on docker0" in refused.predicted.reason
    assert refused.predicted.fix == "connect to 172.17.0.2:80 itself (the publish is for" \
        " what arrives on wlp2s0)"
    own = service(result, "host", "192.168.31.240", "tcp", 8080)
    assert own.observed is not None and own.observed.error == "Connection refused"
    assert "rewrites packets arriving from elsewhere (prerouting), never the host's own" \
        in own.predicted.reason


def test_another_deployments_table_is_read_and_named_as_its(
        deploy: Callable[[Topology], object]) -> None:
    """Another topology's own table is foreign to this check, but Netwright's: the note
    says whose it is, not that Netwright does not own it."""
    deploy(parse_topology("netwright: 1\nname: fwtwo\n"
                          "host: {firewall: {input: {policy: accept}}}\n"))
    result = check(deploy(bridged("fwone")))
    said = [note for note in result.notes if "table inet netwright-fwtwo" in note]
    assert said and "(topology fwtwo's)" in said[0], result.notes
    assert said[0].startswith("rules fwone does not own are read"), said


def test_the_designs_own_table_edited_by_hand_is_named_beside_the_mismatch(
        deploy: Callable[[Topology], object]) -> None:
    """A rule added to the design's own table by hand made pairs mismatch with no word of
    why (the prediction follows the design); a table deleted by hand likewise."""
    deployment = deploy(bridged("fwhand", b=INPUT_DROP))
    assert not any("by hand" in note for note in check(deployment).notes)
    sh("ip netns exec b nft insert rule inet netwright-fwhand input meta l4proto icmp accept")
    edited = asyncio.run(run_check(deployment, FAST))
    assert edited.mismatches  # a → b's echo now answers, against the design
    assert any(note.startswith("table inet netwright-fwhand in b differs from the design"
                               " (edited by hand?)") and "netwright status fwhand" in note
               for note in edited.notes), edited.notes
    sh("ip netns exec b nft delete table inet netwright-fwhand")
    gone = asyncio.run(run_check(deployment, FAST))
    assert any(note.startswith("table inet netwright-fwhand in b is missing (deleted by"
                               " hand?)") for note in gone.notes), gone.notes
