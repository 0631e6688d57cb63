"""The Plan/Log dock: what the backend did, step by step, newest line always in view.

Apply reports every step ([1/8] … [8/8]); the newest line (above all a failure, which the
window shows last) must be visible without scrolling, even after the person scrolled up to
read an earlier step.
"""

from __future__ import annotations

from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from netwright.gui.canvas.focus_ring import FocusRing


class LogView(QPlainTextEdit):
    """A read-only log that follows its newest line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.focus_ring = FocusRing(self)  # read-only: no caret shows where the keys are
        self.textChanged.connect(self.show_newest)
        # the range grows after the new line is laid out: follow it there too
        self.verticalScrollBar().rangeChanged.connect(lambda _low, high: self._follow(high))
        self._following = False

    def show_newest(self) -> None:
        """Put the last line in view (the cursor goes to the end; selection is dropped)."""
        self.moveCursor(QTextCursor.MoveOperation.End)
        self.ensureCursorVisible()
        self._following = True
        self._follow(self.verticalScrollBar().maximum())

    def _follow(self, high: int) -> None:
        if self._following:
            self.verticalScrollBar().setValue(high)
