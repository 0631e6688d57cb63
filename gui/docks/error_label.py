"""The red sentence under a field the inspector refused, and the amber one that says what an
accepted value still waits for: one look for every editor."""

from __future__ import annotations

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel

ERROR_STYLE = "color: palette(text); background: rgba(217, 48, 37, 40);" \
              " border-left: 3px solid #d93025; padding: 2px 4px;"


class SentenceLabel(QLabel):
    """A word-wrapped label as tall as its sentence needs at the width it is given. A form in
    a scroll area sizes its rows by their size hints, which for wrapped text guess a width:
    under a 126 px field the refusal "'1' is not a percentage: write it with %, e.g. 1% or
    0.5%" took four lines and was given the height of two, cut at the top and bottom."""

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        needed = self.heightForWidth(self.width()) if self.text() else 0
        if needed > 0 and needed != self.minimumHeight():
            self.setMinimumHeight(needed)  # the layout makes room; the width stays


def error_label() -> QLabel:
    """Hidden until the inspector puts the contract's sentence in it."""
    label = SentenceLabel()
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.hide()
    return label


HINT_STYLE = "color: palette(text); background: rgba(242, 153, 0, 40);" \
             " border-left: 3px solid #f29900; padding: 2px 4px;"


def hint_label() -> QLabel:
    """Hidden until there is something the user has still to give (a rule's protocol for the
    port typed first): not a refusal, the value is in the design."""
    label = SentenceLabel()
    label.setWordWrap(True)
    label.setStyleSheet(HINT_STYLE)
    label.hide()
    return label
