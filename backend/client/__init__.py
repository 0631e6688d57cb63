"""The one client of netwrightd, for the CLI and the GUI (asyncio, dbus-fast).

    from netwright.backend.client import connect

    async with await connect() as backend:      # the system backend, else a lab
        job = await backend.apply(text, progress=lambda done, total, text: ...)

Errors come back as the exception classes the engine raises (ConflictError, BusyError …),
TopologyError with its problems, or the service's own NotAuthorizedError and friends.

The names load from their modules on first use (``netwright.backend.exports``), so a
command that needs one blocking call (``oneshot``) imports neither asyncio nor dbus-fast's
bus.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from netwright.backend.exports import load_export

if TYPE_CHECKING:
    from netwright.backend.client.client import BackendClient, JobOutcome
    from netwright.backend.client.connecting import connect, connect_lab, connect_system
    from netwright.backend.service.errors import (
        BackendUnavailableError,
        InvalidArgumentsError,
        NotAuthorizedError,
        ServiceFailedError,
    )

_EXPORTS = {
    "BackendClient": "client",
    "JobOutcome": "client",
    "connect": "connecting",
    "connect_lab": "connecting",
    "connect_system": "connecting",
}
_SERVICE_ERRORS = ("BackendUnavailableError", "InvalidArgumentsError", "NotAuthorizedError",
                   "ServiceFailedError")


def __getattr__(name: str) -> Any:
    if name in _SERVICE_ERRORS:
        from netwright.backend.service import errors

        return getattr(errors, name)
    return load_export(__name__, _EXPORTS, name)


__all__ = [
    "BackendClient",
    "BackendUnavailableError",
    "InvalidArgumentsError",
    "JobOutcome",
    "NotAuthorizedError",
    "ServiceFailedError",
    "connect",
    "connect_lab",
    "connect_system",
]
