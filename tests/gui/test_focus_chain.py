"""Tab and Shift+Tab through the whole window reach only what a person can see: never a
dock behind another dock's tab (Qt keeps those "visible", moved out of the window), and a
field of the Inspector is scrolled into view when the focus arrives in it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

from netwright.gui.window.main import MainWindow

REPO = Path(__file__).resolve().parents[2]


def _shown(window: MainWindow, widget: QWidget) -> bool:
    """Whether ``widget`` is on the window where a person sees it: inside the window (a dock
    behind a tab is moved out of it) and inside its scroll area's viewport, if any."""
    def area(w: QWidget) -> QRect:
        return QRect(w.mapTo(window, QPoint(0, 0)), w.size())

    if not window.rect().intersects(area(widget)):
        return False
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    return parent is None or area(parent.viewport()).intersects(area(widget))


def _walk(window: MainWindow, start: QWidget, key: Qt.Key) -> list[tuple[str, bool]]:
    """Press ``key`` from ``start`` until the focus is back on it (or 60 presses): each
    widget reached, and whether it was shown when the focus arrived."""
    start.setFocus()
    QApplication.processEvents()
    reached: list[tuple[str, bool]] = []
    for _ in range(60):
        QTest.keyClick(QApplication.focusWidget(), key)
        QApplication.processEvents()
        focus = QApplication.focusWidget()
        assert focus is not None
        if focus is start:
            return reached
        reached.append((f"{type(focus).__name__} {focus.accessibleName()}",
                        _shown(window, focus)))
    return reached


def test_tab_never_goes_behind_a_dock_tab(window: MainWindow) -> None:
    """From the Inspector's Add rule, Tab went into the Host NICs list, its Refresh button
    and the History list behind their tabs (and Log, Checks and Leases behind Problems):
    three presses where nothing showed the focus and no key seemed to do anything. On a
    small screen, Tab from the Palette into the Inspector left its Name field scrolled out
    of sight (the Inspector was scrolled down to Add rule)."""
    window.resize(1024, 700)
    window.new_from_example(REPO / "examples" / "openstack-linuxbridge.yaml")
    window.scene.select_keys(["vm1"])
    QApplication.processEvents()
    assert window.tabifiedDockWidgets(window.inspector_dock)  # Host and History behind it
    add_rule = window.inspector.packets.chains["input"].rules.buttons["add"]
    for key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
        reached = _walk(window, add_rule, key)
        names = [name for name, _shown_then in reached]
        assert "QLineEdit Name" in names and "Palette Palette" in names, names
        hidden = [name for name, shown in reached if not shown]
        assert not hidden, (key, hidden)
