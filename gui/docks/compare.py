"""The Compare dock: each difference between the open design and the live host, one row.

Rows are grouped as missing on the host, extra on the host and drifted, each with its
colour (the canvas outlines the same objects in it) and a sentence; clicking a row asks the
window to select that object on the canvas.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from netwright.gui.canvas.live_scene import mark_colour
from netwright.gui.canvas.theme import Theme
from netwright.gui.model.live_compare import DRIFTED, EXTRA, MISSING, Comparison

KEY_ROLE = Qt.ItemDataRole.UserRole
KIND_ROLE = Qt.ItemDataRole.UserRole + 1  # missing, extra or drifted: the row's colour
TITLES = {MISSING: "missing on the host", EXTRA: "extra on the host", DRIFTED: "drifted"}


class CompareView(QWidget):
    """A heading with the counts, then one row per difference."""

    activated_key = Signal(str)

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.heading = QLabel("Compare with Design shows here how the live host differs"
                              " from the open design.")
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.rows = QListWidget()
        self.rows.setWordWrap(True)
        self.rows.itemClicked.connect(self._clicked)
        self.rows.itemActivated.connect(self._clicked)
        layout.addWidget(self.rows)

    def show_comparison(self, design_name: str, result: Comparison | None) -> None:
        self.rows.clear()
        if result is None:
            self.heading.setText("no comparison")
            return
        self.heading.setText(f"{design_name} against the live host: {result.summary()}")
        for kind in (MISSING, DRIFTED, EXTRA):
            for item in result.differences:
                if item.kind != kind:
                    continue
                row = QListWidgetItem(f"{TITLES[kind]} · {item.text}")
                row.setData(KEY_ROLE, item.key)
                row.setData(KIND_ROLE, kind)
                row.setForeground(QBrush(mark_colour(self.theme, kind)))
                self.rows.addItem(row)

    def set_theme(self, theme: Theme) -> None:
        """Follow a light/dark palette switch: the rows coloured again, in place."""
        self.theme = theme
        for i in range(self.rows.count()):
            row = self.rows.item(i)
            row.setForeground(QBrush(mark_colour(theme, str(row.data(KIND_ROLE)))))

    def keys(self) -> list[str]:
        return [self.rows.item(i).data(KEY_ROLE) for i in range(self.rows.count())]

    def row_of(self, key: str) -> QListWidgetItem | None:
        for i in range(self.rows.count()):
            if self.rows.item(i).data(KEY_ROLE) == key:
                return self.rows.item(i)
        return None

    def _clicked(self, row: QListWidgetItem) -> None:
        self.activated_key.emit(str(row.data(KEY_ROLE)))
