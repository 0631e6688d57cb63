"""Undo and Redo leave a selection, as any editor does: Undo of a Delete selects what came
back (it selected nothing), Redo of it selects nothing; Undo of a Paste, a Duplicate, a Copy
into Design or an Apply fix gives back the selection from before it, Redo selects the copies
(what the fix changed) again. The keys are pressed on the canvas (Delete, Ctrl+Z,
Ctrl+Shift+Z, Ctrl+C, Ctrl+V), as a keyboard user does."""

from __future__ import annotations

import asyncio
from pathlib import Path

from gestures import double_click
from live_view import show_live_host
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QTabBar
from test_host_facts_window import host_facts

from netwright.gui.model.fixes import forwarding_fix
from netwright.gui.window.main import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def _press(window: MainWindow, key: Qt.Key,
           modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), key, modifiers)


def _front_tab(window: MainWindow, title: str) -> str:
    """The tab in front in the window's tab group that has a tab ``title``."""
    bar = next(bar for bar in window.findChildren(QTabBar) if bar.isVisible()
               and title in [bar.tabText(i) for i in range(bar.count())])
    return bar.tabText(bar.currentIndex())


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


def test_undo_of_a_copy_into_design_gives_back_the_selection_before_it(
        window: MainWindow, seed: Path, loop: asyncio.AbstractEventLoop) -> None:
    """As a paste: what Copy into Design (Ctrl+Shift+Y in the live view) adds is selected in
    the design, seen on Back to Design (Ctrl+Shift+B); Undo selects what the design had
    selected before (it kept the copy's keys, gone), Redo the copy again."""
    assert window.open_path(seed)
    window.scene.select_keys(["net2"])
    show_live_host(window, loop)
    live = window.live
    live.scene.select_keys(["obs-red"])  # with its veth and the veth's peer
    _press(window, Qt.Key.Key_Y, CTRL | SHIFT)
    copied = ["obs-red", "obsvh1", "red-eth0"]
    assert all(k in window.document.snapshot.namespaces or k in window.document.snapshot.interfaces
               for k in copied), window.statusBar().currentMessage()
    assert live.inspector_dock.isVisible() and not window.inspector_dock.isVisible()
    _press(window, Qt.Key.Key_B, CTRL | SHIFT)
    assert window.view.scene() is window.scene
    assert sorted(window.scene.selected_keys()) == copied
    assert _front_tab(window, "Inspector") == "Inspector"  # not History, beside it
    _undo(window)
    assert "obs-red" not in window.document.snapshot.namespaces
    assert window.scene.selected_keys() == ["net2"]
    _redo(window)
    assert sorted(window.scene.selected_keys()) == copied


def test_undo_of_an_applied_fix_gives_back_the_selection_before_it(window: MainWindow,
                                                                  seed: Path) -> None:
    """Apply fix of a problem selects what it changed (net1, given a default route: the
    inspector shows the route); Undo selects what was selected before, Redo net1 again."""
    assert window.open_path(seed)
    window.scene.select_keys(["net2"])
    window.problems_dock.raise_()
    view = window.problems
    item = next(view.topLevelItem(i) for i in range(view.topLevelItemCount())
                if view.topLevelItem(i).text(1).startswith("namespace net1"))
    view.scrollToItem(item)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, view.visualItemRect(item).center())
    assert window.problems_fix.label.text().startswith("Fix: Add a default route in net1")
    QTest.mouseClick(window.problems_fix.button, Qt.MouseButton.LeftButton)
    assert window.document.get(("namespaces", "net1", "routes"))
    assert window.scene.selected_keys() == ["net1"] and window.inspector.key == "net1"
    _undo(window)
    assert not window.document.get(("namespaces", "net1", "routes"))
    assert window.scene.selected_keys() == ["net2"]
    _redo(window)
    assert window.scene.selected_keys() == ["net1"]


def test_a_fix_of_the_hosts_own_setting_selects_the_designs_form(window: MainWindow,
                                                                 seed: Path) -> None:
    """Forwarding turned on for the host is in the design's form (the inspector with
    nothing selected), as a double-click on such a problem shows it."""
    assert window.open_path(seed)
    window.scene.select_keys(["net2"])
    fix = forwarding_fix(window.document.get, ("host",), "the host", "4")
    window.apply_fix(fix)
    assert window.scene.selected_keys() == [] and window.inspector.key is None
    _undo(window)
    assert window.scene.selected_keys() == ["net2"]


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
