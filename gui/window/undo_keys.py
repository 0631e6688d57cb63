"""Ctrl+Z and Ctrl+Shift+Z (Ctrl+Y) undo and redo the design wherever the focus is.

A text field claims those keys for its own undo before the window's shortcuts see them
(Qt's ShortcutOverride), even when it has nothing of its own to undo. In the Inspector
that swallowed the design's Undo: after choosing a namespace in its box (the focus stays
there) Ctrl+Z did nothing, and after typing an address and Enter it took the characters
out of the field while the design kept the address. So a field claims the keys only for
text the user is still typing (``isModified``: not yet committed); once committed, or when
untouched, the keys go to the design's undo stack.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QComboBox, QLineEdit

_HISTORY_KEYS = (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo)


def is_history_key(event: QKeyEvent) -> bool:
    """Undo or Redo in this platform's bindings, or Ctrl+Y (the window's Redo too)."""
    return any(event.matches(key) for key in _HISTORY_KEYS) or \
        QKeySequence(event.keyCombination()) == QKeySequence("Ctrl+Y")


class DesignUndoKeys(QObject):
    """An application event filter that leaves Undo and Redo to the window's actions
    while the focused text field holds no uncommitted typing."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() != QEvent.Type.ShortcutOverride or not isinstance(event, QKeyEvent):
            return False
        # an editable box (the Inspector's Namespace, Peer …) passes the keys to its field
        field = watched.lineEdit() if isinstance(watched, QComboBox) else watched
        if isinstance(field, QLineEdit) and is_history_key(event) and not field.isModified():
            event.ignore()  # not the field's: the shortcut (the design's Undo) runs
            return True
        return False
