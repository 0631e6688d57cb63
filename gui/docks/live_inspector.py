"""The inspector of the live host: the same form as a design's, every field read-only.

Values can be selected and copied but not changed: each line is read-only, every other
control is disabled, and a commit that still arrives (a rename, a routes table) is refused.
A line above the form says why.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from netwright.gui.docks.inspector import Inspector
from netwright.gui.model.document import Edit, TopologyDocument

NOTICE = "Observed on the live host — read-only. Copy into Design to change it."
NOTICE_NOTHING = ("The live host, read-only. Select a namespace, a link or a NIC to see what"
                  " was observed; Copy into Design (right-click) brings it into the design.")


class LiveInspector(Inspector):
    """An ``Inspector`` of the observed host that never edits."""

    def __init__(self, document: TopologyDocument, parent: QWidget | None = None) -> None:
        super().__init__(document, parent)
        self.notice = QLabel(NOTICE)
        self.notice.setWordWrap(True)
        self.notice.setObjectName("live-notice")
        self._outer.insertWidget(0, self.notice)
        self.show_key(None)

    def show_key(self, key: str | None) -> None:
        super().show_key(key)
        # nothing selected: the host's own form would be the import's name and empty rules
        self._body.setVisible(self.key is not None)
        self._title.setVisible(self.key is not None)
        self.host_panel.setVisible(self.key is not None)
        notice = getattr(self, "notice", None)  # the base class shows a form before it exists
        if notice is not None:
            notice.setText(NOTICE if self.key is not None else NOTICE_NOTHING)
        self.lock()

    def refresh(self) -> None:
        super().refresh()
        self.lock()

    def lock(self) -> None:
        """Every control of the current form read-only (lines) or disabled (the rest)."""
        for widget in self.findChildren(QWidget):
            if isinstance(widget, QLineEdit | QPlainTextEdit | QAbstractSpinBox):
                widget.setReadOnly(True)
            elif isinstance(widget, QComboBox | QAbstractButton):
                widget.setEnabled(False)
            elif isinstance(widget, QAbstractItemView):
                widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

    def commit(self, name: str, raw: Any) -> bool:
        return False

    def try_edits(self, name: str, edits: list[Edit], label: str,
                  field: tuple[Any, ...] | None = None) -> bool:
        return False
