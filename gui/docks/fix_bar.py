"""The "Apply fix" bar beside the Problems list and under the Checks explanation.

It shows the fix of the selected problem or check cell in the designer's words ("Add a
default route in net1 via 192.168.31.1") with one button; the window turns the click into
one undo step. A fix with choices (which parent) opens a small menu of them first.
Hidden while the selection has no fix that is an edit; beside a list, a muted hint says what
the column is for meanwhile (an empty grey column read as a broken window corner).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from netwright.gui.model.fixes import Fix

BESIDE_WIDTH = 230  # a column beside a list: the fix's words wrap, the button under them
BESIDE_HINT = ("Select a problem: when the designer can fix it, its fix and an Apply fix"
               " button appear here. Double-click a problem (or press Enter) to go to it.")


class FixBar(QWidget):
    """``beside``: a column of fixed width beside the list it serves (the words above the
    button), so the list keeps the dock's whole height; else a row under it."""

    apply_requested = Signal(object)  # the Fix

    def __init__(self, parent: QWidget | None = None, *, beside: bool = False) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self) if beside else QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.button = QPushButton("Apply fix")
        self.button.clicked.connect(self._apply)
        if beside:
            self.setFixedWidth(BESIDE_WIDTH)
            # hidden, it keeps its room: the list's rows must not re-wrap under the pointer
            # when a click selects a problem with a fix (a double click's second press
            # landed on another row)
            policy = self.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            self.setSizePolicy(policy)
            layout.addWidget(self.label)
            layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
            layout.addStretch(1)
        else:
            layout.addWidget(self.label, 1)
            layout.addWidget(self.button)
        self.fix: Fix | None = None
        self.menu: QMenu | None = None  # the choices of the fix shown, while open
        self.hint: QLabel | None = None  # beside a list: what the column is for, meanwhile
        if beside:
            self.hint = QLabel(BESIDE_HINT)
            self.hint.setWordWrap(True)
            self.hint.setEnabled(False)  # the style's muted text
            self.hint.setContentsMargins(6, 4, 6, 4)
            self.hint.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            self.hint.setFixedWidth(BESIDE_WIDTH)
        self.hide()

    def show_fix(self, fix: Fix | None) -> None:
        self.fix = fix
        self.label.setText(f"Fix: {fix.label}" if fix is not None else "")
        self.button.setText("Apply fix…" if fix is not None and fix.choices else "Apply fix")
        self.button.setToolTip(f"{fix.label} (one step; Undo takes it back)" if fix else "")
        self.setVisible(fix is not None)
        if self.hint is not None:
            self.hint.setVisible(fix is None)

    def _apply(self) -> None:
        if self.fix is None:
            return
        if not self.fix.choices:
            self.apply_requested.emit(self.fix)
            return
        menu = QMenu(self)
        for choice in self.fix.choices:
            action = menu.addAction(choice.label)
            action.triggered.connect(lambda _=False, c=choice: self.apply_requested.emit(c))
        self.menu = menu
        menu.aboutToHide.connect(lambda: setattr(self, "menu", None))
        # under the button, its right edge on the button's: the bar sits at the window's
        # right, and a menu that opens rightwards would leave the window
        corner = QPoint(self.button.width() - menu.sizeHint().width(), self.button.height())
        menu.popup(self.button.mapToGlobal(corner))


def beside_list(items: QWidget, bar: FixBar) -> QWidget:
    """``items`` (a list) with ``bar`` (made ``beside``) in a column at its right, the bar's
    hint in the same place while no fix is shown; no margins."""
    holder = QWidget()
    grid = QGridLayout(holder)
    grid.setContentsMargins(0, 0, 0, 0)
    grid.setSpacing(0)
    grid.addWidget(items, 0, 0)
    grid.setColumnStretch(0, 1)
    grid.addWidget(bar, 0, 1)
    if bar.hint is not None:
        grid.addWidget(bar.hint, 0, 1)
    return holder
