"""A push button whose text wraps, so a long label never widens its dock.

"Fill from parent (192.168.31.0/24 via 192.168.31.1)" is wider than a narrow inspector; a
plain ``QPushButton`` never wraps, so it forced the whole dock wider whenever such an item
was selected. This button lays its text out in a word-wrapped label and asks for height,
not width.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

PADDING = 6
MIN_WIDTH = 80


class WrapButton(QPushButton):
    """A ``QPushButton`` with word-wrapped text; ``text()``/``setText()`` work as usual."""

    def __init__(self, text: str = "", parent: QWidget | None = None,
                 alignment: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignCenter) -> None:
        super().__init__(parent)
        self._label = QLabel(self)
        self._label.setWordWrap(True)
        self._label.setAlignment(alignment)
        self._label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(PADDING, PADDING, PADDING, PADDING)
        layout.addWidget(self._label)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        self._label.setText(text)
        # the button's own text is empty (the label shows it): a screen reader said "button"
        self.setAccessibleName(text)
        self.updateGeometry()

    def text(self) -> str:
        return self._label.text()

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._label.heightForWidth(max(width - 2 * PADDING, 1)) + 2 * PADDING

    def sizeHint(self) -> QSize:  # noqa: N802
        width = min(self._label.sizeHint().width(), 2 * MIN_WIDTH) + 2 * PADDING
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(MIN_WIDTH, self.heightForWidth(MIN_WIDTH))
