"""A big star opened without positions: one bridge, 300 namespaces, each joined to one of its
ports by a veth pair (301 boxes: the simple layout, not dot). The bridge, drawn with its 300
ports inside it, stood in the band above a grid of the namespaces: 10,800 units tall, across
them, 300 wires fanning from its whole height through the grid (6,587 crossing pairs, 1,388
wires through boxes, 22 boxes on boxes), and the first view fitted all of it at 6 %. Now the
namespaces sit beside the bridge, level with their ports, and the first view starts at its
top, readable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from star_design import star_topology

from netwright.gui.canvas.items import DETAIL_LOD
from netwright.gui.canvas.metrics import measure_scene


@pytest.mark.parametrize("size", [(1600, 1000), (1024, 700)])
def test_a_star_of_300_opens_beside_its_bridge_from_the_top(
        started: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    path = tmp_path / "star300.yaml"
    path.write_text(star_topology(300))
    window = started(*size, path)
    QApplication.processEvents()  # the first view comes once the window is shown
    scene, view = window.scene, window.view
    counts = measure_scene(scene)
    assert (counts.wire_crossings, counts.wires_through_boxes, counts.box_overlaps) == (0, 0, 0)
    bridge = scene.nodes["br0"].sceneBoundingRect()
    for i in range(300):
        inside, port = scene.item_for(f"c{i}"), scene.item_for(f"p{i}")
        assert inside is not None and port is not None
        assert inside.scenePos().y() == port.scenePos().y(), i
        box = scene.nodes[f"n{i}"].sceneBoundingRect()
        assert 0 < max(box.left() - bridge.right(), bridge.left() - box.right()) <= 120
    assert view.zoom() >= DETAIL_LOD  # the ports are drawn, their names can be read
    shown = view.viewport().rect()
    for key in ("br0", "n0", "n1"):  # the bridge's head and its first namespaces
        on_screen = view.mapFromScene(scene.nodes[key].sceneBoundingRect()).boundingRect()
        assert shown.contains(on_screen.topLeft()) and shown.contains(on_screen.topRight()), \
            (key, on_screen, shown)
    frame = view.mapFromScene(scene.frame.rect()).boundingRect()
    assert shown.left() <= frame.left() and frame.right() <= shown.right()  # the whole width
    assert 0 <= frame.top() < 40  # from the top
