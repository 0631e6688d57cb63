"""How the designer talks to a backend, without knowing which one it is.

A backend is any object with the async methods below (the D-Bus client of issue 4 against
the system ``netwrightd`` or a lab daemon). The window runs them on the Qt event loop through
qasync, so no call blocks drawing. When none is connected the window says so plainly and the
Plan/Apply/Destroy/Check actions stay disabled: there is no pretend backend.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

NO_BACKEND = "no backend connected"
LAB_NOTICE = "Lab — nothing you do here touches this machine's network"


class Backend(Protocol):
    """What the GUI needs from a backend connection."""

    label: str  # "system" or "lab"

    async def plan(self, topology_text: str) -> Any: ...
    async def apply(self, topology_text: str) -> Any: ...
    async def destroy(self, topology_text: str) -> Any: ...
    async def status(self, topology_text: str) -> Any: ...
    async def check(self, topology_text: str) -> Any: ...


def describe(backend: Backend | None) -> str:
    """The status bar's words for the connection."""
    if backend is None:
        return NO_BACKEND
    if backend.label == "lab":
        return LAB_NOTICE
    return f"connected to the {backend.label} backend"


class BackendRunner(QObject):
    """Runs one backend call at a time as an asyncio task and reports in Qt signals."""

    started = Signal(str)  # operation name
    finished = Signal(str, object)  # operation, result
    failed = Signal(str, str)  # operation, sentence

    def __init__(self, backend: Backend | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.task: asyncio.Task[Any] | None = None

    def busy(self) -> bool:
        return self.task is not None and not self.task.done()

    def run(self, operation: str, call: Callable[[], Awaitable[Any]]) -> bool:
        """Start ``call()``; False if a call is already running or no loop is available."""
        if self.busy():
            return False
        try:
            loop = asyncio.get_event_loop()
        except RuntimeError:
            self.failed.emit(operation, "the event loop is not running")
            return False
        self.task = loop.create_task(self._wrap(operation, call))
        self.started.emit(operation)
        return True

    def cancel(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()

    async def _wrap(self, operation: str, call: Callable[[], Awaitable[Any]]) -> None:
        try:
            result = await call()
        except asyncio.CancelledError:
            self.failed.emit(operation, f"{operation} cancelled")
            raise
        except Exception as exc:  # the backend's sentence, whatever its type
            self.failed.emit(operation, str(exc) or type(exc).__name__)
            return
        self.finished.emit(operation, result)
