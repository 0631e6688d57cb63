"""A check's pairs take their observations in place (``Pair.observe_all``): the pairs a check
made for itself come back as the same objects, observed; a pair given twice, or observed
already, is copied, so no observation lands on another's pair."""

from __future__ import annotations

from netwright.backend.checks.results import Observation, Pair, Prediction, Target

PREDICTED = Prediction("reachable", "delivered", "same segment")


def pair(address: str) -> Pair:
    return Pair.unprobed("n0", Target(address, "peer", "e1", "n1", "n1/e1"), PREDICTED)


def test_fresh_pairs_are_observed_in_place() -> None:
    pairs = [pair("10.0.0.1"), pair("10.0.0.2")]
    seen = [Observation("reachable", rtt_ms=0.1), Observation("unreachable", "no reply")]
    observed = Pair.observe_all(pairs, seen)
    assert [p is q for p, q in zip(observed, pairs, strict=True)] == [True, True]
    assert [p.observed for p in observed] == seen
    assert observed[1].matches is False and observed[0].matches is True


def test_a_pair_given_twice_or_observed_already_is_copied() -> None:
    twice = pair("10.0.0.1")
    earlier = pair("10.0.0.3").with_observed(Observation("reachable"))
    seen = [Observation("reachable", rtt_ms=0.1), Observation("unreachable", "no reply"),
            Observation("unreachable", "Network is unreachable")]
    observed = Pair.observe_all([twice, twice, earlier], seen)
    assert [p.observed for p in observed] == seen
    assert observed[0] is twice and observed[1] is not twice
    assert earlier.observed == Observation("reachable") and observed[2] is not earlier
