"""The red sentence under a field the inspector refused, and the amber one that says what an
accepted value still waits for: one look for every editor."""

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


HINT_STYLE = "color: palette(text); background: rgba(242, 153, 0, 40);" \
             " border-left: 3px solid #f29900; padding: 2px 4px;"


def hint_label() -> QLabel:
    """Hidden until there is something the user has still to give (a rule's protocol for the
    port typed first): not a refusal, the value is in the design."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(HINT_STYLE)
    label.hide()
    return label
