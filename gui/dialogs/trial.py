"""“Keep this network configuration?”: the countdown after a change to the host's own uplink.

An apply that changed the device carrying the host's default route is only on trial
(``ApplyResult.awaiting_confirmation``): unless the person confirms before the deadline, the
backend restores the previous configuration by itself, which is what saves a person the
change cut off. Like Cockpit's and ``netplan try``'s prompt, the dialog is not modal (the
window stays usable to look around), counts down live, and offers Keep and Restore now. At
zero it does not pretend: it says the backend is restoring, and that it restored once the
status shows the trial ended. A status that still shows the trial well after its deadline means
the backend could not restore (NetworkManager stopped, say): the dialog then says what
``netwright status`` says, offers Restore now again (the revert says why it fails) and can be
closed.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from netwright.backend.outcomes.results import (
    applied_reason,
    awaiting_text,
    trial_end_words,
    trial_ending_words,
    undone_words,
)
from netwright.gui.model.leases import duration

TrialState = Literal["waiting", "keeping", "kept", "restoring", "restored", "failed"]

UNRESTORED_AFTER = 5.0
"""Seconds past the deadline after which a status still showing the trial means the backend
could not restore: its clock restores at the deadline, and a revert takes a second or two."""


def seconds_left(awaiting: dict[str, Any], now: float | None = None) -> float:
    """Seconds until the backend restores: from the deadline (a Unix time), else from the
    ``seconds`` the backend counted when it answered."""
    now = time.time() if now is None else now
    deadline = awaiting.get("deadline")
    if isinstance(deadline, (int, float)):
        return max(0.0, float(deadline) - now)
    seconds = awaiting.get("seconds")
    return max(0.0, float(seconds)) if isinstance(seconds, (int, float)) else 0.0


def ended_unrestored(awaiting: dict[str, Any], now: float | None = None) -> bool:
    """The backend still reports this trial ``UNRESTORED_AFTER`` seconds after its deadline:
    restoring failed so far."""
    deadline = awaiting.get("deadline")
    now = time.time() if now is None else now
    return isinstance(deadline, (int, float)) and now - float(deadline) >= UNRESTORED_AFTER


def countdown_words(seconds: float, name: str, awaiting: dict[str, Any]) -> str:
    """The countdown's line for ``name``'s trial: what the end of the window does, in the
    words the CLI and ``netwright status`` use (``trial_end_words``: a first apply, nothing
    of it deployed before, is removed rather than restored)."""
    return f"In {duration(seconds)}, {trial_end_words(awaiting, name)}."


def capitalised(words: str) -> str:
    """Shared words, which start in lower case as the CLI prints them, to start a line."""
    return words[:1].upper() + words[1:]


class TrialDialog(QDialog):
    """Keep / Restore now for the topology ``name`` while its change is on trial."""

    keep_requested = Signal(str)  # topology name
    restore_requested = Signal(str)
    expired = Signal(str)  # the deadline passed with no answer: the backend restores

    def __init__(self, name: str, awaiting: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.state: TrialState = "waiting"
        self.unrestored = False  # the window ended and the backend could not restore yet
        self.restore_asked = False  # Restore now was clicked: its job says how it ended
        self.setWindowTitle("Keep this network configuration?")
        self.setModal(False)
        self.setWindowModality(Qt.WindowModality.NonModal)
        layout = QVBoxLayout(self)
        self.heading = QLabel(f"<b>Keep the configuration of {name} just applied?</b>")
        layout.addWidget(self.heading)
        self.advice = QLabel(
            "It changed this machine's own network (the device of its default route, its"
            " forwarding, NAT or firewall: the reason is below). If the connection still"
            " works, keep it; if it cut you off, do nothing: when the countdown ends, "
            + trial_end_words(awaiting, name) + ".")
        self.advice.setWordWrap(True)
        layout.addWidget(self.advice)
        self.reason = QLabel(applied_reason(awaiting))
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet("color: palette(placeholder-text);")
        self.reason.setVisible(bool(self.reason.text()))
        layout.addWidget(self.reason)
        self.countdown = QLabel()
        self.countdown.setWordWrap(True)
        bold = self.countdown.font()
        bold.setBold(True)
        self.countdown.setFont(bold)
        layout.addWidget(self.countdown)
        self.buttons = QDialogButtonBox()
        self.keep_button: QPushButton = self.buttons.addButton(
            "Keep", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button: QPushButton = self.buttons.addButton(
            "Restore now", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.close_button: QPushButton = self.buttons.addButton(
            QDialogButtonBox.StandardButton.Close)
        self.close_button.hide()
        self.keep_button.setDefault(True)
        self.keep_button.clicked.connect(self._keep)
        self.restore_button.clicked.connect(self._restore)
        self.close_button.clicked.connect(self.accept)
        layout.addWidget(self.buttons)
        self.timer = QTimer(self)
        self.timer.setInterval(250)  # the label moves on the second, not up to 1 s late
        self.timer.timeout.connect(self.tick)
        self.set_awaiting(awaiting)
        self.resize(500, 220)

    def set_awaiting(self, awaiting: dict[str, Any]) -> None:
        """A (newer) deadline from the backend: count down to it."""
        self.awaiting = dict(awaiting)
        if self.state == "waiting":
            self.timer.start()
            self.tick()
        if self.state == "restoring" and not self.restore_asked and ended_unrestored(awaiting):
            self._say_unrestored()

    def seconds_left(self) -> float:
        return seconds_left(self.awaiting)

    def is_over(self) -> bool:
        """Kept, restored or failed: nothing more will happen in this dialog."""
        return self.state in ("kept", "restored", "failed")

    def tick(self) -> None:
        if self.state != "waiting":
            self.timer.stop()
            return
        left = self.seconds_left()
        if left > 0:
            self.countdown.setText(countdown_words(left, self.name, self.awaiting))
            return
        self.timer.stop()
        self._finish("restoring", "Time is up: the backend is"
                     f" {trial_ending_words(self.awaiting, self.name)}…")
        self.expired.emit(self.name)

    # -- what happened, as the window learns it ---------------------------------------------

    def kept(self) -> None:
        self._finish("kept", "Kept: this configuration stays.")

    def restored(self) -> None:
        """The trial is over and undone: a first apply (``removes``) had nothing before it
        to restore, so its topology is simply gone (``undone_words``, as the CLI says it)."""
        removed = bool(self.awaiting.get("removes"))
        self._finish("restored", capitalised(undone_words(self.name, removed, None)) + ".")

    def failed(self, message: str) -> None:
        self._finish("failed", message)

    def _say_unrestored(self) -> None:
        """The status's own sentence (the window ended, not restored, run revert), with
        Restore now to try again; closable, as nothing here can end the trial any more."""
        self.unrestored = True
        said = awaiting_text(self.name, self.awaiting).strip()
        said = said.removesuffix(f" ({applied_reason(self.awaiting).rstrip('.')})")  # shown above
        self.countdown.setText(f"{self.name}: {said}.")
        self.keep_button.setVisible(False)
        self.restore_button.setVisible(True)
        self.restore_button.setEnabled(True)
        self.close_button.setVisible(True)
        self.adjustSize()  # the sentence is longer than the countdown: show all of it

    # -- the buttons ---------------------------------------------------------------------

    def reject(self) -> None:
        """Esc or the window's close button: only once there is nothing left to decide (the
        countdown runs on in the backend whether or not the dialog is seen)."""
        if self.is_over() or self.unrestored:
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.is_over() or self.unrestored:
            super().closeEvent(event)
        else:
            event.ignore()

    def _keep(self) -> None:
        self._finish("keeping", "Keeping this configuration…")
        self.keep_requested.emit(self.name)

    def _restore(self) -> None:
        self.restore_asked = True
        self._finish("restoring", capitalised(trial_ending_words(self.awaiting, self.name)) + "…")
        self.restore_requested.emit(self.name)

    def _finish(self, state: TrialState, words: str) -> None:
        self.state = state
        self.unrestored = False
        self.timer.stop()
        self.countdown.setText(words)
        done = self.is_over()
        self.keep_button.setEnabled(False)
        self.restore_button.setEnabled(False)
        self.keep_button.setVisible(not done)
        self.restore_button.setVisible(not done)
        self.close_button.setVisible(done)
