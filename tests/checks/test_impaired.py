"""Impaired paths, without a kernel: which devices shape a pair's echoes, what the design
asks of them, how measured echoes are judged against it, and how a flagged pair reads."""

from __future__ import annotations

import textwrap

import pytest

from netwright.backend.checks.explain import Explainer
from netwright.backend.checks.impaired import (
    PathImpairment,
    judge,
    path_impairment,
    probes_per_pair,
)
from netwright.backend.checks.render import render
from netwright.backend.checks.results import CheckResult, Observation, Pair
from netwright.backend.topology import parse_topology

BRIDGED = textwrap.dedent("""
    netwright: 1
    name: imp
    namespaces: {a: {}, b: {}, c: {}}
    interfaces:
      br0: {kind: bridge}
      pa: {kind: veth, peer: ea, master: br0}
      ea: {kind: veth, peer: pa, namespace: a, addresses: [10.0.0.1/24],
           impairment: {delay: 20ms, loss: 1%}}
      pb: {kind: veth, peer: eb, master: br0, impairment: {delay: 10ms, jitter: 2ms}}
      eb: {kind: veth, peer: pb, namespace: b, addresses: [10.0.0.2/24]}
      pc: {kind: veth, peer: ec, master: br0}
      ec: {kind: veth, peer: pc, namespace: c, addresses: [10.0.0.3/24],
           impairment: {rate: 10mbit}}
""")


@pytest.fixture(scope="module")
def explainer() -> Explainer:
    return Explainer(parse_topology(BRIDGED))


@pytest.mark.parametrize("case", [  # source, address, delay, jitter, loss, devices
    ("a", "10.0.0.2", 30, 2, 0.01, ("ea", "pb")),  # a's own device, then the port into b
    ("b", "10.0.0.1", 30, 2, 0.01, ("ea", "pb")),  # the same devices, on the reply
    ("a", "10.0.0.3", 20, 0, 0.01, ("ea",)),
    ("c", "10.0.0.2", 10, 2, 0.0, ("pb",)),
])
def test_the_devices_that_send_the_echo_add_up(
        explainer: Explainer, case: tuple[str, str, float, float, float, tuple[str, ...]]
) -> None:
    source, address, delay, jitter, loss, devices = case
    found = path_impairment(explainer, source, address)
    assert found is not None
    assert (found.delay_ms, found.jitter_ms, sorted(found.devices)) == (delay, jitter,
                                                                      sorted(devices))
    assert found.loss == pytest.approx(loss)


def test_a_rate_limit_alone_asks_nothing_of_an_echo(explainer: Explainer) -> None:
    assert path_impairment(explainer, "c", "10.0.0.3") is None  # its own address
    topology = parse_topology(BRIDGED.replace("impairment: {delay: 20ms, loss: 1%}", "mtu: 1500")
                              .replace(", impairment: {delay: 10ms, jitter: 2ms}", ""))
    assert path_impairment(Explainer(topology), "a", "10.0.0.3") is None


DESIGNED = PathImpairment(80.0, 10.0, 0.10, ("ea",))


def test_echoes_as_designed_are_within_tolerance() -> None:
    rtts = [80.0 + (i % 5) * 2 for i in range(18)]  # 2 of 20 lost: 10 %
    measured = judge(DESIGNED, rtts, 20)
    assert measured["within"] and measured["loss_percent"] == 10.0
    assert measured["rtt_ms"] == 84.0 and measured["designed_rtt_ms"] == 80.0
    assert measured["text"] == "RTT 84.0 ms, 10 % lost: as designed (RTT 80 ms ±10, 10 % loss)"


def test_echoes_outside_tolerance_say_how() -> None:
    too_fast = judge(PathImpairment(80.0, 10.0, 0.3, ("ea",)), [1.0] * 50, 50)
    assert not too_fast["within"]
    assert too_fast["text"] == ("RTT 1.0 ms (fastest tenth 1.0 ms), designed 80 ms (± 41.0);"
                                " 0 % lost, designed 30 % (± 22.4)")
    lossy = judge(PathImpairment(0.0, 0.0, 0.0, ("ea",)), [0.1] * 45, 50)
    assert not lossy["within"] and lossy["text"] == "10 % lost, designed 0 % (± 3)"
    # 10 % of 50 echoes may well all come back: three standard deviations are 12.7 %
    assert judge(DESIGNED, [80.0] * 50, 50)["within"]


def test_a_busy_machine_delays_some_echoes_but_not_the_floor_the_design_sets() -> None:
    """Measured in the stock-kernel VM beside the host suite: a 40 ms design, the median
    13 ms late, the fastest echoes on time. Within; a delay changed by hand moves the floor."""
    designed = PathImpairment(40.0, 0.0, 0.0, ("a0", "b0"))
    busy = [40.4] * 10 + [44.0] * 10 + [53.2] * 20 + [70.0] * 10  # median 53.2
    measured = judge(designed, busy, 50)
    assert measured["within"], measured["text"]
    assert (measured["rtt_ms"], measured["rtt_p10_ms"]) == (53.2, 40.4)
    slower = judge(designed, [value + 20 for value in busy], 50)
    assert not slower["within"]
    assert slower["text"].startswith("RTT 73.2 ms (fastest tenth 60.4 ms), designed 40 ms")


def test_a_flagged_pair_is_a_mismatch_and_survives_json(explainer: Explainer) -> None:
    pair = next(p for p in explainer.pairs() if p.source == "a" and
                p.target.address == "10.0.0.2")
    measured = judge(PathImpairment(30.0, 2.0, 0.01, ("ea", "pb")), [0.2] * 20, 20)
    flagged = Pair(pair.source, pair.target, pair.predicted,
                   Observation("reachable", rtt_ms=0.2, impairment=measured))
    result = CheckResult("imp", [flagged], probed=True)
    assert result.mismatches == [flagged]
    again = CheckResult.from_json(result.to_json())
    assert again.pairs[0].observed.impairment == measured  # type: ignore[union-attr]
    assert again.mismatches and "outside the designed impairment: RTT 0.2 ms (fastest tenth" \
        in (again.pairs[0].mismatch_text() or "")
    text = render(again)
    assert "Impaired paths, measured against the design:" in text
    assert "! a → " in text and "RTT 0.2 ms (designed 30 ±2), lost 0 % (designed 1 %) of 20" \
        in text


def test_many_impaired_pairs_share_the_echo_budget() -> None:
    assert [probes_per_pair(n) for n in (1, 400, 1000, 9900)] == [50, 50, 20, 5]
