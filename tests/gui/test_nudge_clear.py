"""An arrow key that moves a box onto another item carries it on past it, in the key's
direction and the press's own undo step: it stayed there, the two drawn over each other
(a drop ends on free room; the keys now end the same way). Real key presses on the view."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QRectF, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow

DOCKER = Path(__file__).resolve().parents[2] / "examples" / "docker-bridge.yaml"


def _rect(window: MainWindow, key: str) -> QRectF:
    node = window.scene.nodes[key]
    return node.mapRectToScene(node.shape().boundingRect())


def _apart(window: MainWindow) -> None:
    rects = {key: _rect(window, key) for key in window.scene.nodes}
    for key, rect in rects.items():
        for other, there in rects.items():
            assert other == key or not rect.intersects(there), f"{key} covers {other}"


def _select(window: MainWindow, key: str) -> None:
    assert window.open_path(DOCKER)
    window.scene.select_keys([key])
    window.view.setFocus()


def test_pressed_up_onto_a_namespace_a_namespace_goes_past_it(window: MainWindow) -> None:
    """c2 stands below c1: Up, press after press, never leaves it on c1, and takes it
    above c1 (not back down, where the nearest free room is, against the key)."""
    _select(window, "c2")
    stack = window.document.undo_stack
    for _ in range(12):
        before, steps = window.scene.nodes["c2"].pos(), stack.count()
        QTest.keyClick(window.view, Qt.Key.Key_Up)
        QApplication.processEvents()
        _apart(window)
        assert window.scene.nodes["c2"].y() < before.y()  # the key's way, always
        assert stack.count() == steps + 1  # one undo step a press, the hop in it
        assert window.scene.nodes["c2"].x() == before.x()
    assert _rect(window, "c2").bottom() < _rect(window, "c1").top()
    hopped = window.scene.nodes["c2"].pos()
    while _rect(window, "c2").bottom() < _rect(window, "c1").top():
        hopped = window.scene.nodes["c2"].pos()
        window.undo_action.trigger()
    # one Undo took the hop and its press back together: to just below c1
    assert _rect(window, "c2").top() > _rect(window, "c1").bottom()
    assert hopped.y() - window.scene.nodes["c2"].y() < -_rect(window, "c1").height()


def _key(window: MainWindow, kind: QEvent.Type, key: Qt.Key, repeated: bool) -> None:
    QApplication.sendEvent(window.view, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier,
                                                  "", repeated))


def test_a_held_key_that_runs_a_bridge_past_a_nic_is_one_undo_step(
        window: MainWindow) -> None:
    """Held down (the key repeating), Up runs docker0 onto wlp2s0 above it and past it:
    every repeat ends on free room, and the whole run is one undo step."""
    _select(window, "docker0")
    stack = window.document.undo_stack
    steps, start = stack.count(), window.scene.nodes["docker0"].pos()
    _key(window, QEvent.Type.KeyPress, Qt.Key.Key_Up, False)
    for _ in range(10):
        _key(window, QEvent.Type.KeyPress, Qt.Key.Key_Up, True)
        QApplication.processEvents()
        _apart(window)
    _key(window, QEvent.Type.KeyRelease, Qt.Key.Key_Up, False)
    assert _rect(window, "docker0").bottom() < _rect(window, "wlp2s0").top()
    assert stack.count() == steps + 1 and stack.text(stack.index() - 1) == "Move docker0"
    window.undo_action.trigger()
    assert window.scene.nodes["docker0"].pos() == start
