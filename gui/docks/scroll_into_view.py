"""Scroll the scroll area that holds a widget (a dock's, the welcome panel's) to show it.

The Inspector's form is taller than its dock on a small screen: a field the keys reach, a
sentence under a refused field, or the button a menu opens under must first be scrolled
into view, or the person looks at the wrong place (a menu opened below the dock). A line
just shown is followed while the form lays out anew (``keep_in_view``).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QScrollArea, QWidget

SETTLES_S = 0.5
"""How long a line just shown is followed while the form around it lays out anew."""


def scroll_into_view(widget: QWidget, margin: int = 10) -> None:
    """Scroll the nearest scroll area holding ``widget`` so that it is shown."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    if parent is not None and widget.isVisible():
        parent.ensureWidgetVisible(widget, margin, margin)


def keep_in_view(widget: QWidget, seconds: float = SETTLES_S) -> None:
    """Scroll ``widget`` (a sentence just shown) into view once the form has made room for
    it, and again whenever the form's new layout moves or resizes it in the next
    ``seconds``. Showing it makes the form taller, a scroll bar appears and the form lays
    out anew, level by level: a scroll made at once showed where the line was before, and
    a refusal under a rules table stayed at a short Inspector's bottom edge with only its
    first line in view."""
    follower = widget.findChild(_Follower, options=Qt.FindChildOption.FindDirectChildrenOnly)
    if follower is None:
        follower = _Follower(widget)
    follower.until = time.monotonic() + seconds
    QTimer.singleShot(0, widget, lambda: scroll_into_view(widget))


class _Follower(QObject):
    """Scrolls its widget into view again as it moves or resizes, until ``until``."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.until = 0.0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt)
        if isinstance(watched, QWidget) and time.monotonic() < self.until and \
                event.type() in (QEvent.Type.Move, QEvent.Type.Resize):
            QTimer.singleShot(0, watched, lambda: scroll_into_view(watched))
        return False
