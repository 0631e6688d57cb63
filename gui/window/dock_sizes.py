"""How much of the window the docks take: the canvas keeps most of it, at any window size.

At 1024×700 the docks used to leave the canvas ~470×300 px (a palette column above a host
column, an inspector as wide as its widest field, a bottom dock a third of the height), then
a third of the window. The window now gives the side and bottom docks a share of the window,
bounded so that each stays usable, and below ``STRIP_BELOW`` pixels of width the palette is
a strip of icons (the host list sits with the inspector); the bottom panel starts closed on a
short window (window/bottom_panel.py). Called whenever the window is resized.
A dock whose content grows with what it shows (the inspectors) holds it in a scroll area,
so the content never makes the window taller.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QScrollArea, QWidget


def _share(total: int, fraction: float, low: int, high: int) -> int:
    return max(low, min(high, round(total * fraction)))


STRIP_BELOW = 1200
"""A window narrower than this shows the palette as a strip of icons."""

STRIP_WIDTH = 44
"""The palette strip's width: a 22 px icon, the list's frame and margins."""


def dock_sizes(window: QSize) -> tuple[int, int, int]:
    """(left width, right width, bottom height) for a window of this size.

    >>> dock_sizes(QSize(1024, 700))
    (44, 300, 168)
    >>> dock_sizes(QSize(1400, 880)), dock_sizes(QSize(1600, 1000))
    ((190, 300, 211), (192, 320, 240))
    """
    narrow = window.width() < STRIP_BELOW
    left = STRIP_WIDTH if narrow else _share(window.width(), 0.12, 190, 220)
    # the inspector's form needs 280 px (a bridge port's firewall tabs) and its scroll bar:
    # at least 300 px at any width, so no form scrolls sideways (at 1400 px 20 % left a
    # bridge port's labels cut off once the scroll bar showed); 20 % of a wider window
    right = _share(window.width(), 0.2, 300, 340)
    # a quarter of the height, less: at 1024×700 the Problems list shows three rows of
    # wrapped sentences and the Checks matrix four rows, the canvas keeps ~60 % of the height
    bottom = _share(window.height(), 0.24, 160, 280)
    return left, right, bottom


def fit_docks(window: QMainWindow, left: QDockWidget, right: QDockWidget,
              bottom: list[QDockWidget]) -> None:
    """Size the three dock areas for the window's size: the side areas by one dock of each,
    the bottom by the first of ``bottom`` shown (none: the bottom panel is closed)."""
    width_left, width_right, _bottom = dock_sizes(window.size())
    window.resizeDocks([left, right], [width_left, width_right], Qt.Orientation.Horizontal)
    fit_bottom(window, bottom)


def fit_bottom(window: QMainWindow, bottom: list[QDockWidget]) -> None:
    """The bottom area's share of the window's height (as the window is resized, and as the
    bottom panel opens)."""
    shown = [dock for dock in bottom if not dock.isHidden()]
    if shown:
        window.resizeDocks(shown[:1], [dock_sizes(window.size())[2]], Qt.Orientation.Vertical)


def steady_width(content: QWidget) -> QScrollArea:
    """``content`` in a scroll area, so its dock keeps its width whatever it shows.

    The inspector's fields differ per kind (a long "Fill from parent (…)" button, a routes
    table): shown bare, the dock grew and shrank with the selection, and the canvas shifted
    under a pressed mouse button. A scroll area's size hint does not follow its content.
    """
    area = QScrollArea()
    area.setWidget(content)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    # no Tab stop of its own (it showed no focus and did nothing): Tab goes to the first
    # field, and the area scrolls to each field the focus reaches
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return area
