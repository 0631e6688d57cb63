"""How much of the window the docks take: the canvas keeps most of it, at any window size.

At 1024×700 the docks used to leave the canvas ~470×300 px (a palette column above a host
column, an inspector as wide as its widest field, a bottom dock a third of the height). The
window now tabs the palette with the host list, and gives the side and bottom docks a share
of the window, bounded so that each stays usable: called whenever the window is resized.
A dock whose content grows with what it shows (the inspectors) holds it in a scroll area,
so the content never makes the window taller.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QScrollArea, QWidget


def _share(total: int, fraction: float, low: int, high: int) -> int:
    return max(low, min(high, round(total * fraction)))


def dock_sizes(window: QSize) -> tuple[int, int, int]:
    """(left width, right width, bottom height) for a window of this size.

    >>> dock_sizes(QSize(1024, 700))
    (190, 260, 168)
    """
    left = _share(window.width(), 0.12, 190, 220)  # the host list's two buttons
    right = _share(window.width(), 0.2, 260, 340)
    # a quarter of the height, less: at 1024×700 the Problems list shows three rows of
    # wrapped sentences and the Checks matrix four rows, the canvas keeps ~60 % of the height
    bottom = _share(window.height(), 0.24, 160, 280)
    return left, right, bottom


def fit_docks(window: QMainWindow, left: QDockWidget, right: QDockWidget,
              bottom: QDockWidget) -> None:
    """Size the three dock areas (each given by one of its docks) for the window's size."""
    width_left, width_right, height_bottom = dock_sizes(window.size())
    window.resizeDocks([left, right], [width_left, width_right], Qt.Orientation.Horizontal)
    window.resizeDocks([bottom], [height_bottom], Qt.Orientation.Vertical)


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
    return area
