"""Undo and Redo leave a selection, as any editor does: Undo of a Delete selects what came
back (it selected nothing), Redo of it selects nothing; Undo of a Paste or a Duplicate gives
back the selection from before it, Redo selects the copies again. The keys are pressed on
the canvas (Delete, Ctrl+Z, Ctrl+Shift+Z, Ctrl+C, Ctrl+V), as a keyboard user does."""

from __future__ import annotations

from pathlib import Path

from gestures import double_click
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from test_host_facts_window import host_facts

from netwright.gui.window.main import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier


def _press(window: MainWindow, key: Qt.Key,
           modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), key, modifiers)


def _undo(window: MainWindow) -> None:
    _press(window, Qt.Key.Key_Z, CTRL)


def _redo(window: MainWindow) -> None:
    _press(window, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)


def test_undo_of_a_delete_selects_what_came_back(window: MainWindow, seed: Path) -> None:
    assert window.open_path(seed)
    window.scene.select_keys(["net1", "ipvlan2"])
    _press(window, Qt.Key.Key_Delete)
    assert "net1" not in window.scene.nodes and window.scene.selected_keys() == []
    _undo(window)
    assert "net1" in window.scene.nodes
    assert sorted(window.scene.selected_keys()) == ["ipvlan2", "net1"]
    assert window.inspector.key is None  # two items: the inspector shows the design
    _redo(window)
    assert "net1" not in window.scene.nodes and window.scene.selected_keys() == []
    _undo(window)
    assert sorted(window.scene.selected_keys()) == ["ipvlan2", "net1"]


def test_undo_of_a_deleted_wire_selects_the_wire(window: MainWindow, seed: Path) -> None:
    assert window.open_path(seed)
    wire = next(w for w in window.scene.wires if "ipvlan1" in w)
    window.scene.select_keys([], [wire])
    assert window.scene.selected_wires() == [wire]
    _press(window, Qt.Key.Key_Delete)
    assert wire not in window.scene.wires
    _undo(window)
    assert window.scene.selected_wires() == [wire] and window.scene.selected_keys() == []


def test_undo_of_a_paste_gives_back_the_selection_before_it(window: MainWindow,
                                                            seed: Path) -> None:
    assert window.open_path(seed)
    window.scene.select_keys(["net1"])
    _press(window, Qt.Key.Key_C, CTRL)
    window.scene.select_keys(["net2"])
    _press(window, Qt.Key.Key_V, CTRL)
    pasted = [k for k in window.scene.selected_keys() if k not in ("net1", "net2")]
    assert pasted and pasted == window.scene.selected_keys()
    _undo(window)
    assert window.scene.selected_keys() == ["net2"]
    _redo(window)
    assert sorted(window.scene.selected_keys()) == sorted(pasted)


def test_undo_of_a_duplicate_selects_the_original(window: MainWindow, seed: Path) -> None:
    assert window.open_path(seed)
    keys = window.duplicate("net1")
    assert window.scene.selected_keys() == keys[:1]
    _undo(window)
    assert window.scene.selected_keys() == ["net1"]
    _redo(window)
    assert window.scene.selected_keys() == keys[:1]


def test_undo_of_a_nic_added_from_the_host_dock_gives_back_the_selection(
        window: MainWindow, seed: Path) -> None:
    """As after a palette drop: the NIC added (a double-click in the Host dock) is selected;
    Undo selects what was selected before (it selected nothing), Redo the NIC again."""
    assert window.open_path(seed)
    window.set_host_facts(host_facts())  # type: ignore[arg-type]
    window.scene.select_keys(["net2"])
    nics = window.host_view.nics
    row = next(i for i in range(nics.count()) if nics.item(i).text().startswith("eth0"))
    window.host_dock.show()
    window.host_dock.raise_()
    QApplication.processEvents()
    nics.scrollToItem(nics.item(row))
    double_click(nics, nics.visualItemRect(nics.item(row)).center())
    assert "eth0" in window.document.snapshot.nics
    assert window.scene.selected_keys() == ["eth0"]
    _undo(window)
    assert "eth0" not in window.document.snapshot.nics
    assert window.scene.selected_keys() == ["net2"]
    _redo(window)
    assert window.scene.selected_keys() == ["eth0"]
