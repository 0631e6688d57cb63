"""Up and Down browse a combo box's choices; the choice is committed once, on Enter or when
the focus leaves.

Qt's combo box, focused with its list closed, takes Up, Down, Page Up/Down, Home, End and a
typed letter as a choice made (``activated``): browsing from "accept" to "reject" in a rule's
action cell, or along the Inspector's State, was one edit (one undo step) per key. Here those
keys move the shown choice with the signals held back; Enter (or Tab, or a click elsewhere)
then reports the choice once, Escape puts the one from before back. A choice made in the open
list (a click, Enter there) is reported at once, as before.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox

BROWSE_KEYS = {Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown,
               Qt.Key.Key_Home, Qt.Key.Key_End}
COMMIT_KEYS = {Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Backtab}


class _Browse(QObject):
    """Watches one combo box: a browse started holds the index it started from."""

    def __init__(self, combo: QComboBox, report: bool) -> None:
        super().__init__(combo)
        self.combo, self.report = combo, report
        self.started_at: int | None = None  # the index before browsing; None: not browsing

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt)
        combo = self.combo
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and \
                not combo.view().isVisible():
            key = Qt.Key(event.key())
            plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            letter = not combo.isEditable() and event.text().isprintable() and \
                bool(event.text().strip())  # an editable one's letters are typing
            if plain and (key in BROWSE_KEYS or letter):
                if self.started_at is None:
                    self.started_at = combo.currentIndex()
                blocked = combo.blockSignals(True)  # no ``activated``: nothing is committed
                combo.keyPressEvent(event)
                combo.blockSignals(blocked)
                return True
            if key in COMMIT_KEYS:
                self.finish()
            elif key == Qt.Key.Key_Escape and self.started_at is not None:
                blocked = combo.blockSignals(True)
                combo.setCurrentIndex(self.started_at)
                combo.blockSignals(blocked)
                self.started_at = None
        elif event.type() in (QEvent.Type.FocusOut, QEvent.Type.Hide):
            self.finish()
        return False

    def finish(self) -> None:
        """The browsed choice, reported once (nothing when it is the one browsing began at)."""
        started, self.started_at = self.started_at, None
        if self.report and started is not None and started != self.combo.currentIndex():
            self.combo.currentIndexChanged.emit(self.combo.currentIndex())
            self.combo.activated.emit(self.combo.currentIndex())


def commit_on_close(combo: QComboBox, report: bool = True) -> QComboBox:
    """Make ``combo``'s keyboard browsing one choice, reported on Enter or focus out.
    ``report`` False: a table cell's editor, whose delegate commits it on Enter, Tab or
    focus out and drops it on Escape (before this filter sees those keys)."""
    combo.installEventFilter(_Browse(combo, report))  # lives and dies with the combo box
    return combo
