"""Every status bar message fits beside the status bar's lasting widgets at 1024×700, cut with
an ellipsis when it is longer, its whole sentence the bar's tooltip while it shows: "Plan
failed: an interface named docker0 already exists in the host and d" ran under the problems
button."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

from netwright.gui.window.made_note import message_width

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LONG = ("Plan failed: an interface named docker0 already exists in the host and does not"
        " belong to this topology; Netwright never deletes, moves or re-addresses it: rename"
        " the interface in the topology (Kernel name), or remove the existing one by hand")


def test_a_long_message_is_cut_to_the_room_and_whole_in_the_tooltip(started: Any) -> None:
    window = started(1024, 700, EXAMPLES / "docker-bridge.yaml")
    bar = window.statusBar()
    bar.showMessage(LONG, 5000)
    QApplication.processEvents()
    shown = bar.currentMessage()
    assert shown != LONG and shown.endswith("…") and shown.startswith("Plan failed: ")
    assert bar.fontMetrics().horizontalAdvance(shown) <= message_width(bar)
    assert bar.toolTip() == LONG
    bar.showMessage("opened docker-bridge.yaml", 5000)  # a short one: as it is, no tooltip
    assert bar.currentMessage() == "opened docker-bridge.yaml" and bar.toolTip() == ""
    bar.clearMessage()
    assert bar.toolTip() == ""
