"""A kind the backend's kernel lacks is a problem while designing, with a one-click fix.

This machine's kernel has no ipvlan (tests/kernel runs the ipvlan tier in a VM), and a lab
backend probes its kernel for Inspect: the seed's ipvlan children are errors as soon as the
lab is connected, before any Plan, and "Apply fix" turns one into macvlan bridge, keeping its
addresses and parent, as one undo step.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from lab_waits import idle
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from netwright.gui.model.host_warnings import KERNEL_LACKS_KIND
from netwright.gui.window.main import MainWindow


def test_missing_ipvlan_is_a_problem_with_a_fix(window: MainWindow, own_lab: Path, seed: Path,
                                                loop: asyncio.AbstractEventLoop) -> None:
    assert window.open_path(seed)
    assert loop.run_until_complete(window.connect_backend()), window.backend_label.text()
    loop.run_until_complete(idle(window))
    facts = window.host_facts
    assert facts is not None and facts.kinds.get("macvlan") is True
    assert facts.lacks("ipvlan"), facts.kinds  # this kernel: no ipvlan
    view = window.problems
    rows = [i for i in range(view.topLevelItemCount())
            if view.topLevelItem(i).data(1, Qt.ItemDataRole.UserRole) == KERNEL_LACKS_KIND]
    assert len(rows) == 2, [view.topLevelItem(i).text(2) for i in range(view.topLevelItemCount())]
    item = view.topLevelItem(rows[0])
    assert "has no ipvlan" in item.text(2)
    view.setCurrentItem(item)
    bar = window.problems_fix
    assert bar.isVisible() and "Use macvlan bridge for ipvlan" in bar.label.text()
    key = "ipvlan1" if "ipvlan1" in bar.label.text() else "ipvlan2"
    QTest.mouseClick(bar.button, Qt.MouseButton.LeftButton)
    entry = window.document.get(("interfaces", key))
    assert (entry["kind"], entry["mode"], entry["parent"]) == ("macvlan", "bridge", "wlp2s0")
    assert window.document.undo_stack.count() == 1
    left = [p for p in window.problems.problems if p.code == KERNEL_LACKS_KIND]
    assert [p.path[1] for p in left] == ["ipvlan2" if key == "ipvlan1" else "ipvlan1"]
    menu = window.build_context_menu(key)  # back to ipvlan is not offered on this kernel
    change = next(a for a in menu.actions() if a.text().startswith("Change to"))
    assert change.text() == "Change to ipvlan l2" and not change.isEnabled()
