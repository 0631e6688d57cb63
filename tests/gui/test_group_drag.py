"""A selection dragged together keeps its shape: the group moves by one offset, the one that
puts the item taken hold of on the grid. Each item snapped on its own, so a star's leaves,
laid out level with their bridge's ports (36 units apart, off the 20-unit grid), came out
of one drag 40 or 20 units apart and no longer level with each other."""

from __future__ import annotations

from pathlib import Path

from gestures import click, mouse_drag
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication
from star_design import star_topology

from netwright.gui.canvas.scene import GRID
from netwright.gui.window.main import MainWindow

LEAVES = [f"n{i}" for i in range(6)]  # both columns, rows 36 units apart


def _header(window: MainWindow, key: str) -> QPointF:
    node = window.scene.nodes[key]
    return node.mapRectToScene(node.shape().boundingRect()).topLeft() + QPointF(40, 10)


def _positions(window: MainWindow) -> dict[str, tuple[float, float]]:
    return {key: (window.scene.nodes[key].x(), window.scene.nodes[key].y()) for key in LEAVES}


def test_leaves_dragged_together_stay_as_they_were_to_each_other(
        window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "star16.yaml"
    path.write_text(star_topology(16))
    assert window.open_path(path)
    QApplication.processEvents()
    before = _positions(window)
    assert any(y % GRID for _x, y in before.values())  # level with the ports: off the grid
    view = window.view
    view.centerOn(_header(window, "n2"))
    click(view, _header(window, "n0"))
    for key in LEAVES[1:]:
        click(view, _header(window, key), Qt.KeyboardModifier.ControlModifier)
    assert sorted(window.scene.selected_keys()) == LEAVES
    stack = window.document.undo_stack
    steps = stack.count()

    mouse_drag(view, _header(window, "n1"), _header(window, "n1") + QPointF(47, 33))
    QApplication.processEvents()

    after = _positions(window)
    assert after == {key: window.document.snapshot.layout[key] for key in LEAVES}
    x1, y1 = after["n1"]
    assert x1 % GRID == 0 and y1 % GRID == 0  # the leaf taken hold of snaps
    dx, dy = x1 - before["n1"][0], y1 - before["n1"][1]
    assert (dx, dy) != (0, 0)
    for key in LEAVES:  # and the others move exactly as far
        assert after[key] == (before[key][0] + dx, before[key][1] + dy), key
    assert stack.count() == steps + 1
