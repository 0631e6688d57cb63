"""A file opened while the live host is shown (dropped on it, File ▸ Open) is shown from its
own first view by Back to Design, not where the file before it was left; and opening it does
not refit the host's picture, which the canvas shows meanwhile."""

from __future__ import annotations

import asyncio
from pathlib import Path

from live_view import show_live_host
from PySide6.QtWidgets import QApplication
from star_design import star_topology

from netwright.gui.canvas.items import DETAIL_LOD
from netwright.gui.canvas.live_scene import LiveScene
from netwright.gui.window.main import MainWindow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_a_file_opened_while_the_host_is_shown_comes_back_from_its_first_view(
        window: MainWindow, tmp_path: Path, loop: asyncio.AbstractEventLoop) -> None:
    assert window.open_path(EXAMPLES / "docker-bridge.yaml")
    QApplication.processEvents()
    view = window.view
    show_live_host(window, loop)
    view.zoom_in()
    host_zoom = view.zoom()
    path = tmp_path / "star200.yaml"
    path.write_text(star_topology(200))
    assert window.open_path(path)
    QApplication.processEvents()
    assert isinstance(view.scene(), LiveScene)
    assert abs(view.zoom() - host_zoom) < 1e-9  # the host's picture as the user left it

    window.live.back_action.trigger()
    QApplication.processEvents()
    assert view.scene() is window.scene
    assert view.zoom() >= DETAIL_LOD  # the star's first view: readable, from its top
    frame = view.mapFromScene(window.scene.frame.rect()).boundingRect()
    assert 0 <= frame.top() < 40
