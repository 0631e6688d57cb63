"""The red sentence under a field the inspector refused: one look for every editor."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

ERROR_STYLE = "color: palette(text); background: rgba(217, 48, 37, 40);" \
              " border-left: 3px solid #d93025; padding: 2px 4px;"


def error_label() -> QLabel:
    """Hidden until the inspector puts the contract's sentence in it."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.hide()
    return label
