"""The History's first row names what Undo goes back to: "New design" for a design begun
with File ▸ New, "Opened docker-bridge.yaml" for a file, "New from example vxlan-overlay"
for an example's copy; it said "Opened" for each."""

from __future__ import annotations

from pathlib import Path

from gestures import drop_kind
from PySide6.QtCore import QPointF

from netwright.gui.window.main import MainWindow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_the_history_starts_with_what_the_design_began_as(window: MainWindow) -> None:
    window.new_action.trigger()
    assert window.undo_view.emptyLabel() == "New design"
    assert drop_kind(window.view, "namespace", QPointF(0, 0))
    assert window.undo_view.model().rowCount() == 2  # the start, then the namespace
    assert window.open_path(EXAMPLES / "docker-bridge.yaml")
    assert window.undo_view.emptyLabel() == "Opened docker-bridge.yaml"
    window.new_action.trigger()
    assert window.undo_view.emptyLabel() == "New design"
    window.new_from_example(EXAMPLES / "vxlan-overlay.yaml")
    assert window.undo_view.emptyLabel() == "New from example vxlan-overlay"
