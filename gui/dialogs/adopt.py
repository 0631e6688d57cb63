"""The confirmation before Adopt: each object named as the backend names it, and the
topology that will own them (and remove them on Destroy). Nothing is adopted unless the
user presses the Adopt button; the default button is Cancel.

The header is one plain sentence of what happens ("Adopt makes namespace red part of lab:
Destroy will then delete it with the rest of lab"), then what else does and does not
change: it asked a question with "1 object(s)" in it before, and left the reader to work out
the consequence."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QVBoxLayout,
    QWidget,
)


def adopt_header(topology: str, texts: list[str]) -> str:
    """What pressing Adopt does, in plain sentences.

    >>> adopt_header("lab", ["namespace red"]).splitlines()[0]
    'Adopt makes namespace red part of lab: Destroy will then delete it with the rest of lab.'
    """
    one = len(texts) == 1
    what, them = (texts[0], "it") if one else (f"the {len(texts)} objects below", "them")
    return (f"Adopt makes {what} part of {topology}: Destroy will then delete {them} with the"
            f" rest of {topology}.\n"
            f"On this host, Netwright only marks {them} as {topology}'s (an interface alias);"
            " nothing is moved or re-addressed. The design stops calling"
            f" {them} existing: save the design so the next Apply keeps {them}.")


class AdoptDialog(QDialog):
    def __init__(self, topology: str, texts: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Adopt into {topology}")
        layout = QVBoxLayout(self)
        what, more = adopt_header(topology, texts).split("\n", 1)
        self.header = QLabel(what)  # the consequence, first and in bold
        self.detail = QLabel(more)
        font = self.header.font()
        font.setBold(True)
        self.header.setFont(font)
        for label in (self.header, self.detail):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            layout.addWidget(label)
        self.objects = QListWidget()
        self.objects.addItems(texts)
        layout.addWidget(self.objects)
        buttons = QDialogButtonBox()
        self.adopt_button = buttons.addButton("Adopt", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setDefault(True)
        self.adopt_button.setAutoDefault(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, 320)
