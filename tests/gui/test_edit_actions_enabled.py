"""Edit ▸ Cut, Copy and Delete are offered only when there is something selected for them:
they were enabled on an empty selection, and a click did nothing at all."""

from __future__ import annotations

import asyncio
from pathlib import Path

from gestures import click
from live_view import show_live_host
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _offered(window: MainWindow) -> tuple[bool, bool, bool]:
    return (window.cut_action.isEnabled(), window.copy_action.isEnabled(),
            window.delete_action.isEnabled())


def test_cut_copy_and_delete_follow_the_selection(
        window: MainWindow, loop: asyncio.AbstractEventLoop) -> None:
    assert _offered(window) == (False, False, False)  # a new, empty design
    assert window.open_path(EXAMPLES / "docker-bridge.yaml")
    QApplication.processEvents()
    assert _offered(window) == (False, False, False)
    box = window.scene.nodes["c1"]
    window.view.centerOn(box)
    click(window.view, box.sceneBoundingRect().topLeft() + QPointF(40, 12))
    assert window.scene.selected_keys() == ["c1"]
    assert _offered(window) == (True, True, True)
    window.scene.clearSelection()
    wire = next(w for w in window.scene.wires.values() if w.isVisible())
    wire.setSelected(True)  # a wire alone: Delete removes it; Cut and Copy take items only
    assert _offered(window) == (False, False, True)
    window.scene.clearSelection()
    assert _offered(window) == (False, False, False)

    window.scene.select_keys(["c2"])
    show_live_host(window, loop)  # read-only: greyed whatever the design has selected
    assert _offered(window) == (False, False, False)
    window.live.back_action.trigger()
    assert _offered(window) == (True, True, True)
