"""Scroll the scroll area that holds a widget (a dock's, the welcome panel's) to show it.

The Inspector's form is taller than its dock on a small screen: a field the keys reach, a
sentence under a refused field, or the button a menu opens under must first be scrolled
into view, or the person looks at the wrong place (a menu opened below the dock).
"""

from __future__ import annotations

from PySide6.QtWidgets import QScrollArea, QWidget


def scroll_into_view(widget: QWidget, margin: int = 10) -> None:
    """Scroll the nearest scroll area holding ``widget`` so that it is shown."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    if parent is not None and widget.isVisible():
        parent.ensureWidgetVisible(widget, margin, margin)
