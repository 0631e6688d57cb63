"""Each dock's name shown once: by its tab in a tab group, by its title bar when alone.

Qt gives a tabbed dock both a title bar and a tab with the same words ("Problems (0 errors,
4 warnings)" twice, one under the other), which cost a short window a row of every dock
area. ``DockTitles`` hides the title bar of a dock that shares its place with others (its
tab names it, the tabs sit on top, and dragging the tab moves the dock) and of a dock too
narrow for a title (the palette's icon strip); a dock alone, or floating, keeps its title
bar with its float and close buttons. Every dock has a toggle in View, whatever it shows.

Qt (6.11) leaves a tab bar behind for every tab group after the window's first: made when
the group's first two docks are tabbed, never laid out, never hidden, it showed "Problems |
Plan / Log" across the palette's strip. ``hide_stale_tab_bars`` finds such bars (the ones
Qt's layout does not use do not follow ``setTabPosition``) and hides them.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabBar, QTabWidget, QWidget

NARROW = 100
"""A dock narrower than this (in pixels) has no room for a title bar's words and buttons."""


def wants_title_bar(window: QMainWindow, dock: QDockWidget) -> bool:
    """Whether ``dock`` should show its own title bar where it is now."""
    if dock.isFloating():
        return True
    tabbed = any(not other.isHidden() for other in window.tabifiedDockWidgets(dock))
    return not tabbed and dock.width() >= NARROW


SOUTH = (QTabBar.Shape.RoundedSouth, QTabBar.Shape.TriangularSouth)


def hide_stale_tab_bars(window: QMainWindow) -> None:
    """Hide the tab bars of ``window`` that no tab group uses (see above); the tabs stay
    on top."""
    bars = window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
    window.setTabPosition(Qt.DockWidgetArea.AllDockWidgetAreas, QTabWidget.TabPosition.South)
    used = [bar for bar in bars if bar.shape() in SOUTH]
    window.setTabPosition(Qt.DockWidgetArea.AllDockWidgetAreas, QTabWidget.TabPosition.North)
    for bar in bars:
        if bar not in used and not bar.isHidden():
            bar.hide()


class DockTitles(QObject):
    """Keeps the title bars of a window's docks as ``wants_title_bar`` says, as docks are
    shown, hidden, moved, tabbed, floated and resized."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        window.setTabPosition(Qt.DockWidgetArea.AllDockWidgetAreas,
                              QTabWidget.TabPosition.North)
        self._pending = QTimer(self)
        self._pending.setSingleShot(True)
        self._pending.setInterval(0)
        self._pending.timeout.connect(self.update)
        window.tabifiedDockWidgetActivated.connect(lambda _dock: self._pending.start())

    def watch(self, dock: QDockWidget) -> None:
        """Follow ``dock`` (every dock of the window is watched)."""
        dock.topLevelChanged.connect(lambda _floating: self._pending.start())
        dock.dockLocationChanged.connect(lambda _area: self._pending.start())
        dock.visibilityChanged.connect(lambda _visible: self._pending.start())
        dock.installEventFilter(self)
        self._pending.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.Hide):
            self._pending.start()
        return False

    def update(self) -> None:
        """Show or hide each dock's title bar; only where that changes. Hide the tab bars
        Qt left behind."""
        hide_stale_tab_bars(self.window)
        for dock in self.window.findChildren(QDockWidget):
            bare = not wants_title_bar(self.window, dock)
            if bare != (dock.titleBarWidget() is not None):
                # Qt takes a null title bar (the default one again); PySide6's stub omits None
                dock.setTitleBarWidget(QWidget() if bare else None)  # type: ignore[arg-type]
