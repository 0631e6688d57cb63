"""The Checks dock says what happened to the TCP and UDP ports a check probes besides the echo
(a design with rules or published ports): the cell counts the ports that connect, and the
explanation names each port, whether it connects, and why not. Before, a cell whose echo was
answered showed ✓ and a fix "Accept tcp port 80 …" that nothing in the explanation explained."""

from __future__ import annotations

from typing import Any

from netwright.backend.checks.explain import Explainer, default_outside
from netwright.backend.checks.results import CheckResult, Observation
from netwright.backend.checks.services import with_services
from netwright.backend.topology import parse_topology
from netwright.gui.docks.checks import PORTS_NOTE, cell_text, explanation_html

DESIGN = """
netwright: 1
name: ports
namespaces:
  a:
    firewall:
      input:
        policy: drop
        stateful: true
        rules:
          - {action: accept, proto: tcp, dport: 22}
  b: {}
interfaces:
  br0: {kind: bridge}
  pa: {kind: veth, peer: ea, master: br0}
  ea: {kind: veth, peer: pa, namespace: a, addresses: [10.0.0.1/24]}
  pb: {kind: veth, peer: eb, master: br0}
  eb: {kind: veth, peer: pb, namespace: b, addresses: [10.0.0.2/24]}
"""


def _pairs(observe: bool = False) -> list[Any]:
    topology = parse_topology(DESIGN)
    explainer = Explainer(topology, default_outside(topology))
    pairs = with_services(explainer, explainer.pairs())
    if observe:  # what a check sees when the kernel does as predicted, but tcp/22 is refused
        pairs = [p.with_observed(Observation(p.predicted.verdict)) for p in pairs]
    return pairs


def _pair(source: str, target: str, observe: bool = False) -> dict[str, Any]:
    data = CheckResult("ports", _pairs(observe)).to_json()
    return next(p for p in data["pairs"] if p["source"] == source and p["target"] == target)


def test_a_cell_counts_the_ports_that_connect() -> None:
    pair = _pair("b", "10.0.0.1")
    ports = [(s["proto"], s["port"], s["predicted"]["verdict"]) for s in pair["services"]]
    assert ("tcp", 22, "reachable") in ports and any(v == "unreachable" for *_, v in ports)
    connects = sum(1 for *_, v in ports if v == "reachable")
    assert cell_text(pair) == f"✗ {connects}/{len(ports)}"


def test_the_explanation_names_each_port_and_why_it_does_not_connect() -> None:
    pair = _pair("b", "10.0.0.1")
    html = explanation_html(pair)
    assert "tcp/22</b> connects" in html
    refused = next(s for s in pair["services"] if s["predicted"]["verdict"] != "reachable")
    assert f"tcp/{refused['port']}</b> does not connect" in html
    assert "drop policy" in html  # the reason, in the explainer's words


def test_a_measured_port_that_differs_is_marked_and_explained() -> None:
    pair = _pair("b", "10.0.0.1", observe=True)
    service = next(s for s in pair["services"] if s["port"] == 22)
    service["observed"] = {"verdict": "unreachable", "error": "connection refused",
                           "rtt_ms": None, "errno": "ECONNREFUSED", "attempts": 1}
    service["match"] = False
    pair["match"] = False
    assert cell_text(pair).endswith(" ≠")
    html = explanation_html(pair)
    assert "tcp/22</b> does not connect (predicted: connects) — connection refused" in html


def test_the_designs_predictions_include_the_ports(window: Any, tmp_path: Any) -> None:
    """While designing, the matrix predicts the ports as `netwright explain` does (the window
    predicted the echo only, so a port the rules refuse showed nowhere before a Check)."""
    from PySide6.QtWidgets import QApplication

    path = tmp_path / "ports.yaml"
    path.write_text(DESIGN)
    assert window.open_path(path)
    window.predictions.run()
    QApplication.processEvents()
    pair = window.checks.cell("b", "10.0.0.1")
    assert pair is not None and pair.get("services"), pair
    assert cell_text(pair).endswith(f"/{len(pair['services'])}")
    assert window.checks.heading.text().endswith(PORTS_NOTE)


def test_the_matrix_fits_a_1024x700_window(started: Any) -> None:
    """docker-bridge's six targets and their port counts need no sideways scrolling."""
    from pathlib import Path

    from PySide6.QtWidgets import QApplication

    examples = Path(__file__).resolve().parents[2] / "examples"
    window = started(1024, 700, examples / "docker-bridge.yaml")
    window.bottom_panel.reveal(window.checks_dock)
    window.predictions.run()
    QApplication.processEvents()
    matrix = window.checks.matrix
    assert matrix.columnCount() == 6 and "/" in matrix.text(0, 0)
    assert matrix.horizontalScrollBar().maximum() == 0


def test_an_impaired_pairs_echoes_are_shown_against_the_design() -> None:
    """The check measures RTT and loss where the design impairs a path; the explanation
    says what was measured against what was designed (it said only "reply in 80 ms")."""
    from netwright.backend.checks.impaired import PathImpairment, judge

    expected = PathImpairment(80.0, 0.0, 0.02, ("pa", "ea"))
    pair = _pair("b", "10.0.0.2")
    pair["observed"] = {"verdict": "reachable", "error": None, "rtt_ms": 80.4, "errno": None,
                        "attempts": 1,
                        "impairment": judge(expected, [80.4, 80.9, 79.8] * 10, 31)}
    html = explanation_html(pair)
    assert "30 of 31 echoes" in html and "as designed (RTT 80 ms, 2 % loss)" in html
