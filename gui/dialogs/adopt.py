"""The confirmation before Adopt: each object named as the backend names it, and the
topology that will own them (and remove them on Destroy). Nothing is adopted unless the
user presses the Adopt button; the default button is Cancel."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QVBoxLayout,
    QWidget,
)


class AdoptDialog(QDialog):
    def __init__(self, topology: str, texts: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Adopt into {topology}")
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"Adopt these {len(texts)} object(s) into topology <b>{topology}</b>?<br>From then"
            f" on {topology} owns them: <b>Destroy removes them</b>. The design stops marking"
            " them existing (one undo step; save it so the next Apply keeps them).")
        intro.setWordWrap(True)
        layout.addWidget(intro)
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
