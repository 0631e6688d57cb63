"""The toolbar at 1024×700: the primary actions visible and still, whatever the Undo says.

Undo and Redo used to carry the command's text ("Undo Move ipvlan2 to the host"), so the
buttons after them moved under the mouse and Plan/Apply/Destroy/Check fell into the »
overflow. The command belongs in the tooltip, the Edit menu and the History.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow, backend_tip


def _primary(window: MainWindow):  # type: ignore[no-untyped-def]
    return [window.plan_action, window.apply_action, window.destroy_action, window.check_action,
            window.undo_action, window.redo_action, window.save_action]


def _places(window: MainWindow) -> dict[str, tuple[int, int, bool]]:
    QApplication.processEvents()
    places = {}
    for action in _primary(window):
        button = window.toolbar.widgetForAction(action)
        assert button is not None, action.text()
        places[action.iconText()] = (button.x(), button.width(), button.isVisible())
    return places


def test_primary_actions_stay_visible_and_still_at_1024x700(window: MainWindow,
                                                          seed: Path) -> None:
    window.resize(1024, 700)
    assert window.open_path(seed)
    before = _places(window)
    assert all(visible for _x, _w, visible in before.values()), before
    window.move_nodes(1, {"net1": (-400.0, 400.0)})
    window.reparent("ipvlan2", None, QPointF(600, 0))  # "Move ipvlan2 to the host"
    assert window.document.undo_stack.undoText() == "Move ipvlan2 to the host"
    assert _places(window) == before
    undo = window.toolbar.widgetForAction(window.undo_action)
    assert undo.text() == "Undo"
    assert "Move ipvlan2 to the host" in window.undo_action.toolTip()
    window.undo_action.trigger()
    assert "Move ipvlan2 to the host" in window.redo_action.toolTip()
    assert _places(window) == before


def test_ctrl_y_redoes_as_ctrl_shift_z_does(window: MainWindow, seed: Path) -> None:
    assert window.open_path(seed)
    window.move_nodes(1, {"net1": (-400.0, 400.0)})
    stack = window.document.undo_stack
    for keys in ("Ctrl+Y", "Ctrl+Shift+Z"):
        window.undo_action.trigger()
        assert stack.index() == 0
        sequence = QKeySequence(keys)
        combo = sequence[0]
        window.view.setFocus()
        QTest.keyClick(window.view.viewport(), combo.key(), combo.keyboardModifiers())
        assert stack.index() == 1, keys


def test_backend_tips_say_what_or_why_not(window: MainWindow) -> None:
    action = window.apply_action
    assert backend_tip(action, False, False, "") == "Apply: no backend connected"
    assert backend_tip(action, True, True, "Check") == "Apply: wait for Check to finish"
    assert backend_tip(action, True, False, "") == "Apply: make the kernel match this design"
    _ = Qt
