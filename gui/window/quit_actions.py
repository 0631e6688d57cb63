"""Quitting the designer: what happens to the lab it used, and letting go of the backend.

A mixin of ``MainWindow`` (typed by ``WindowParts``). The window's connection goes when it
closes, so a lab nobody else uses stops by itself shortly after (backend/service/idle.py) —
unless something is deployed in it. Then the window asks first (``LabQuitDialog``): keep the
lab running, or stop it. Asking needs the lab's answer (its deployments), so the first close
is put off while the question is asked, and the window closes itself once it is answered.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from netwright.backend.service.errors import OutdatedBackendError
from netwright.gui.dialogs.lab_quit import LabQuitDialog

if TYPE_CHECKING:
    from netwright.gui.window.parts import WindowBase as _Base
else:
    _Base = object


class QuitActions(_Base):
    """The lab question on quit; the backend connection released on close."""

    lab_quit_dialog: LabQuitDialog | None = None
    """The question while it is asked (tests answer it)."""
    close_confirmed = False
    """Set once the lab question is answered: the next close goes through without asking."""

    def lab_allows_close(self) -> bool:
        """True to close now; False while the lab question is asked (the window then
        closes itself once it is answered)."""
        backend = self.runner.backend
        if self.close_confirmed or not getattr(backend, "lab", False):
            return True
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no event loop to ask on (Qt without qasync): just close
            return True
        if self.lab_quit_dialog is None:
            self._spawn(self._ask_about_lab(backend))
        return False

    async def _ask_about_lab(self, backend: Any) -> None:
        try:
            held = [str(name) for name in await backend.deployments()]
        except OutdatedBackendError as exc:  # older than Netwright's files: it names them
            held = list(exc.deployments)
        except Exception as exc:  # the lab went away: nothing is left to keep
            self.log.appendPlainText(f"the lab did not answer on quit: {exc}")
            held = []
        if not held:
            self.close_now()
            return
        dialog = LabQuitDialog(held, self)
        self.lab_quit_dialog = dialog
        dialog.finished.connect(lambda _result: self._lab_answered(dialog))
        dialog.open()

    def _lab_answered(self, dialog: LabQuitDialog) -> None:
        self.lab_quit_dialog = None
        choice = dialog.choice()
        if choice == "keep":
            self.close_now()
        elif choice == "stop":
            self._spawn(self._stop_lab_then_close())

    async def _stop_lab_then_close(self) -> None:
        from netwright.backend.service.lab import stop_running_lab

        self.statusBar().showMessage("stopping the lab…")
        self.release_backend()
        await asyncio.to_thread(stop_running_lab)
        self.close_now()

    def close_now(self) -> None:
        """Close without asking again (the lab question, or the save one, was answered)."""
        self.close_confirmed = True
        self.close()

    def release_backend(self) -> None:
        """Close the connection to the backend (a lab then knows this client has left)."""
        close = getattr(self.runner.backend, "close", None)
        if callable(close):
            close()
