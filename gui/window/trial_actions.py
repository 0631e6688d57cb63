"""The window's side of a change on trial: the Keep / Restore now dialog and its outcome.

A mixin of ``MainWindow`` (typed by ``WindowParts``, never importing the window) beside
``BackendActions``. An Apply (or a status, after the window reconnected during a trial) that
reports ``awaiting_confirmation`` opens ``TrialDialog``; Keep calls the backend's ``confirm``,
Restore now runs its ``revert`` job like Apply runs, and when the countdown ends the status is
asked until it shows the trial over (the backend restores by itself at the deadline), or
until asking fails: then the dialog says that what happened is not known.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer

from netwright.backend.outcomes.results import applied_reason, trial_end_words, undone_words
from netwright.gui.dialogs.trial import TrialDialog, seconds_left

if TYPE_CHECKING:
    from netwright.gui.window.parts import WindowBase as _Base
else:
    _Base = object

#: After the deadline, the status is asked this often until the backend has restored.
RESTORE_POLL_MS = 1000


class TrialActions(_Base):
    """Keep or restore a change on trial."""

    trial_dialog: TrialDialog | None

    def show_trial(self, name: str, awaiting: dict[str, Any]) -> None:
        """Open the dialog for ``name``'s trial, or give the open one the latest deadline."""
        dialog = self.trial_dialog
        if dialog is not None and dialog.name == name and not dialog.is_over():
            dialog.set_awaiting(awaiting)
            return
        dialog = TrialDialog(name, awaiting, self)
        dialog.keep_requested.connect(self.keep_trial)
        dialog.restore_requested.connect(self.restore_trial)
        dialog.expired.connect(lambda _name: self.refresh_status())
        self.trial_dialog = dialog
        self.log.appendPlainText(
            f"{name}: on trial, {applied_reason(awaiting).rstrip('.')}; keep it within"
            f" {seconds_left(awaiting):.0f} s or {trial_end_words(awaiting)}")
        dialog.show()

    def keep_trial(self, name: str) -> None:
        backend: Any = self.runner.backend
        dialog = self.trial_dialog

        async def keep() -> None:
            try:
                await backend.confirm(name)
            except Exception as exc:  # the backend's sentence says what happened
                if type(exc).__name__ == "ConfirmationExpired":  # the engine's class
                    self._trial_restored(name, f"{name}: too late to keep, {exc}")
                else:
                    self.log.appendPlainText(f"Keep failed: {exc}")
                    if dialog is not None:
                        dialog.failed(f"Not kept: {exc}")
            else:
                self.log.appendPlainText(f"{name}: kept")
                if dialog is not None:
                    dialog.kept()
            self.refresh_status()

        if backend is None or not hasattr(backend, "confirm"):
            if dialog is not None:
                dialog.failed("This backend cannot confirm a change on trial.")
            return
        self._spawn(keep())

    def restore_trial(self, name: str) -> None:
        started = self._run("Restore", lambda: self._job("revert", name))
        if not started and self.trial_dialog is not None:  # the deadline still restores
            self.trial_dialog.failed(
                "Restore now could not start (another operation runs); the backend"
                " restores the previous configuration at the deadline.")

    def follow_trial(self, name: str, awaiting: dict[str, Any] | None) -> None:
        """What a status says of the trial: open or update the dialog, or, after the
        deadline, learn that the backend restored (asking again until it has)."""
        dialog = self.trial_dialog
        if awaiting is not None:
            self.show_trial(name, awaiting)
            if dialog is not None and dialog.state == "restoring" and not self._restoring():
                QTimer.singleShot(RESTORE_POLL_MS, self.refresh_status)
            return
        if dialog is not None and dialog.name == name and dialog.state == "restoring" \
                and not self._restoring():
            self._trial_restored(name, ended_words(name, dialog.awaiting))

    def trial_status_failed(self, name: str, error: str) -> None:
        """The status asked after the deadline failed, and not with "not deployed" (the
        backend refused, or the bus did): nothing will say that the backend restored, so the
        dialog says what is known instead of "restoring…" for ever, and can be closed."""
        dialog = self.trial_dialog
        if dialog is None or dialog.name != name or dialog.state != "restoring" \
                or self._restoring():
            return
        awaiting = dialog.awaiting
        words = (f"Time is up, but whether {trial_end_words(awaiting, name, tense='was')} is"
                 f" not known: asking the backend for its status failed ({error}). The backend"
                 " does that by itself; the status bar says where it stands once the backend"
                 " answers again.")
        self.log.appendPlainText(f"{name}: {words}")
        dialog.failed(words)

    def _restoring(self) -> bool:
        """Restore now runs (its own end says when it is done)."""
        return self.runner.busy() and self.runner.operation == "Restore"

    def _trial_restored(self, name: str, words: str) -> None:
        self.log.appendPlainText(words)
        self.statusBar().showMessage(words, 10000)
        if self.trial_dialog is not None and self.trial_dialog.name == name:
            self.trial_dialog.restored()


def reverted_words(name: str, result: Any) -> str:
    """The log's line when Restore now is done, as ``netwright revert`` prints it: the
    revert's result says whether the trial was a first apply (``removed``: nothing was
    restored, its topology is gone) and what undoing it took."""
    plan = getattr(result, "plan", None)
    seconds = getattr(result, "seconds", None)
    return undone_words(name, getattr(result, "removed", False) is True,
                        len(plan.steps) if plan is not None else None,
                        seconds=seconds if isinstance(seconds, float) else None)


def ended_words(name: str, awaiting: dict[str, Any]) -> str:
    """The log's line when the backend ended a trial nobody kept, as the backend words it
    (``Ended``): a first apply (the trial's ``removes``) had no previous configuration, so
    its topology is gone, not restored. The status that says so does not count the steps."""
    return undone_words(name, bool(awaiting.get("removes")), None, why="not confirmed in time")
