"""Every status bar message fits the room the status bar gives it, or is cut with an ellipsis.

QStatusBar draws a message from its left edge up to its first lasting widget (the problems
button, the deployment's words) and lets a longer one run under them: at 1024x700 "Plan
failed: an interface named docker0 already exists in the host and d" ended under "No
problems". Messages come from many places (a refusal, a plan, a job's end), so the bar itself
shortens what it is given, measured once it is laid out (a message shown before the window
is, "opened FILE" at start, is measured when it shows), and again when it is resized; the
whole sentence is its tooltip while it shows (and errors are written whole in Plan / Log, as
before).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QStatusBar

from netwright.gui.window.made_note import message_width

SHORTENED_MS = 10000  # how long a shortened message stays (QStatusBar keeps no timeout)


class MessageFitter(QObject):
    """Shortens each message ``bar`` shows to its room; the whole one is the bar's tooltip
    while its shortened form shows."""

    def __init__(self, bar: QStatusBar) -> None:
        super().__init__(bar)
        self.bar = bar
        self.whole = ""  # the message on show, as it was given
        self.shown = ""  # what the bar shows of it (the whole, or shortened)
        bar.messageChanged.connect(self._changed)
        bar.installEventFilter(self)

    def _changed(self, text: str) -> None:
        if text and text == self.shown:
            return  # shown by ``fit`` itself
        self.whole = self.shown = text
        self.fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.bar and event.type() in (QEvent.Type.Show, QEvent.Type.Resize) \
                and self.whole:
            QTimer.singleShot(0, self, self.fit)  # once the bar has placed its widgets
        return False

    def fit(self) -> None:
        """Show the message on show whole, or shortened to the room the bar gives it."""
        bar, text = self.bar, self.whole
        if not text or not bar.isVisible() or bar.currentMessage() != self.shown:
            if not text:
                bar.setToolTip("")
            return  # none, measured once the bar shows, or another message came since
        metrics = bar.fontMetrics()
        room = message_width(bar)
        fitting = text if metrics.horizontalAdvance(text) <= room else \
            metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
        bar.setToolTip("" if fitting == text else text)
        if fitting != self.shown:
            self.shown = fitting
            bar.showMessage(fitting, SHORTENED_MS)
