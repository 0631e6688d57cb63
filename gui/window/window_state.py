"""Where the user left the docks: saved when the window closes, restored when one opens.

Qt's ``saveState`` records each dock's area, tab group, floating place and visibility and
the toolbar's place. The state carries ``STATE_VERSION``: a state of an older arrangement
(before version 2 the Host list was tabbed with the palette, which is now a strip of icons
on a narrow window) is ignored, and the window starts with its own arrangement. Dock sizes
are not kept: the window fits them to its size whenever it is resized (dock_sizes.py), and
the bottom panel's open or closed state follows its own rule (bottom_panel.py).
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QDockWidget, QMainWindow

STATE_KEY = "window/state"
STATE_VERSION = 2


def save_docks(window: QMainWindow, settings: QSettings) -> None:
    settings.setValue(STATE_KEY, window.saveState(STATE_VERSION))


def restore_docks(window: QMainWindow, settings: QSettings,
                  transient: list[QDockWidget]) -> bool:
    """The docks as the user left them, if a state of this version was saved; the
    ``transient`` docks (the live host's, shown only with it) start hidden whatever was
    saved. True when a state was restored."""
    state = settings.value(STATE_KEY)
    if not isinstance(state, QByteArray) or state.isEmpty():
        return False
    restored = window.restoreState(state, STATE_VERSION)
    if restored:
        for dock in transient:
            dock.hide()
    return restored
