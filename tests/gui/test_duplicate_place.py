"""Duplicate puts the copy beside its original, on free room: it went 40 px right and down,
over the original and the box below it (docker-bridge's c1 copy covered c1 and c2)."""

from __future__ import annotations

from pathlib import Path

from gestures import choose, right_click
from PySide6.QtCore import QPointF, QRectF

from netwright.gui.window.main import MainWindow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _rect(window: MainWindow, key: str) -> QRectF:
    node = window.scene.nodes[key]
    return node.mapRectToScene(node.shape().boundingRect())


def test_a_duplicate_goes_beside_its_original_on_free_room(window: MainWindow) -> None:
    assert window.open_path(EXAMPLES / "docker-bridge.yaml")
    header = window.scene.nodes["c1"].sceneBoundingRect().topLeft() + QPointF(40, 12)
    right_click(window.view, window.view.mapFromScene(header))
    choose(window.context_menu, "Duplicate c1")
    [copy] = [k for k in window.document.snapshot.namespaces if k not in ("c1", "c2")]
    placed = _rect(window, copy)
    for key in window.scene.nodes:
        assert key == copy or not placed.intersects(_rect(window, key)), key
    assert placed.left() > _rect(window, "c1").right()  # beside it, to the right
    assert abs(placed.center().y() - _rect(window, "c1").center().y()) < 1
