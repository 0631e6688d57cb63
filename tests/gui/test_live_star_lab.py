"""A big star on the live host (a bridge with a veth into each of 60 namespaces, as docker
leaves containers on docker0), against a real lab backend: Open Live Host draws it with its
leaves beside the bridge's ports and shows it readable from its top, as a file of that shape
opens (``CanvasView.first_view``); it was fitted whole, boxes too small for their ports (a
200-container host at 8 %). Back to Design shows the design as it was left, at the zoom and
scroll it had; it was fitted whole too (a 200-namespace design at 8 %)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from lab_waits import idle
from live_lab_host import LAB_HOST, build_lab_star, in_lab
from PySide6.QtWidgets import QApplication
from star_design import star_topology

from netwright.gui.canvas.items import DETAIL_LOD
from netwright.gui.canvas.live_scene import LiveScene
from netwright.gui.canvas.metrics import measure_scene

LEAVES = 60


@pytest.mark.parametrize("size", [(1024, 700), (1600, 1000)])
def test_a_live_star_opens_readable_and_the_design_comes_back_as_left(
        started: Any, own_lab: Path, tmp_path: Path, loop: asyncio.AbstractEventLoop,
        size: tuple[int, int]) -> None:
    from netwright.backend.service.lab import running_lab_pid

    path = tmp_path / "star200.yaml"
    path.write_text(star_topology(200))
    window = started(*size, path)
    QApplication.processEvents()
    view = window.view
    assert loop.run_until_complete(window.connect_backend()), window.backend_label.text()
    loop.run_until_complete(idle(window))
    pid = running_lab_pid()
    assert pid is not None
    began = time.monotonic()
    build_lab_star(pid, "starbr0", LEAVES)
    assert in_lab(pid, f"ip -n {LAB_HOST} -o link show master starbr0").count("\n") == LEAVES
    print(f"star built in the lab in {time.monotonic() - began:.1f} s")
    # the user scrolled the design to its namespaces 100 and on, zoomed in a step
    window.go_to_key("n100")
    view.zoom_in()
    zoom, centre = view.zoom(), view.mapToScene(view.viewport().rect().center())

    window.live.open_action.trigger()
    loop.run_until_complete(idle(window))
    live = window.live
    assert isinstance(view.scene(), LiveScene) and live.observation is not None
    scene = live.scene
    assert {f"star{i}" for i in range(LEAVES)} <= set(scene.nodes)
    bridge = scene.nodes["starbr0"].sceneBoundingRect()
    for i in range(LEAVES):  # the leaves beside the bridge's ports
        box = scene.nodes[f"star{i}"].sceneBoundingRect()
        assert 0 < max(box.left() - bridge.right(), bridge.left() - box.right()) <= 120, i
    assert measure_scene(scene).box_overlaps == 0
    assert view.zoom() >= DETAIL_LOD, view.zoom()  # the ports drawn, their names readable
    frame = view.mapFromScene(scene.frame.rect()).boundingRect()
    shown = view.viewport().rect()
    assert shown.left() <= frame.left() and frame.right() <= shown.right()  # its width
    assert 0 <= frame.top() < 40  # from its top

    view.zoom_in()  # the user reads the host a step closer
    host_zoom = view.zoom()

    window.live.back_action.trigger()
    QApplication.processEvents()
    assert view.scene() is window.scene
    assert abs(view.zoom() - zoom) < 1e-9, (view.zoom(), zoom)
    back = view.mapToScene(view.viewport().rect().center())
    assert (back - centre).manhattanLength() * zoom < 3, (back, centre)

    # and the host again (Ctrl+Shift+L, observed already): as it was left, not fitted anew
    window.live.open_action.trigger()
    QApplication.processEvents()
    assert isinstance(view.scene(), LiveScene)
    assert abs(view.zoom() - host_zoom) < 1e-9, (view.zoom(), host_zoom)
