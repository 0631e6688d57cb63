"""IPv6 duplicate address detection, predicted and measured.

Namespaces a and b share a bridge with router r, which leads to c on another link. With the
same IPv6 address on a and b and no ``nodad``, DAD fails on one of them (a race: the check
reads which from the kernel): that one still reaches its own link (from its link-local
address), but not c behind the router, nor its own failed address. With unique addresses
(DAD runs and succeeds) or with ``nodad`` (no DAD at all), nothing changes. Deployed by the
real engine; every pair's observation equals its prediction.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable

import pytest

from netwright.backend.checks.dad import dad_to_wait_for
from netwright.backend.checks.explain import Explainer, explain
from netwright.backend.checks.results import CheckResult, Pair
from netwright.backend.checks.run import CheckOptions, run_check
from netwright.backend.topology import Topology, parse_topology
from netwright.backend.topology.problems import NetwrightError
from tests.checks.test_rpfilter_kernel import check

pytestmark = pytest.mark.root

SEGMENT = """
netwright: 1
name: dad
namespaces:
  a: {routes: [{to: default, via: "fd00::fe"}]}
  b: {routes: [{to: default, via: "fd00::fe"}]}
  r: {sysctls: {net.ipv6.conf.all.forwarding: 1}}
  c: {routes: [{to: default, via: "fd01::fe"}]}
interfaces:
  br0: {kind: bridge}
  va: {kind: veth, peer: ea, master: br0}
  ea: {kind: veth, peer: va, namespace: a, addresses: ["A"]}
  vb: {kind: veth, peer: eb, master: br0}
  eb: {kind: veth, peer: vb, namespace: b, addresses: ["B"]}
  vr: {kind: veth, peer: er, master: br0}
  er: {kind: veth, peer: vr, namespace: r, addresses: ["fd00::fe/64 nodad"]}
  rc: {kind: veth, peer: ec, namespace: r, addresses: ["fd01::fe/64 nodad"]}
  ec: {kind: veth, peer: rc, namespace: c, addresses: ["fd01::2/64 nodad"]}
"""


def design(a: str, b: str) -> Topology:
    return parse_topology(SEGMENT.replace('"A"', f'"{a}"').replace('"B"', f'"{b}"'))


def pair(result: CheckResult, source: str, target: str, owner: str | None = None) -> Pair:
    return next(p for p in result.pairs if p.source == source and p.target.address == target
                and owner in (None, p.target.owner))


def flags(namespace: str) -> str:
    """What `ip` says about the namespace's global IPv6 addresses."""
    return subprocess.run(["ip", "-n", namespace, "-6", "addr", "show", "scope", "global"],
                          check=True, capture_output=True, text=True).stdout


def test_duplicate_without_nodad_fails_dad_on_one_and_the_check_says_which(
        deploy: Callable[[Topology], object]) -> None:
    topology = design("fd00::1/64", "fd00::1/64")
    before = {(p.source, p.target.address): p.predicted for p in explain(topology)}
    assert "duplicate address detection fails on one of them" in before[("c", "fd00::1")].reason
    assert "if ea loses duplicate address detection for fd00::1 (a race with eb), a sends" \
        " from its link-local address" in before[("a", "fd01::2")].reason
    result = check(deploy(topology))
    failed = [ns for ns in ("a", "b") if "dadfailed" in flags(ns)]
    assert len(failed) >= 1  # the race: one of them (both, if they probed at once)
    loser = failed[0]
    winner = "b" if loser == "a" else "a"
    assert any(f"failed duplicate address detection on {loser}'s e{loser}" in note
               for note in result.notes)
    behind = pair(result, loser, "fd01::2")
    assert behind.predicted.verdict == "unreachable"
    assert behind.predicted.disposition == "address_unusable"
    assert "Beyond scope of source address" in behind.predicted.reason
    assert "give e" in (behind.predicted.fix or "")
    own = pair(result, loser, "fd00::1", owner=f"e{loser}")
    assert own.predicted.verdict == "unreachable"
    assert pair(result, loser, "fd00::fe").predicted.verdict == "reachable"  # link-local
    if len(failed) == 1:
        assert pair(result, winner, "fd01::2").predicted.verdict == "reachable"
        answered = pair(result, "c", "fd00::1", owner=f"e{loser}").predicted
        assert answered.verdict == "reachable" and f"answered by e{winner}" in answered.reason


@pytest.mark.parametrize(("a", "b"), [("fd00::1/64", "fd00::2/64"),
                                      ("fd00::1/64 nodad", "fd00::2/64 nodad")])
def test_unique_addresses_with_or_without_dad_change_nothing(
        a: str, b: str, deploy: Callable[[Topology], object]) -> None:
    result = check(deploy(design(a, b)))
    assert not [p for p in result.pairs if p.predicted.verdict == "unreachable"]
    shown = flags("a")
    assert "tentative" not in shown and "dadfailed" not in shown
    assert ("nodad" in shown) == a.endswith("nodad")  # the engine set IFA_F_NODAD
    if a.endswith("nodad"):  # every address nodad: the link-locals' DAD held nothing up
        assert "dad_wait" not in result.seconds, result.seconds


PAIR = """
netwright: 1
name: w
namespaces: {a: {routes: [{to: default, via: "G"}]}, b: {}}
interfaces:
  ea: {kind: veth, peer: eb, namespace: a, addresses: ["A", "fe80::a/64 nodad"]}
  eb: {kind: veth, peer: ea, namespace: b, addresses: ["B", "fe80::b/64 nodad"]}
"""


@pytest.mark.parametrize(("a", "b", "gateway", "waits"), [
    ("fd00::1/64 nodad", "fd00::2/64 nodad", "fd00::2", False),
    ("fd00::1/64 nodad", "fd00::2/64", "fd00::2", True),  # b's address does DAD
    ("fd00::1/64 nodad", "fd00::2/64 nodad", "fe80::b", True),  # a link-local gateway
    ("10.0.0.1/24", "10.0.0.2/24", "10.0.0.2", False),  # only IPv4 (and nodad link-locals)
])
def test_a_check_waits_for_dad_only_where_a_probe_may_need_it(a: str, b: str, gateway: str,
                                                              waits: bool) -> None:
    topology = parse_topology(PAIR.replace('"A"', f'"{a}"').replace('"B"', f'"{b}"')
                              .replace('"G"', f'"{gateway}"'))
    assert dad_to_wait_for(topology) is waits


NO_CARRIER = """
netwright: 1
name: dadnc
namespaces: {a: {}, b: {}}
interfaces:
  ea: {kind: veth, peer: eb, namespace: a, addresses: [10.0.0.1/24, "A"]}
  eb: {kind: veth, peer: ea, namespace: b, state: down}
"""


@pytest.mark.parametrize(("address", "verdict"), [("fd00::1/64", "unreachable"),
                                                  ("fd00::1/64 nodad", "reachable")])
def test_without_carrier_an_address_stays_tentative_unless_nodad(
        address: str, verdict: str, deploy: Callable[[Topology], object]) -> None:
    """A veth whose peer is down has no carrier: DAD cannot run, so its IPv6 address stays
    tentative (not even its own namespace reaches it) while IPv4 works; nodad skips DAD.
    The check does not wait for such an address (it would wait forever)."""
    topology = parse_topology(NO_CARRIER.replace('"A"', f'"{address}"'))
    static = pair_of(explain(topology), "a", "fd00::1")
    assert static.predicted.verdict == verdict
    result = check(deploy(topology))
    own = pair(result, "a", "fd00::1")
    assert own.predicted.verdict == verdict
    assert pair(result, "a", "10.0.0.1").predicted.verdict == "reachable"
    assert "dad_wait" not in result.seconds
    if verdict == "unreachable":
        assert own.predicted.disposition == "address_unusable"
        assert "tentative" in own.predicted.reason and "tentative" in flags("a")
        for said in (static, own):
            assert "waits for carrier, and veth ea has no carrier" in said.predicted.reason


def pair_of(pairs: list[Pair], source: str, target: str) -> Pair:
    return next(p for p in pairs if p.source == source and p.target.address == target)


def test_with_nodad_on_one_holder_the_other_is_predicted_to_lose() -> None:
    """No race then: the holder with nodad answers the other's probe, so the other fails."""
    pairs = {(p.source, p.target.address): p.predicted
             for p in explain(design("fd00::1/64 nodad", "fd00::1/64"))}
    assert "eb fails duplicate address detection for fd00::1 (ea holds it with nodad), so b" \
        " sends from its link-local address" in pairs[("b", "fd01::2")].reason
    assert "link-local" not in pairs[("a", "fd01::2")].reason
    # the loser chosen as the source (--from fd00::1@b) cannot send at all, as check measures
    chosen = Explainer(design("fd00::1/64 nodad", "fd00::1/64")).pairs("fd00::1@b")
    assert {p.source for p in chosen} == {"b"}
    assert all(p.predicted.disposition == "address_unusable" for p in chosen), chosen
    assert "cannot send from fd00::1: fd00::1 failed duplicate address detection on b's eb" \
        " (ea holds it)" in chosen[0].predicted.reason
    assert "without a chosen source b sends from its link-local address" \
        in chosen[0].predicted.reason


def check_from(deployment: object, source: str) -> CheckResult:
    result = asyncio.run(run_check(deployment, CheckOptions(timeout=0.3, retries=1,
                                                            source=source)))
    assert result.probed and not result.mismatches, "\n".join(
        f"{p.source} → {p.target.label}: {p.mismatch_text()}" for p in result.mismatches)
    return result


def test_from_names_the_namespace_that_lost_dad(deploy: Callable[[Topology], object]) -> None:
    """`--from fd00::1` means the holder that kept it; `--from fd00::1@LOSER` probes from the
    loser, whose kernel refuses to send from a failed address (bind: EADDRNOTAVAIL), and the
    prediction says so, with the link-local fallback it uses otherwise."""
    deployment = deploy(design("fd00::1/64", "fd00::1/64 nodad"))  # b keeps it: no race
    loser, winner = "a", "b"
    kept = check_from(deployment, "fd00::1")
    assert "dadfailed" in flags(loser)
    assert {p.source for p in kept.pairs} == {winner}
    assert pair(kept, winner, "fd01::2").observed.verdict == "reachable"  # type: ignore
    lost = check_from(deployment, f"fd00::1@{loser}")
    assert {p.source for p in lost.pairs} == {loser} and lost.pairs
    for probed in lost.pairs:
        assert probed.observed is not None and probed.observed.errno == "EADDRNOTAVAIL"
        assert probed.predicted.disposition == "address_unusable", probed.predicted
    reason = pair(lost, loser, "fd01::2").predicted.reason
    assert f"cannot send from fd00::1: fd00::1 failed duplicate address detection on {loser}'s" \
        f" e{loser}" in reason
    assert f"without a chosen source {loser} sends from its link-local address" in reason


@pytest.mark.parametrize(("source", "words"), [
    ("fd00::1@c", "c holds no address fd00::1 (--from fd00::1@c): it is held by a, b"),
    ("fd00::1@nope", "no namespace nope in the topology (--from ADDR@NAMESPACE); there are:"
                     " host, a, b, r, c"),
    ("fd00::1@", "--from ADDR@ names no namespace: write ADDR@NAMESPACE"),
])
def test_from_a_namespace_that_does_not_hold_the_address(source: str, words: str) -> None:
    with pytest.raises(NetwrightError) as caught:
        Explainer(design("fd00::1/64", "fd00::1/64")).pairs(source)
    assert words in str(caught.value)
