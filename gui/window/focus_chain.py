"""Tab and Shift+Tab skip the docks hidden behind another dock's tab.

Qt keeps a tabbed dock that is not in front "visible", only moved out of the window, so the
focus chain walked into it: from the Inspector's last button, Tab went on into the Host
NICs list, its Refresh button and the History list behind their tabs (and the bottom
panel's Log, Checks and Leases behind Problems), where nothing showed where the keys were
and no key seemed to do anything. ``step_focus`` moves on past such widgets, to the next
one a person can see, and scrolls the dock's scroll area to it (a scroll area does that
itself only for a step that starts inside it: Tab from the Palette into the Inspector left
its first field scrolled out of sight).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QApplication, QDockWidget, QWidget

from netwright.gui.docks.scroll_into_view import scroll_into_view

Step = Callable[[bool], bool]  # the window's own focusNextPrevChild


def behind_a_tab(widget: QWidget) -> bool:
    """Whether ``widget`` is in a dock that is not shown: Qt moves a docked dock whose tab is
    not in front out of the window (its geometry lies outside the window's rectangle)."""
    parent: QWidget | None = widget
    while parent is not None and not isinstance(parent, QDockWidget):
        parent = parent.parentWidget()
    window = parent.parentWidget() if parent is not None else None
    if parent is None or window is None or parent.isFloating():
        return False
    return not window.rect().intersects(parent.geometry())


def step_focus(step: Step, forward: bool) -> bool:
    """Move the focus as Qt does (``step``), again while it lands behind a tab; stops where
    it started if every other field is hidden."""
    start = QApplication.focusWidget()
    seen: set[int] = set()
    while True:
        if not step(forward):
            return False
        focus = QApplication.focusWidget()
        if focus is None or focus is start or id(focus) in seen:
            return True
        if not behind_a_tab(focus):
            scroll_into_view(focus)
            return True
        seen.add(id(focus))
