"""The one client of netwrightd, for the CLI and the GUI (asyncio, dbus-fast).

    from netwright.backend.client import connect

    async with await connect() as backend:      # the system backend, else a lab
        job = await backend.apply(text, progress=lambda done, total, text: ...)

Errors come back as the exception classes the engine raises (ConflictError, BusyError …),
TopologyError with its problems, or the service's own NotAuthorizedError and friends.
"""

from netwright.backend.client.client import BackendClient, JobOutcome
from netwright.backend.client.connect import connect, connect_lab, connect_system
from netwright.backend.service.errors import (
    BackendUnavailableError,
    InvalidArgumentsError,
    NotAuthorizedError,
    ServiceFailedError,
)

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
