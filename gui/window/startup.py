"""The designer's top-level window from the first moment: a frame that holds the designer.

Loading the designer (the topology model's pydantic classes, the canvas, every dock) takes
most of a second on a loaded machine, and a window that appears only then feels broken.
``StartupFrame`` is the window the user sees: it is shown, at the designer's first size and
with the application's name, before anything of the designer is imported, and ``hold()``
then puts the MainWindow inside it once built. The frame shows the designer's title (and
its unsaved-changes mark), hands a close request to the designer (whose questions about
unsaved changes and a running lab decide), and closes when the designer closes itself
(File → Quit, or after the lab question).

This module imports only Qt, so the frame costs what an empty Qt window costs; it even
leaves out the names whose first use costs (``Qt``'s flags took 21 ms, ``QEvent`` 3 ms):
those are needed only once the designer is in.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QMainWindow, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from PySide6.QtCore import QEvent

APP_NAME = "Netwright"
DEFAULT_SIZE = QSize(1400, 880)

#: How long ``show_now`` waits for the window system to expose the frame.
EXPOSE_WAIT_SECONDS = 0.5


def first_size(window: QWidget) -> QSize:
    """1400×880, or the screen's available area when that is smaller (a 1024×700 laptop
    screen must get a window it can see whole, docks and all; ``fit_frame`` then takes off
    what the window manager's frame needs once it is known)."""
    screen = window.screen() or QApplication.primaryScreen()
    if screen is None:
        return DEFAULT_SIZE
    area = screen.availableGeometry()
    return DEFAULT_SIZE.boundedTo(QSize(area.width(), area.height()))


def frame_inside(area: QRect, frame: QRect, client: QSize) -> tuple[QPoint, QSize]:
    """Where a window's frame goes and how big its inside gets so that the whole frame —
    title bar, borders and the status bar at the bottom — lies in ``area``.

    ``frame`` is the frame's geometry as the window manager placed it around a window whose
    inside is ``client``: what it adds (a title bar, borders) is kept, the inside shrinks.

    >>> frame_inside(QRect(0, 0, 1024, 700), QRect(0, 0, 1026, 725), QSize(1024, 700))
    (PySide6.QtCore.QPoint(0, 0), PySide6.QtCore.QSize(1022, 675))
    """
    extra_width = frame.width() - client.width()
    extra_height = frame.height() - client.height()
    size = client.boundedTo(QSize(area.width() - extra_width, area.height() - extra_height))
    left = max(area.left(), min(frame.left(), area.right() + 1 - size.width() - extra_width))
    top = max(area.top(), min(frame.top(), area.bottom() + 1 - size.height() - extra_height))
    return QPoint(left, top), size


def fit_frame(window: QWidget) -> None:
    """Move and shrink a shown top-level window so its frame lies in the screen's available
    area: a new window as big as a 1024×700 screen would otherwise put its status bar below
    the screen's edge by the height of the title bar."""
    screen = window.screen()
    if screen is None:
        return
    area = screen.availableGeometry()
    if area.contains(window.frameGeometry()):
        return
    place, size = frame_inside(area, window.frameGeometry(), window.size())
    window.resize(size)
    window.move(place)  # a top-level's position is its frame's


class StartupFrame(QWidget):
    """The designer's top-level window: "Loading…" until ``hold()`` gives it the designer."""

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.designer: QMainWindow | None = None
        self._designer_closed = False
        self.column = layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._loading = QWidget()  # "Loading…" in the middle, by stretches on every side
        centred = QHBoxLayout(self._loading)
        centred.addStretch()
        centred.addWidget(QLabel("Loading the designer…"))
        centred.addStretch()
        layout.addWidget(self._loading)
        self.resize(first_size(self))

    def show_now(self, app: QApplication) -> None:
        """Show the frame and let the window system expose and paint it before returning
        (the designer's import that follows keeps the event loop busy)."""
        self.show()
        deadline = time.monotonic() + EXPOSE_WAIT_SECONDS
        while time.monotonic() < deadline:
            app.processEvents()
            handle = self.windowHandle()
            if handle is not None and handle.isExposed():
                fit_frame(self)  # the frame's size is known once the window is mapped
                app.processEvents()  # the paint the expose asked for
                return
            time.sleep(0.005)

    def hold(self, designer: QMainWindow) -> None:
        """Put the designer in the frame, in place of "Loading…"."""
        self.designer = designer
        designer.setParent(self)  # a child widget from now on (its window flags reset)
        self.column.replaceWidget(self._loading, designer)
        self._loading.deleteLater()
        designer.installEventFilter(self)
        self.setWindowTitle(designer.windowTitle())
        self.setWindowModified(designer.isWindowModified())
        designer.show()
        # The frame was activated holding only "Loading…", so no widget had the keys: arrows,
        # Delete and the Menu key went nowhere until Tab. They go where the designer wants
        # them (the canvas, unless it chose another field).
        (designer.focusWidget() or designer.centralWidget() or designer).setFocus(
            Qt.FocusReason.ActiveWindowFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        from PySide6.QtCore import QEvent  # installed with the designer: after the first paint

        designer = self.designer
        if watched is designer and designer is not None:
            kind = event.type()
            if kind == QEvent.Type.WindowTitleChange:
                self.setWindowTitle(designer.windowTitle())
            elif kind == QEvent.Type.ModifiedChange:
                self.setWindowModified(designer.isWindowModified())
            elif kind == QEvent.Type.Hide and designer.isHidden() and not event.spontaneous():
                # the designer closed itself (hidden on its own, not with the frame)
                self._designer_closed = True
                self.close()
        return super().eventFilter(watched, event)

    def closeEvent(self, event: QEvent) -> None:  # noqa: N802
        """The window manager's close: the designer decides, as if it were the window."""
        if self.designer is None or self._designer_closed:
            event.accept()
            return
        event.setAccepted(self.designer.close())
