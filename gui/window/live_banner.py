"""The strip across the top of the canvas while the live host is shown.

"Live host — read-only (observed 12:03:41)" and the live view's own actions as buttons
(Refresh, Compare with Design, Back to Design), above the picture itself; what acts on a
selection (Copy into Design, Adopt…) is on the right-click menu and in File. A narrow window
wraps the words and keeps the buttons whole.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QFrame,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QWidget,
)


def banner_text(when: datetime | None, lab: bool, skipped: int = 0) -> str:
    """The banner's words: what is shown, that it is read-only, when it was observed."""
    where = "Live host (lab)" if lab else "Live host"
    seen = f"observed {when:%H:%M:%S}" if when else "observing…"
    left_out = f" · {skipped} left out (see Plan / Log)" if skipped else ""
    return f"{where} — read-only ({seen}){left_out}"


class LiveBanner(QFrame):
    """A child of the canvas view, as wide as it, at its top edge."""

    def __init__(self, view: QWidget, actions: list[QAction]) -> None:
        super().__init__(view)
        self.setObjectName("live-banner")
        self.setAutoFillBackground(True)
        self.setStyleSheet("#live-banner { background: #fff4d6; border-bottom: 1px solid"
                           " #e0b84a; } #live-banner QLabel { color: #4a3500; }")
        self.row = row = QHBoxLayout(self)
        row.setContentsMargins(10, 3, 6, 3)
        self.label = QLabel(banner_text(None, False))
        self.label.setWordWrap(True)  # a narrow window wraps the words, keeps the buttons
        self.label.setMinimumWidth(120)
        row.addWidget(self.label, 1)
        self.buttons: dict[str, QToolButton] = {}
        for action in actions:
            button = QToolButton()
            button.setDefaultAction(action)
            button.setAutoRaise(True)
            row.addWidget(button)
            self.buttons[action.text().replace("&", "")] = button
        view.installEventFilter(self)
        if isinstance(view, QAbstractScrollArea):  # their containers, stacked anew when shown
            for bar in (view.verticalScrollBar(), view.horizontalScrollBar()):
                if (container := bar.parentWidget()) is not None and container is not view:
                    container.installEventFilter(self)
        self.hide()

    def show_text(self, text: str) -> None:
        self.label.setText(text)
        self.label.setToolTip(text)
        self.show()
        self._fit()
        self.raise_()

    def hide_banner(self) -> None:
        self.hide()
        self._fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.parentWidget():
            if event.type() == QEvent.Type.Resize:
                self._fit()
        elif event.type() in (QEvent.Type.Show, QEvent.Type.ZOrderChange):
            # a scroll bar that appears (the observed host is larger than the view) is
            # raised over the banner and would cut off its last button: the banner goes on top
            self.raise_()
        return False

    def _fit(self) -> None:
        """As wide as the view, at its top; the view's picture starts below it."""
        view = self.parentWidget()
        if not isinstance(view, QAbstractScrollArea):
            return
        row = self.row
        height = row.totalHeightForWidth(view.width()) if row.hasHeightForWidth() \
            else row.totalSizeHint().height()
        self.setGeometry(0, 0, view.width(), height)
        self.raise_()  # over the view's scroll bars too
        view.setViewportMargins(0, height if self.isVisible() else 0, 0, 0)
