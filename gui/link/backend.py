"""How the designer talks to a backend, without knowing which one it is.

A backend is any object with the async methods of ``Backend`` below; the D-Bus client
(``netwright.backend.client.BackendClient``, for the system ``netwrightd`` or a lab) is one.
Calls run as asyncio tasks on the Qt event loop (qasync), so none blocks drawing. When no
backend is connected the window says so plainly and the Plan/Apply/Destroy/Check actions stay
disabled: there is no pretend backend.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

NO_BACKEND = "no backend connected"
LAB_NOTICE = "Lab — nothing you do here touches this machine's network"

Progress = Callable[[int, int, str], None]


class Backend(Protocol):
    """What the GUI needs from a backend connection (BackendClient has it)."""

    lab: bool

    async def plan(self, topology: str) -> Any: ...
    async def apply(self, topology: str, progress: Progress | None = None) -> Any: ...
    async def destroy(self, name: str, progress: Progress | None = None) -> Any: ...
    async def status(self, name: str) -> Any: ...
    async def check(self, name: str) -> Any: ...
    async def inspect(self) -> Any: ...  # the host's facts (JSON decoded), see host_facts


def describe(backend: Backend | None) -> str:
    """The status bar's words for the connection."""
    if backend is None:
        return NO_BACKEND
    if getattr(backend, "lab", False):
        return LAB_NOTICE
    return "system backend (netwrightd)"


async def connect_default() -> Backend:
    """The system netwrightd if one answers, else this user's lab (started on demand).

    Raises LookupError when the D-Bus client is not installed, or the client's own
    BackendUnavailableError with its sentence.
    """
    try:
        client = importlib.import_module("netwright.backend.client")
    except ImportError as exc:
        raise LookupError(f"the D-Bus client is not installed ({exc})") from None
    backend: Backend = await client.connect()
    return backend


class BackendRunner(QObject):
    """Runs one backend call at a time as an asyncio task and reports in Qt signals."""

    started = Signal(str)  # operation name
    progress = Signal(int, int, str)  # done, total, step text
    finished = Signal(str, object)  # operation, result
    failed = Signal(str, object)  # operation, the exception (its str() is the sentence)

    def __init__(self, backend: Backend | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.task: asyncio.Task[Any] | None = None
        self.operation = ""

    def busy(self) -> bool:
        return self.task is not None and not self.task.done()

    def run(self, operation: str, call: Callable[[], Awaitable[Any]]) -> bool:
        """Start ``call()``; False if a call is already running or no loop is running."""
        if self.busy():
            return False
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            try:
                loop = asyncio.get_event_loop()
            except RuntimeError:
                self.failed.emit(operation, RuntimeError("the event loop is not running"))
                return False
        self.operation = operation
        self.task = loop.create_task(self._wrap(operation, call))
        self.started.emit(operation)
        return True

    def report_progress(self, done: int, total: int, text: str) -> None:
        self.progress.emit(done, total, text)

    def cancel(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()

    async def _wrap(self, operation: str, call: Callable[[], Awaitable[Any]]) -> None:
        try:
            result = await call()
        except asyncio.CancelledError:
            self.task = None  # not busy any more when the handlers run
            self.failed.emit(operation, asyncio.CancelledError(f"{operation} cancelled"))
            return
        except Exception as exc:  # the backend's own exception: its sentence is shown
            self.task = None
            self.failed.emit(operation, exc)
            return
        self.task = None
        self.finished.emit(operation, result)
