"""Edit › Go to Item… (Ctrl+F): select an item of the canvas by typing its name.

The canvas has no keyboard way to pick one item: Tab leaves it and the arrow keys move what
is selected, so without a mouse an item could be selected only while new (the palette
selects what it adds) or from a problem. With 200 namespaces the name is also the quick
way to one of them. The names complete as typed (anywhere in the name, any case); Enter
selects the item and centres the canvas on it; a name that is no item says so and stays.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)


def matching_key(text: str, keys: list[str]) -> str | None:
    """The key ``text`` names: itself, else the only key it starts (any case)."""
    wanted = text.strip().lower()
    if not wanted:
        return None
    exact = [key for key in keys if key.lower() == wanted]
    if exact:
        return exact[0]
    started = [key for key in keys if key.lower().startswith(wanted)]
    return started[0] if len(started) == 1 else None


class GoToDialog(QDialog):
    """One line with the item names as completions; ``chosen`` is emitted with the key."""

    chosen = Signal(str)

    def __init__(self, keys: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Go to item")
        self.keys = list(keys)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Select the namespace, interface or NIC named:"))
        self.line = QLineEdit()
        self.line.setAccessibleName("Item name")
        completer = QCompleter(self.keys, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.line.setCompleter(completer)
        # Return while the completions are shown is the completer's: it hides them and hands
        # the key to the line, never to the dialog, so it took a second Return to go
        self.line.returnPressed.connect(self.accept)
        layout.addWidget(self.line)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.hide()
        layout.addWidget(self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        if not self.isVisible():
            return  # the line's Return, then the dialog's default button: one answer
        key = matching_key(self.line.text(), self.keys)
        if key is None:
            text = self.line.text().strip()
            self.note.setText(f"No item is named “{text}”: type more of its name, or pick"
                              " one of the names offered." if text else "Type a name.")
            self.note.show()
            return
        super().accept()
        self.chosen.emit(key)
