"""An address two namespaces hold: the targets name every holder, the pairs say which answers.

Two separate veth links, x–y and z–w, use the same two addresses (valid: no segment holds
one twice). A probe from x to 10.0.0.2 can only reach y, whichever holder's target it is
made for; w's firewall drops everything, so x's reply from "w/w-e" proves y answered. On
one bridge, an IPv6 address on two namespaces with nodad (a warning, not an error) makes
either answer, and a reply *to* that address may go to the other holder.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable

import pytest

from netwright.backend.checks.errors import CheckOptionsError
from netwright.backend.checks.explain import explain
from netwright.backend.checks.render import render
from netwright.backend.checks.results import CheckResult, Pair
from netwright.backend.checks.run import CheckOptions, run_check
from netwright.backend.topology import Topology, parse_topology
from tests.checks.test_dad_kernel import check_from
from tests.checks.test_rpfilter_kernel import check

TWO_LINKS = """
netwright: 1
name: dup
namespaces: {x: {}, y: {}, z: {}, w: {W}}
interfaces:
  xe: {kind: veth, namespace: x, peer: ye, addresses: [10.0.0.1/24]}
  ye: {kind: veth, namespace: y, peer: xe, addresses: [10.0.0.2/24]}
  ze: {kind: veth, namespace: z, peer: we, addresses: [10.0.0.1/24]}
  we: {kind: veth, namespace: w, peer: ze, addresses: [10.0.0.2/24]}
"""

ONE_BRIDGE = """
netwright: 1
name: dup6
namespaces: {a: {}, b: {}, c: {}}
interfaces:
  br0: {kind: bridge}
  pa: {kind: veth, peer: ea, master: br0}
  ea: {kind: veth, namespace: a, peer: pa, addresses: ["fd00::1/64 nodad"]}
  pb: {kind: veth, peer: eb, master: br0}
  eb: {kind: veth, namespace: b, peer: pb, addresses: ["fd00::2/64 nodad"]}
  pc: {kind: veth, peer: ec, master: br0}
  ec: {kind: veth, namespace: c, peer: pc, addresses: ["fd00::2/64 nodad"]}
"""


def two_links(w: str = "") -> Topology:
    return parse_topology(TWO_LINKS.replace("{W}", w or "{}"))


def pair(pairs: list[Pair], source: str, owner: str) -> Pair:
    return next(p for p in pairs if p.source == source and p.target.owner == owner)


def test_a_duplicate_target_names_every_holder_and_says_which_answers() -> None:
    pairs = explain(two_links())
    to_w = pair(pairs, "x", "we")
    assert to_w.target.label == "w/we (duplicate: y holds it too)"
    assert to_w.predicted.verdict == "reachable"
    assert "answered by y/ye, not w/we" in to_w.predicted.reason
    assert "x's packets for it reach y/ye's link only" in to_w.predicted.reason
    to_y = pair(pairs, "x", "ye").predicted.reason
    assert "w/we holds 10.0.0.2 too, but x's packets for it reach y/ye" in to_y
    assert "either may answer" not in to_y  # only y is on x's link
    own = pair(pairs, "x", "ze").predicted
    assert own.reason == ("10.0.0.1 is x's own address: delivered locally; it never reaches"
                          " z/ze, which holds 10.0.0.1 too")
    legend = render(CheckResult("dup", pairs))
    assert "10.0.0.2         w/we (duplicate: y holds it too)" in legend


def test_holders_on_one_link_race_and_a_reply_may_go_astray() -> None:
    pairs = explain(parse_topology(ONE_BRIDGE))
    to_b = pair(pairs, "a", "eb").predicted.reason
    assert "b/eb and c/ec share fd00::2 on one link, and either may answer (whichever" \
        " answers neighbour discovery first)" in to_b
    back = pair(pairs, "c", "ea").predicted
    assert back.verdict == "reachable"
    assert "but c shares fd00::2 with b/eb on one link: a's reply goes to whichever of them" \
        " its neighbour entry for fd00::2 names, so it may never come back" in back.reason


@pytest.mark.root
def test_the_holder_reached_is_the_one_on_the_link(
        deploy: Callable[[Topology], object]) -> None:
    # w drops everything: a reply to x for "w/we" can only be y's
    result = check(deploy(two_links("{firewall: {input: {policy: drop}}}")))
    to_w = pair(result.pairs, "x", "we")
    assert to_w.observed is not None and to_w.observed.verdict == "reachable"
    assert "answered by y/ye, not w/we" in to_w.predicted.reason
    assert pair(result.pairs, "z", "ye").predicted.verdict == "unreachable"  # w's, dropped


@pytest.mark.root
def test_a_reply_that_went_to_the_other_holder_was_foretold(
        deploy: Callable[[Topology], object]) -> None:
    deployment = deploy(parse_topology(ONE_BRIDGE))
    # which holder a's neighbour entry for fd00::2 names is a race: settle it on b
    mac = subprocess.run(["ip", "-n", "b", "-br", "link", "show", "eb"], check=True,
                         capture_output=True, text=True).stdout.split()[2]
    subprocess.run(["ip", "-n", "a", "neigh", "replace", "fd00::2", "lladdr", mac, "dev", "ea",
                    "nud", "permanent"], check=True)
    result = asyncio.run(run_check(deployment, CheckOptions(timeout=0.3, retries=1)))
    assert [(p.source, p.target.owner) for p in result.mismatches] == [("c", "ea")]
    astray = pair(result.pairs, "c", "ea")
    assert astray.observed is not None and astray.observed.verdict == "unreachable"
    assert "so it may never come back" in astray.predicted.reason


@pytest.mark.root
def test_from_a_duplicate_address_names_its_holder(
        deploy: Callable[[Topology], object]) -> None:
    """`--from 10.0.0.1` once sent from x in silence, though z holds it too: it is refused
    with the way to say which; `10.0.0.1@z` sends from z, whose link leads to w."""
    deployment = deploy(two_links())
    with pytest.raises(CheckOptionsError) as refused:
        asyncio.run(run_check(deployment, CheckOptions(timeout=0.3, source="10.0.0.1")))
    assert str(refused.value) == ("10.0.0.1 is held by x and z (a duplicate address): say"
                                  " which sends, e.g. --from 10.0.0.1@x")
    result = check_from(deployment, "10.0.0.1@z")
    assert {p.source for p in result.pairs} == {"z"}
    to_y = pair(result.pairs, "z", "ye")
    assert to_y.observed is not None and to_y.observed.verdict == "reachable"
    assert "answered by w/we, not y/ye" in to_y.predicted.reason


PUBLISHED_TO_A_DUPLICATE = """
netwright: 1
name: dupnat
namespaces:
  q: {}
  p: {}
  a: {routes: [{to: default, via: 10.0.1.1}]}
  b: {routes: [{to: default, via: 10.0.2.1}]}
  r:
    forwarding: {ipv4: true}
    nat: [{publish: {proto: tcp, port: 8080, in: ra, to: 10.0.2.2, to-port: 80}}]
interfaces:
  eq: {kind: veth, peer: ep, namespace: q, addresses: [10.0.2.2/24]}
  ep: {kind: veth, peer: eq, namespace: p, addresses: [10.0.2.9/24]}
  ea: {kind: veth, peer: ra, namespace: a, addresses: [10.0.1.2/24]}
  ra: {kind: veth, peer: ea, namespace: r, addresses: [10.0.1.1/24]}
  eb: {kind: veth, peer: rb, namespace: b, addresses: [10.0.2.2/24]}
  rb: {kind: veth, peer: eb, namespace: r, addresses: [10.0.2.1/24]}
"""


@pytest.mark.root
def test_a_port_published_to_a_duplicate_names_the_holder_it_reaches(
        deploy: Callable[[Topology], object]) -> None:
    """r publishes 8080 to 10.0.2.2, which q (first in the file, on a link of its own) and b
    (behind r) hold: the translation reaches b, and the reason once named q."""
    result = check(deploy(parse_topology(PUBLISHED_TO_A_DUPLICATE)))
    published = next(s for s in pair(result.pairs, "a", "ra").services if s.port == 8080)
    assert published.observed is not None and published.observed.verdict == "reachable"
    assert "a → 10.0.1.1:8080 reaches b:80 (published in r)" in published.predicted.reason
