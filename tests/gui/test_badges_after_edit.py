"""The canvas's badges keep the problems only the backend's facts see (a kernel without
ipvlan: ipvlan1 cannot be created, an error) after any edit, as the Problems list does: the
redraw after each edit badged the document's own problems only, so ipvlan1's red badge
turned amber (its warning) while the list still said error."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit

from netwright.gui.model.host_facts import parse_facts
from netwright.gui.window.main import MainWindow


def test_a_kernel_problem_keeps_its_badge_after_an_edit(window: MainWindow, seed: Path) -> None:
    assert window.open_path(seed)
    window.set_host_facts(parse_facts({"kinds": {"ipvlan": False, "macvlan": True}}))
    listed = {p.path[:2]: p.severity for p in window.problems.problems
              if p.path[-1:] == ("kind",)}
    assert listed == {("interfaces", "ipvlan1"): "error", ("interfaces", "ipvlan2"): "error"}
    scene = window.scene
    assert scene.item_for("ipvlan1").badge == "error"  # type: ignore[union-attr]

    window.scene.select_keys(["ipvlan2"])  # an edit elsewhere: ipvlan2's MTU, typed
    editor = window.inspector.editors["mtu"]
    assert isinstance(editor, QLineEdit)
    editor.setFocus()
    QTest.keyClicks(editor, "1400")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    assert window.document.get(("interfaces", "ipvlan2", "mtu")) == 1400
    for key in ("ipvlan1", "ipvlan2"):
        assert scene.item_for(key).badge == "error", key  # type: ignore[union-attr]
    window.undo_action.trigger()
    for key in ("ipvlan1", "ipvlan2"):
        assert scene.item_for(key).badge == "error", key  # type: ignore[union-attr]
