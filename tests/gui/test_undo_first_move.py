"""An Undo of the first move of an item the file does not place (a file written by hand,
without positions) puts it back where it was drawn: the position leaves the file again, and
the item was placed anew on its own, below everything or on top of the bridge it hangs off."""

from __future__ import annotations

from pathlib import Path

import pytest
from gestures import click, mouse_drag
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication
from star_design import star_topology

from netwright.gui.window.main import MainWindow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _header(window: MainWindow, key: str) -> QPointF:
    node = window.scene.nodes[key]
    return node.mapRectToScene(node.shape().boundingRect()).topLeft() + QPointF(40, 10)


def _drawn(window: MainWindow, keys: list[str]) -> dict[str, tuple[float, float]]:
    return {key: (window.scene.nodes[key].x(), window.scene.nodes[key].y()) for key in keys}


@pytest.mark.parametrize("keys", [["n0"], ["n3", "n4", "n5"]])
def test_undo_of_a_first_move_puts_it_back_where_it_was_drawn(
        window: MainWindow, tmp_path: Path, keys: list[str]) -> None:
    path = tmp_path / "star16.yaml"
    path.write_text(star_topology(16))
    assert window.open_path(path)
    QApplication.processEvents()
    assert not window.document.snapshot.layout
    before = _drawn(window, list(window.scene.nodes))
    view = window.view
    view.centerOn(_header(window, keys[0]))
    click(view, _header(window, keys[0]))
    for key in keys[1:]:
        click(view, _header(window, key), Qt.KeyboardModifier.ControlModifier)
    mouse_drag(view, _header(window, keys[0]), _header(window, keys[0]) + QPointF(100, 60))
    QApplication.processEvents()
    assert set(window.document.snapshot.layout) == set(keys)

    window.undo_action.trigger()
    QApplication.processEvents()
    assert not window.document.snapshot.layout  # the file as it was
    assert _drawn(window, list(window.scene.nodes)) == before  # and the drawing
    window.redo_action.trigger()
    assert set(window.document.snapshot.layout) == set(keys)


def test_undo_of_a_first_move_in_a_file_with_some_positions(
        window: MainWindow, tmp_path: Path) -> None:
    """The docker example without c2's position: c2 is drawn where the file leaves room."""
    text = (EXAMPLES / "docker-bridge.yaml").read_text()
    path = tmp_path / "partial.yaml"
    path.write_text(text.replace("  c2: {x: 140, y: 80}\n", ""))
    assert window.open_path(path)
    QApplication.processEvents()
    assert "c2" not in window.document.snapshot.layout
    before = _drawn(window, list(window.scene.nodes))
    mouse_drag(window.view, _header(window, "c2"), _header(window, "c2") + QPointF(-60, 80))
    QApplication.processEvents()
    assert "c2" in window.document.snapshot.layout
    window.undo_action.trigger()
    QApplication.processEvents()
    assert "c2" not in window.document.snapshot.layout
    assert _drawn(window, list(window.scene.nodes)) == before
