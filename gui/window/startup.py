"""The designer's top-level window from the first moment: a frame that holds the designer.

Loading the designer (the topology model's pydantic classes, the canvas, every dock) takes
most of a second on a loaded machine, and a window that appears only then feels broken.
``StartupFrame`` is the window the user sees: it is shown, at the designer's first size and
with the application's name, before anything of the designer is imported, and ``hold()``
then puts the MainWindow inside it once built. The frame shows the designer's title (and
its unsaved-changes mark), hands a close request to the designer (whose questions about
unsaved changes and a running lab decide), and closes when the designer closes itself
(File → Quit, or after the lab question).

This module imports only Qt, so the frame costs what an empty Qt window costs.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QVBoxLayout, QWidget

APP_NAME = "Netwright"
DEFAULT_SIZE = QSize(1400, 880)

#: How long ``show_now`` waits for the window system to expose the frame.
EXPOSE_WAIT_SECONDS = 0.5


def first_size(window: QWidget) -> QSize:
    """1400×880, or the screen's available area when that is smaller (a 1024×700 laptop
    screen must get a window it can see whole, docks and all)."""
    screen = window.screen() or QApplication.primaryScreen()
    if screen is None:
        return DEFAULT_SIZE
    area = screen.availableGeometry()
    return DEFAULT_SIZE.boundedTo(QSize(area.width(), area.height()))


class StartupFrame(QWidget):
    """The designer's top-level window: "Loading…" until ``hold()`` gives it the designer."""

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.designer: QMainWindow | None = None
        self._designer_closed = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._loading = QLabel("Loading the designer…")
        self._loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
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
                app.processEvents()  # the paint the expose asked for
                return
            time.sleep(0.005)

    def hold(self, designer: QMainWindow) -> None:
        """Put the designer in the frame, in place of "Loading…"."""
        self.designer = designer
        designer.setParent(self)  # a child widget from now on (its window flags reset)
        self.layout().replaceWidget(self._loading, designer)
        self._loading.deleteLater()
        designer.installEventFilter(self)
        self.setWindowTitle(designer.windowTitle())
        self.setWindowModified(designer.isWindowModified())
        designer.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
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
