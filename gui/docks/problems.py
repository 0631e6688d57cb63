"""The Problems dock: every error and warning, live; double-click to go to the item.

Sentences are in the designer's terms (gui/model/wording.py); the tooltip adds the file's
place (its model path and line) and sentence, as ``netwright validate`` prints them.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from netwright.backend.topology.problems import Problem
from netwright.gui.canvas.focus_ring import FocusRing
from netwright.gui.canvas.scene import key_of_path
from netwright.gui.model.problem_place import place_words
from netwright.gui.model.wording import designer_message

WHERE_COLUMN = 1
MESSAGE_COLUMN = 2


class _WrappingDelegate(QStyledItemDelegate):
    """Rows as tall as the sentence, or the place, needs at its column's width (QTreeView
    alone keeps one line and cuts the rest off with "…"). The place wraps too: "the host's
    firewall › forward chain › rule 1 › in" beside a one-line sentence showed as "the
    host's firewall › forward chain ›", its end cut off below the row."""

    def __init__(self, view: QTreeWidget) -> None:
        super().__init__(view)
        self.view = view

    def sizeHint(self, option: QStyleOptionViewItem,  # noqa: N802 (Qt's name)
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        if index.column() in (WHERE_COLUMN, MESSAGE_COLUMN):
            width = max(self.view.columnWidth(index.column()) - 8, 60)
            text = str(index.data() or "")
            needed = option.fontMetrics.boundingRect(
                QRect(0, 0, width, 100_000), Qt.TextFlag.TextWordWrap, text).height()
            size.setHeight(max(size.height(), needed + 4))
        return size


class ProblemsView(QTreeWidget):
    """Severity, where (the object and field in the designer's words, and the line), and the
    sentence; the file's model path and sentence in the tooltip."""

    activated_key = Signal(str)  # the canvas key of a double-clicked (or Entered) problem
    activated_path = Signal(tuple)  # then its path (the inspector shows the very field)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(3)
        self.setHeaderLabels(["", "Where", "Problem"])
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(False)  # a long sentence wraps onto more lines
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.header().setStretchLastSection(True)
        self.setItemDelegate(_WrappingDelegate(self))
        self.header().sectionResized.connect(lambda *_: self.scheduleDelayedItemsLayout())
        self.setColumnWidth(0, 28)
        self.setColumnWidth(1, 230)
        # activated: a double-click, and Enter on the current problem (the keyboard's way)
        self.itemActivated.connect(self._on_activated)
        self.focus_ring = FocusRing(self)  # where the keys are, as on the canvas
        self.problems: list[Problem] = []
        self._ordered: list[Problem] = []

    def set_problems(self, problems: list[Problem],
                     kind_of: Callable[[str], str] | None = None) -> None:
        """Show ``problems``; ``kind_of`` names a whole interface by its kind ("veth v2")."""
        self.problems = list(problems)
        self.clear()
        style = self.style()
        error = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)
        warning = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        ordered = sorted(problems, key=lambda p: (p.severity != "error", p.line, p.path_text))
        self._ordered = ordered
        for number, problem in enumerate(ordered):
            where = place_words(problem.path, kind_of)
            in_file = problem.path_text or "the whole file"  # the file's own words: the tip
            if problem.line and problem.file:  # an unsaved design has no line to look at
                where += f", line {problem.line}"
                in_file += f", line {problem.line}"
            words = designer_message(problem)
            item = QTreeWidgetItem(["", where, words])
            item.setIcon(0, error if problem.severity == "error" else warning)
            tip = f"<p><b>{problem.severity} {problem.code}</b> at {html.escape(where)}</p>" \
                  f"<p>{html.escape(words)}</p>"  # rich text: Qt wraps it
            tip += f"<p><i>In the file:</i> {html.escape(in_file)}"
            if words != problem.message:
                tip += f": {html.escape(problem.message)}"
            tip += "</p>"
            for column in (1, 2):
                item.setToolTip(column, tip)
            item.setData(0, Qt.ItemDataRole.UserRole, key_of_path(problem.path) or "")
            item.setData(1, Qt.ItemDataRole.UserRole, problem.code)
            item.setData(2, Qt.ItemDataRole.UserRole, number)
            self.addTopLevelItem(item)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        """The keys arrive (Tab, Ctrl+J): Qt makes the first problem current but leaves it
        unselected, marked only by a faint frame round its narrow icon cell, while the fix
        beside is already that problem's. The current problem is selected, so the row the
        keys are on is seen, and it is the one the fix belongs to."""
        super().focusInEvent(event)
        item = self.currentItem()
        if item is not None and not self.selectedItems() and \
                event.reason() != Qt.FocusReason.MouseFocusReason:
            item.setSelected(True)

    def current_problem(self) -> Problem | None:
        """The problem of the selected row (None: no row)."""
        item = self.currentItem()
        index = item.data(2, Qt.ItemDataRole.UserRole) if item is not None else None
        return self._ordered[index] if isinstance(index, int) and \
            index < len(self._ordered) else None

    def counts(self) -> tuple[int, int]:
        """(errors, warnings) in the list."""
        errors = sum(1 for p in self.problems if p.severity == "error")
        return errors, len(self.problems) - errors

    def summary(self) -> str:
        errors, warnings = self.counts()
        if not self.problems:
            return "Problems"
        return f"Problems ({errors} error{'s' * (errors != 1)}, {warnings} warning" \
               f"{'s' * (warnings != 1)})"

    def _on_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        key = item.data(0, Qt.ItemDataRole.UserRole)
        if key:
            self.activated_key.emit(key)
        index = item.data(2, Qt.ItemDataRole.UserRole)
        if isinstance(index, int) and index < len(self._ordered):
            self.activated_path.emit(tuple(self._ordered[index].path))
