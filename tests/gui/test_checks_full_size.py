"""The Checks dock shows what breaks silently: a pair that answers small pings but loses
full-size packets is marked with its path MTU, a full-size probe that contradicts the
prediction is a mismatch, and the explanation says what the full-size probe saw."""

from __future__ import annotations

from netwright.backend.checks.explain import Explainer
from netwright.backend.checks.results import CheckResult
from netwright.backend.topology import parse_topology
from netwright.gui.docks.checks import cell_text, explanation_html

BRIDGE = """
netwright: 1
name: mtu
namespaces: {a: {}, b: {}}
interfaces:
  br0: {kind: bridge}
  pa: {kind: veth, peer: ea, master: br0}
  ea: {kind: veth, peer: pa, namespace: a, addresses: [10.0.0.1/24]}
  pb: {kind: veth, peer: eb, master: br0}
  eb: {kind: veth, peer: pb, namespace: b, addresses: [10.0.0.2/24], mtu: 1400}
"""


def predicted_pair(source: str, target: str) -> dict[str, object]:
    pairs = Explainer(parse_topology(BRIDGE)).pairs()
    data = CheckResult("mtu", pairs).to_json()
    return next(p for p in data["pairs"] if p["source"] == source and p["target"] == target)


def test_a_pair_that_loses_full_size_packets_shows_its_path_mtu() -> None:
    assert cell_text(predicted_pair("a", "10.0.0.2")) == "✓ ≤1404"  # a veth takes 4 over
    assert cell_text(predicted_pair("b", "10.0.0.1")) == "✓"


def test_a_full_size_probe_that_disagrees_is_a_mismatch() -> None:
    pair = dict(predicted_pair("a", "10.0.0.2"))
    pair["observed"] = {"verdict": "reachable", "rtt_ms": 0.1, "size": 1500,
                        "size_verdict": "reachable", "size_error": None}
    pair["match"] = False
    assert cell_text(pair) == "✓ ≠"
    assert "1500 bytes with don't-fragment: a reply" in explanation_html(pair)
