"""A D-Bus error reply from a backend as the exception the engine (or the bus) means.

Shared by the asyncio client (client.py) and the blocking one-shot call (oneshot.py): the
bus's own "nobody there" errors mean the backend is unavailable, polkit's refusal is
NotAuthorizedError, and every ``io.netwright.Error.*`` is the engine's exception again.
This module imports nothing of dbus-fast at run time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from netwright.backend.client.results import parse_json
from netwright.backend.service.errors import (
    BackendUnavailableError,
    InvalidArgumentsError,
    NotAuthorizedError,
    exception_from_error,
)

if TYPE_CHECKING:
    from dbus_fast import Message

    from netwright.backend.topology.problems import NetwrightError

#: The bus's answers when the backend's name has no owner (or lost it mid-call).
DBUS_ERRORS_AS_UNAVAILABLE = (
    "org.freedesktop.DBus.Error.ServiceUnknown",
    "org.freedesktop.DBus.Error.NameHasNoOwner",
    "org.freedesktop.DBus.Error.NoReply",
    "org.freedesktop.DBus.Error.Disconnected",
    "org.freedesktop.DBus.Error.Spawn.ChildExited",
)


def error_from_reply(reply: Message) -> NetwrightError:
    """The exception an error reply stands for."""
    name = reply.error_name or ""
    body = list(reply.body or [])
    message = str(body[0]) if body and isinstance(body[0], str) else name
    detail = str(body[1]) if len(body) > 1 and isinstance(body[1], str) else ""
    if name in DBUS_ERRORS_AS_UNAVAILABLE:
        return BackendUnavailableError(f"the Netwright backend is not available: {message}")
    if name == "org.freedesktop.DBus.Error.InvalidArgs":
        return InvalidArgumentsError(message)
    if name == "org.freedesktop.DBus.Error.AccessDenied":
        return NotAuthorizedError(message)
    return exception_from_error(name, message, detail)


def status_answer(reply: Message) -> tuple[str, dict[str, Any]]:
    """A Status reply as (error name or "", the status JSON or {"message": the sentence});
    BackendUnavailableError while nobody answers (for restart.report_recovery)."""
    from dbus_fast.constants import MessageType  # enums only: no bus, no asyncio

    text = str(reply.body[0]) if reply.body else ""
    if reply.message_type is not MessageType.ERROR:
        return "", dict(parse_json(text))
    if (reply.error_name or "") in DBUS_ERRORS_AS_UNAVAILABLE:
        raise BackendUnavailableError(text)
    # a trial's end is said in this client's time zone, as a status says it
    over = getattr(error_from_reply(reply), "trial_over", None)
    return reply.error_name or "", {"message": text if over is None else over.words()}
