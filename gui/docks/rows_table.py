"""An editable table of list entries (firewall rules, NAT entries) with row gestures.

Each gesture is reported, never applied here: a typed cell (``cell_edited``), add, remove
and move up/down (``row_gesture``); the owner turns it into one undo step and reloads the
table from the document. Keyboard: type or F2 to edit a cell, Backspace to edit it from
empty (Enter then clears it, Escape keeps it), Tab to walk the cells, Insert adds a row,
Delete removes the current one, Ctrl+Up/Ctrl+Down move it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from netwright.gui.docks.combo_browse import commit_on_close
from netwright.gui.docks.wheel_guard import wheel_scrolls_page

Index = QModelIndex | QPersistentModelIndex
ROWS_SHOWN_PX = 240  # a table taller than its rows at 24 px scrolls them inside (10 rows)


class ChoiceDelegate(QStyledItemDelegate):
    """A combo box for the columns that take one of a few words (action, proto, type)."""

    def __init__(self, choices: dict[int, Sequence[str]], parent: QWidget) -> None:
        super().__init__(parent)
        self.choices = choices

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,  # noqa: N802
                     index: Index) -> QWidget:
        choices = self.choices.get(index.column())
        if choices is None:
            return super().createEditor(parent, option, index)
        combo = QComboBox(parent)
        wheel_scrolls_page(combo)
        commit_on_close(combo, report=False)  # Down Down Enter: one edit
        combo.addItems(list(choices))
        combo.activated.connect(lambda _i, c=combo: self.commitData.emit(c))
        return combo

    def updateEditorGeometry(self, editor: QWidget, option: QStyleOptionViewItem,  # noqa: N802
                             index: Index) -> None:
        """A combo box as wide as its longest word needs: in a cell as narrow as "proto"
        its arrow left "tc" of "tcp" (and "uc" of "udp") to read."""
        super().updateEditorGeometry(editor, option, index)
        if isinstance(editor, QComboBox):
            editor.resize(max(editor.width(), editor.sizeHint().width()), editor.height())

    def setEditorData(self, editor: QWidget, index: Index) -> None:  # noqa: N802
        if isinstance(editor, QComboBox):
            editor.setCurrentText(str(index.data() or ""))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel,  # noqa: N802
                     index: Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText())
        else:
            super().setModelData(editor, model, index)


class CellTable(QTableWidget):
    """A table whose Tab walks the cells and, past the last one (Shift+Tab: before the
    first), goes on to the next field: QTableView wraps from the last cell to the first,
    so Tab never left the table (a keyboard trap in the Inspector).

    Its height hint is what its rows take (at least its minimum height), updated as rows
    come and go: Qt's fixed hint (about 190 px) was given only once the Inspector's form
    overflowed, so a sentence that made the form scroll made the Routes table jump about
    70 px taller, and back when it went."""

    def __init__(self, rows: int, columns: int, parent: QWidget | None = None) -> None:
        super().__init__(rows, columns, parent)
        model = self.model()
        model.rowsInserted.connect(lambda *_: self.updateGeometry())
        model.rowsRemoved.connect(lambda *_: self.updateGeometry())
        policy = self.sizePolicy()  # its hint, not the free room of a form that fits
        policy.setVerticalPolicy(QSizePolicy.Policy.Maximum)
        self.setSizePolicy(policy)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        hint = super().sizeHint()
        header = self.horizontalHeader()
        needed = (header.sizeHint().height() if not header.isHidden() else 0) + \
            min(self.verticalHeader().length(), ROWS_SHOWN_PX) + 2 * self.frameWidth() + \
            self.horizontalScrollBar().sizeHint().height()  # kept, shown or not: steady
        return QSize(hint.width(), max(self.minimumHeight(), needed))

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802 (Qt override)
        current = self.currentIndex()
        last = (self.rowCount() - 1, self.columnCount() - 1)
        at_end = not current.isValid() or (
            (current.row(), current.column()) == last if next
            else (current.row(), current.column()) == (0, 0))
        if self.tabKeyNavigation() and at_end and \
                self.state() != QAbstractItemView.State.EditingState:
            return QWidget.focusNextPrevChild(self, next)
        return super().focusNextPrevChild(next)


class _Table(CellTable):
    """Keys for rows; the window's own Delete (and Backspace) and Select All shortcuts do not
    take them while the table has the focus (they would delete or select canvas items).

    Backspace edits the current cell from empty, as a spreadsheet's does: it removed the whole
    row, as Delete does, where a user meant to clear one value. A row goes only by Delete or
    Remove (one undo step)."""

    key_gesture = Signal(str)

    @staticmethod
    def _gesture(event: QKeyEvent) -> str | None:
        control = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if control and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            return "up" if event.key() == Qt.Key.Key_Up else "down"
        if control and event.key() == Qt.Key.Key_A:
            return "select all"
        if event.key() == Qt.Key.Key_Backspace:
            return "clear cell"
        return {Qt.Key.Key_Insert: "add", Qt.Key.Key_Delete: "remove"}.get(
            Qt.Key(event.key()))

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and self._gesture(event) is not None:
            event.accept()  # ours: it comes back as a key press
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        gesture = self._gesture(event)
        editing = self.state() == QAbstractItemView.State.EditingState
        if gesture == "select all":
            self.selectAll()
        elif gesture == "clear cell" and not editing:
            self.edit_from_empty()
        elif gesture is not None and not editing:
            self.key_gesture.emit(gesture)
        else:
            super().keyPressEvent(event)

    def edit_from_empty(self) -> bool:
        """Open the current cell's editor with its text cleared (a choice column's list
        opens as F2 opens it); nothing is written until Enter. False for a cell that takes
        no typing (a read-only table, a NAT kind's missing field)."""
        index = self.currentIndex()
        if not index.isValid() or not index.flags() & Qt.ItemFlag.ItemIsEditable or \
                self.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers:
            return False
        self.edit(index)
        editor = self.indexWidget(index)
        if isinstance(editor, QLineEdit):
            editor.clear()
        return editor is not None


class RowsTable(QWidget):
    """Columns named as in the file; ``load``'s ``editable`` greys out the cells a row's
    kind does not have (a masquerade has no port), with a tooltip that says so."""

    cell_edited = Signal(int, str, str)  # row, column name, text
    row_gesture = Signal(str, int)  # add/remove/up/down, current row (-1: none)
    loaded = Signal()  # the rows shown anew (the owner may mark cells)

    def __init__(self, columns: Sequence[str], choices: Mapping[str, Sequence[str]],
                 add_label: str = "Add", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.table = _Table(0, len(self.columns))
        self.table.setHorizontalHeaderLabels(list(self.columns))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setMinimumHeight(120)
        self.table.setTabKeyNavigation(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        delegate = ChoiceDelegate({self.columns.index(c): v for c, v in choices.items()},
                                  self.table)
        self.table.setItemDelegate(delegate)
        # rows the owner gave while a cell was being edited, shown once the editor closes
        self._pending: tuple[list[list[str]], list[set[str]] | None, int | None] | None = None
        delegate.closeEditor.connect(lambda *_: self._load_pending())
        self.table.cellChanged.connect(self._on_cell)
        self.table.currentCellChanged.connect(lambda *_: self._update_buttons())
        self.table.key_gesture.connect(lambda g: self.row_gesture.emit(g, self.current_row()))
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for gesture, text, name, tip in (
                ("add", add_label, add_label, "Insert"), ("remove", "Remove", "Remove", "Delete"),
                ("up", "▲", "Move up", "Ctrl+Up"), ("down", "▼", "Move down", "Ctrl+Down")):
            button = QPushButton(text)
            button.setAccessibleName(name)
            button.setToolTip(f"{name} ({tip} in the table)")
            if len(text) == 1:
                button.setMaximumWidth(32)
            button.clicked.connect(lambda _c=False, g=gesture: self.row_gesture.emit(
                g, self.current_row()))
            buttons.addWidget(button)
            self.buttons[gesture] = button
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self._update_buttons()

    def current_row(self) -> int:
        return self.table.currentRow()

    def load(self, rows: list[list[str]], editable: list[set[str]] | None = None,
             current: int | None = None) -> bool:
        """Show ``rows`` (cell texts); keeps the current cell unless ``current`` says.
        True when a text shown changed (a refused cell's typing among them)."""
        row_now, column_now = self.table.currentRow(), self.table.currentColumn()
        if self.table.state() == QAbstractItemView.State.EditingState:
            # the user is typing a cell: it reports itself when done, and these rows are
            # shown then (a NAT entry's new type, chosen in its open combo box, fills other
            # cells of its row: they stayed as they were)
            self._pending = (rows, editable, current)
            return False
        self._pending = None
        self.table.blockSignals(True)
        changed = self.table.rowCount() != len(rows)
        self.table.setRowCount(len(rows))
        for row, cells in enumerate(rows):
            for column, text in enumerate(cells):
                item = self.table.item(row, column)
                if item is None:
                    item = QTableWidgetItem()
                    self.table.setItem(row, column, item)
                changed = changed or item.text() != text
                item.setText(text)
                flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
                if editable is None or self.columns[column] in editable[row]:
                    flags |= Qt.ItemFlag.ItemIsEditable
                    item.setData(Qt.ItemDataRole.BackgroundRole, None)
                    item.setToolTip("")
                else:  # it looked like an empty cell to type in, and took no typing
                    item.setBackground(self.palette().brush(QPalette.ColorRole.Window))
                    item.setToolTip(f"this kind of entry has no '{self.columns[column]}'")
                item.setFlags(flags)
        self.table.blockSignals(False)
        target = row_now if current is None else current
        if 0 <= target < len(rows):
            self.table.setCurrentCell(target, max(column_now, 0))
        self._update_buttons()
        self.loaded.emit()
        return changed

    def _load_pending(self) -> None:
        """After the view has closed the editor (its slot runs first): the rows kept."""
        if self._pending is None:
            return
        if self.table.state() == QAbstractItemView.State.EditingState:
            QTimer.singleShot(0, self._load_pending)  # closing still under way
            return
        self.load(*self._pending)

    def _update_buttons(self) -> None:
        """Remove, ▲ and ▼ act on the current row: with none (a table just shown, nothing
        clicked yet) they were enabled and a click did nothing; ▲ on the first row and ▼ on
        the last likewise."""
        row, last = self.table.currentRow(), self.table.rowCount() - 1
        # a read-only table (the live host's) keeps them all disabled
        editable = self.table.editTriggers() != QAbstractItemView.EditTrigger.NoEditTriggers
        self.buttons["remove"].setEnabled(editable and 0 <= row <= last)
        self.buttons["up"].setEnabled(editable and 0 < row <= last)
        self.buttons["down"].setEnabled(editable and 0 <= row < last)

    def _on_cell(self, row: int, column: int) -> None:
        item = self.table.item(row, column)
        self.cell_edited.emit(row, self.columns[column], item.text() if item else "")
