"""“The lab still holds seed”: what quitting the designer does to a lab that holds a network.

The lab backend the designer started stops by itself once nobody uses it, but only when
nothing is deployed in it: a deployment is the user's network, so the lab keeps it. Quitting
with one deployed therefore asks: keep the lab running (the network stays; ``netwright lab
status`` and ``lab stop`` reach it later) or stop the lab (everything deployed in it goes).
Not modal, like the trial dialog, so tests and people can look at the window meanwhile.
"""

from __future__ import annotations

from typing import Literal

from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

LabChoice = Literal["keep", "stop", "cancel"]


def held_words(names: list[str]) -> str:
    """``seed``, ``seed and lan``, ``seed, lan and dmz``."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


class LabQuitDialog(QMessageBox):
    """Keep it running / Stop the lab / Cancel, for the deployments ``held``."""

    def __init__(self, held: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.held = list(held)
        self.setIcon(QMessageBox.Icon.Question)
        self.setWindowTitle("Quit Netwright")
        self.setText(f"The lab still holds {held_words(self.held)}.")
        self.setInformativeText(
            "Keep it running: the network stays deployed in the lab after you quit (netwright"
            " lab status shows it, netwright lab stop ends it). Stop the lab: everything"
            " deployed in it is removed.")
        self.keep_button: QPushButton = self.addButton("&Keep It Running",
                                                       QMessageBox.ButtonRole.AcceptRole)
        self.stop_button: QPushButton = self.addButton("&Stop the Lab",
                                                       QMessageBox.ButtonRole.DestructiveRole)
        self.addButton(QMessageBox.StandardButton.Cancel)
        self.setDefaultButton(self.keep_button)

    def choice(self) -> LabChoice:
        clicked = self.clickedButton()
        if clicked is self.keep_button:
            return "keep"
        if clicked is self.stop_button:
            return "stop"
        return "cancel"
