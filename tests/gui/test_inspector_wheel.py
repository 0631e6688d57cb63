"""A wheel turn over the Inspector scrolls it and never edits the design.

Found by use: scrolling down a veth's fields with the pointer passing over "State" set the
veth ``down`` (one notch, an undoable edit nobody asked for), and over the firewall's tab
bar it switched chains. Real wheel events, sent where Qt sends them: to the widget under
the pointer.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QPointF
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QScrollArea, QTabBar, QWidget

from netwright.gui.window.main import MainWindow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _turn_down(widget: QWidget) -> None:
    """One notch down with the pointer in the middle of ``widget``, through the window system
    as a real wheel comes (Qt offers a wheel to the parents only when it came from there)."""
    top = widget.window()
    handle = top.windowHandle()
    assert handle is not None
    inside = widget.mapTo(top, widget.rect().center())
    QTest.wheelEvent(handle, QPointF(inside), QPoint(0, -120))
    QApplication.processEvents()


def _inspector_scroll(window: MainWindow) -> QScrollArea:
    area = window.inspector.parentWidget()
    while area is not None and not isinstance(area, QScrollArea):
        area = area.parentWidget()
    assert isinstance(area, QScrollArea)
    return area


def test_the_wheel_over_a_choice_scrolls_instead_of_choosing(window: MainWindow) -> None:
    window.resize(1024, 700)  # the veth's fields are taller than the Inspector here
    assert window.open_path(EXAMPLES / "openstack-linuxbridge.yaml")
    window.scene.select_keys(["tap-vm1"])
    QApplication.processEvents()
    state = window.inspector.editors["state"]
    assert isinstance(state, QComboBox) and state.currentText() == "up"
    bar = _inspector_scroll(window).verticalScrollBar()
    assert bar.maximum() > 0
    edits = window.document.undo_stack.count()

    _turn_down(state)

    assert state.currentText() == "up"
    assert window.document.get(("interfaces", "tap-vm1", "state")) in (None, "up")
    assert window.document.undo_stack.count() == edits
    assert bar.value() > 0  # the page moved instead


def test_the_wheel_over_the_firewall_tabs_keeps_the_chain(window: MainWindow) -> None:
    window.resize(1024, 700)
    assert window.open_path(EXAMPLES / "openstack-linuxbridge.yaml")
    window.scene.select_keys(["tap-vm1"])
    QApplication.processEvents()
    bars = [bar for bar in window.inspector.findChildren(QTabBar) if bar.count() > 1]
    assert bars
    area = _inspector_scroll(window)
    for bar in bars:
        area.ensureWidgetVisible(bar)  # under the pointer, not below the fold
        QApplication.processEvents()
        assert bar.window().childAt(bar.mapTo(bar.window(), bar.rect().center())) is bar
        before = bar.currentIndex()
        _turn_down(bar)
        assert bar.currentIndex() == before, bar.tabText(bar.currentIndex())
