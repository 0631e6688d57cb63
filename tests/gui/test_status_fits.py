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


def test_a_message_shown_before_the_window_is_measured_once_it_shows(started: Any) -> None:
    """"opened FILE", said while the window opens the file before it is first shown, was
    measured against a status bar not laid out yet and cut to "opened op…"."""
    path = EXAMPLES / "openstack-linuxbridge.yaml"
    window = started(1600, 1000, path)
    QApplication.processEvents()
    bar = window.statusBar()
    assert bar.currentMessage() == f"opened {path}"
    assert bar.toolTip() == ""
    bar.showMessage(LONG, 5000)
    window.resize(1024, 700)  # narrower: the message is shortened to the new room
    QApplication.processEvents()
    QApplication.processEvents()
    assert bar.currentMessage().endswith("…") and bar.toolTip() == LONG
    assert bar.fontMetrics().horizontalAdvance(bar.currentMessage()) <= message_width(bar)
