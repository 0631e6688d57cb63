"""The Checks heading counts the pairs the command line counts: `netwright check` says "19
pairs probed" for docker-bridge, a place's pairs with its own addresses included; the matrix
leaves those cells blank, and the heading says so rather than claiming a total of 16."""

from __future__ import annotations

from pathlib import Path

from netwright.backend.checks.explain import Explainer, default_outside
from netwright.backend.checks.render import render
from netwright.backend.checks.results import CheckResult, Observation
from netwright.backend.topology import parse_topology
from netwright.gui.canvas.theme import make_theme
from netwright.gui.docks.checks import ChecksView

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _measured(wrong_self: bool = False) -> CheckResult:
    """docker-bridge's pairs, each observed as predicted (``wrong_self``: the first of a
    place to its own address observed otherwise)."""
    topology = parse_topology((EXAMPLES / "docker-bridge.yaml").read_text())
    pairs = Explainer(topology, default_outside(topology)).pairs()
    observed = []
    for pair in pairs:
        verdict = pair.predicted.verdict
        if wrong_self and pair.target.role == "self":
            verdict, wrong_self = "unreachable" if verdict == "reachable" else "reachable", False
        observed.append(pair.with_observed(Observation(verdict)))
    return CheckResult(topology.name, observed, probed=True)


def test_the_heading_counts_what_the_command_line_counts(qtbot) -> None:  # type: ignore[no-untyped-def]
    result = _measured()
    own = sum(1 for p in result.pairs if p.target.role == "self")
    assert own == 3  # c1, c2 and the host, each to its own address
    assert f"{len(result.pairs)} pairs probed" in render(result)
    view = ChecksView(make_theme(False))
    qtbot.addWidget(view)
    view.show_result(result.to_json(), measured=True)
    assert view.heading.text().startswith(
        f"Measured: {len(result.pairs)} pairs (3 of them from a place to its own address,"
        " left blank), 0 differ from the prediction."), view.heading.text()
    view.forget_measurement()  # another document: its predictions count the same way
    view.show_result({**result.to_json(), "probed": False}, measured=False)
    assert view.heading.text().startswith(f"Predicted from the design ({len(result.pairs)}"
                                          " pairs (3 of them"), view.heading.text()


def test_a_blank_cell_that_differs_is_counted_and_named(qtbot) -> None:  # type: ignore[no-untyped-def]
    result = _measured(wrong_self=True)
    summary = next(line for line in render(result).splitlines() if " probed; " in line)
    assert summary.endswith("; 1 MISMATCH"), summary
    view = ChecksView(make_theme(False))
    qtbot.addWidget(view)
    view.show_result(result.to_json(), measured=True)
    heading = view.heading.text()
    assert ", 1 differs from the prediction. Differs on its own address (a blank cell):" \
        " c1 → c1/" in heading, heading
