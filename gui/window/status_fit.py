"""Every status bar message fits the room the status bar gives it, or is cut with an ellipsis.

QStatusBar draws a message from its left edge up to its first lasting widget (the problems
button, the deployment's words) and lets a longer one run under them: at 1024x700 "Plan
failed: an interface named docker0 already exists in the host and d" ended under "No
problems". Messages come from many places (a refusal, a plan, a job's end), so the bar itself
shortens what it is given; the whole sentence is its tooltip while it shows (and errors are
written whole in Plan / Log, as before).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStatusBar

from netwright.gui.window.made_note import message_width

SHORTENED_MS = 10000  # how long a shortened message stays (QStatusBar keeps no timeout)


class MessageFitter:
    """Shortens each message ``bar`` shows to its room; the whole one is the bar's tooltip
    while its shortened form shows."""

    def __init__(self, bar: QStatusBar) -> None:
        self.bar = bar
        self.shortened = ""  # the shortened message on show now, if any
        bar.messageChanged.connect(self.fit)

    def fit(self, text: str) -> None:
        bar = self.bar
        if text and text == self.shortened:
            return  # the shortened one, shown by ``fit`` itself
        self.shortened = ""
        metrics = bar.fontMetrics()
        room = message_width(bar)
        if not text or metrics.horizontalAdvance(text) <= room:
            bar.setToolTip("")
            return
        self.shortened = metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
        bar.setToolTip(text)
        bar.showMessage(self.shortened, SHORTENED_MS)
