"""The mouse wheel scrolls the Inspector; it never edits the design.

Qt's combo boxes and tab bars take a wheel turn over them as a choice: scrolling the
Inspector down a veth's fields, one notch with the pointer passing over "State" set the
interface ``down`` (an undoable edit nobody asked for), and over the firewall's tabs it
switched chains. Choices there are made by a click or the keyboard; a wheel turn over such a
widget goes to the page around it, which scrolls.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget


class _PassWheelOn(QObject):
    """Refuses the wheel for the widget it watches: ``ignore`` + handled makes Qt offer the
    event to the widget's parents, up to the scroll area."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Wheel:
            event.ignore()
            return True
        return False


def wheel_scrolls_page(*widgets: QWidget) -> None:
    """Let the wheel over each of ``widgets`` scroll the page instead of choosing."""
    for widget in widgets:
        widget.installEventFilter(_PassWheelOn(widget))  # lives and dies with the widget
