"""The Checks dock with nothing to check: the heading says why (the backend's sentence, or
the designer's own prediction's), never "0 pairs, 0 differ" that reads as a pass."""

from __future__ import annotations

from netwright.gui.canvas.theme import make_theme
from netwright.gui.docks.checks import ChecksView
from netwright.gui.link.predictions import predict
from netwright.gui.model.document import TopologyDocument
from tests.tools.unaddressed import unaddressed_design

BARE = unaddressed_design("bare")

def test_a_design_without_addresses_says_why_nothing_is_predicted(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = ChecksView(make_theme(False))
    qtbot.addWidget(view)
    document = TopologyDocument()
    document.load_text(BARE)
    view.show_result(predict(document), measured=False)
    heading = view.heading.text()
    assert heading.startswith("Nothing to predict: no namespace of bare (a, b) has an"
                              " address"), heading
    assert "pairs" not in heading, heading
    # the designer's words: the Inspector's field, not the file's YAML
    assert "an address (select it, Inspector › Addresses) to check who reaches whom" in heading
    document.load_text(unaddressed_design("bare", dhcp=True))
    view.show_result(predict(document), measured=False)
    assert "Apply it, then Check probes the leased addresses" in view.heading.text()


def test_a_measurement_of_nothing_is_no_pass(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = ChecksView(make_theme(False))
    qtbot.addWidget(view)
    view.show_result({"topology": "live-host", "probed": False, "pairs": [],
                      "nothing_to_check": "no namespace of this host has an address"},
                     measured=True)
    assert view.heading.text() == ("Nothing to show: no namespace of this host has an"
                                   " address.")
    self_only = {"pairs": [{"source": "a", "target": "10.0.0.1", "role": "self",
                            "predicted": {"verdict": "reachable", "reason": "own"}}]}
    view.show_result(self_only, measured=True)
    assert view.heading.text().startswith("Nothing to show: each namespace with an"
                                          " address has only its own"), view.heading.text()
