"""Paste puts the copy beside its original, on free room, as Duplicate does: it went 40 px
down and right, on top of the original (and of the box below it)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CTRL = Qt.KeyboardModifier.ControlModifier


def _rect(window: MainWindow, key: str) -> QRectF:
    node = window.scene.nodes[key]
    return node.mapRectToScene(node.shape().boundingRect())


def _keys(window: MainWindow, key: str, sequence: Qt.Key) -> None:
    window.scene.select_keys([key])
    window.view.setFocus()
    QApplication.processEvents()
    QTest.keyClick(window.view.viewport(), sequence, CTRL)
    QApplication.processEvents()


def test_a_paste_goes_beside_its_original_on_free_room(window: MainWindow) -> None:
    assert window.open_path(EXAMPLES / "docker-bridge.yaml")
    _keys(window, "c1", Qt.Key.Key_C)
    _keys(window, "c1", Qt.Key.Key_V)
    [copy] = [k for k in window.document.snapshot.namespaces if k not in ("c1", "c2")]
    placed = _rect(window, copy)
    for key in window.scene.nodes:
        assert key == copy or not placed.intersects(_rect(window, key)), key
    assert placed.left() > _rect(window, "c1").right()  # beside it, to the right
    assert abs(placed.center().y() - _rect(window, "c1").center().y()) < 1

