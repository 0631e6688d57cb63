"""A palette entry dropped on the host over another item goes to the free room nearest where
it was let go, as an item dragged there does: a namespace dropped on a namespace, or a veth
pair let go just under a box's edge, was drawn over it (the pair's first end half inside a
namespace it did not belong to)."""

from __future__ import annotations

from pathlib import Path

import pytest
from gestures import drop_kind
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _rect(window: MainWindow, key: str) -> QRectF:
    node = window.scene.nodes[key]
    return node.mapRectToScene(node.shape().boundingRect())


@pytest.mark.parametrize(("kind", "target", "where"), [
    ("namespace", "c1", lambda r: r.center()),  # on c1 itself
    ("veth", "c2", lambda r: QPointF(r.center().x(), r.bottom() + 12)),  # just under c2
    ("veth", "docker0", lambda r: r.center()),  # on the bridge: a pair on the host
    ("bridge", "docker0", lambda r: r.center()),
])
def test_a_palette_drop_over_an_item_goes_beside_it(
        window: MainWindow, kind: str, target: str, where: object) -> None:
    assert window.open_path(EXAMPLES / "docker-bridge.yaml")
    QApplication.processEvents()
    let_go = where(_rect(window, target))  # type: ignore[operator]
    before = set(window.scene.nodes)
    steps = window.document.undo_stack.count()
    assert drop_kind(window.view, kind, let_go)
    QApplication.processEvents()
    made = set(window.scene.nodes) - before
    assert made and window.document.undo_stack.count() == steps + 1  # one step
    for key in made:
        mine = _rect(window, key)
        for other in before:
            assert not mine.intersects(_rect(window, other)), (key, other)
        assert (mine.center() - let_go).manhattanLength() < 400  # near where let go
