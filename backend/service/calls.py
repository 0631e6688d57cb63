"""The one shape every exported method has: authorise → decode → engine → named errors.

``exported(action)`` wraps a handler so that the polkit check is the first thing that
happens, before an argument is looked at; decoding helpers turn D-Bus values into the typed
model (through the topology contract) or refuse them with a sentence; any expected error
becomes a ``BusError`` with its io.netwright.Error name and any other one an incident.
The dispatcher (dispatch.py) sets ``CALLER`` to the unique bus name of the message's sender.
"""

from __future__ import annotations

import contextvars
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar, cast

from dbus_fast import Variant
from pydantic_core import PydanticCustomError

from netwright.backend.service import names
from netwright.backend.service.authority import Authority
from netwright.backend.service.errors import (
    InvalidArgumentsError,
    error_detail,
    error_name_for,
)
from netwright.backend.service.incidents import incident
from netwright.backend.topology.fields import check_identifier
from netwright.backend.topology.problems import NetwrightError, quote

log = logging.getLogger("netwrightd")

#: The unique bus name of the caller of the method being handled.
CALLER: contextvars.ContextVar[str] = contextvars.ContextVar("netwright_caller", default="")

P = ParamSpec("P")
R = TypeVar("R")


class BusError(Exception):
    """A D-Bus error reply: name, sentence, optional JSON detail (a second string argument)."""

    def __init__(self, name: str, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.name = name
        self.message = message
        self.detail = detail


class HasAuthority(Protocol):
    authority: Authority


S = TypeVar("S", bound=HasAuthority)


def exported(
    action: str | Callable[..., str | None],
) -> Callable[
    [Callable[Concatenate[S, P], Awaitable[R]]], Callable[Concatenate[S, P], Awaitable[R]]
]:
    """Authorise ``action`` for the caller first, then run the handler; map its errors.

    ``action`` may be a function of the handler's own arguments (``self, *args``) when the
    action depends on what is asked (Cancel asks for the action of the job it names); it
    only looks up, reads nothing from the host and changes nothing. None from it: nothing
    to ask (a job's own connection cancelling it).
    """

    def decorate(
        handler: Callable[Concatenate[S, P], Awaitable[R]],
    ) -> Callable[Concatenate[S, P], Awaitable[R]]:
        @functools.wraps(handler)
        async def wrapper(self: S, *args: P.args, **kwargs: P.kwargs) -> R:
            try:
                needed = action(self, *args) if callable(action) else action
                if needed is not None:
                    await self.authority.authorize(CALLER.get(), needed)
                return await handler(self, *args, **kwargs)
            except BusError:
                raise
            except NetwrightError as exc:
                raise as_bus_error(exc) from None
            except Exception as exc:
                raise as_bus_error(incident(exc, f"handling {handler.__name__}")) from None

        return cast(Callable[Concatenate[S, P], Awaitable[R]], wrapper)

    return decorate


def as_bus_error(exc: NetwrightError) -> BusError:
    return BusError(error_name_for(exc), str(exc), error_detail(exc))


def check_size(text: str) -> None:
    """Refuse oversized topology text before spending anything on it."""
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > names.MAX_TOPOLOGY_BYTES:
        raise InvalidArgumentsError(
            f"the topology is {size / 1024 / 1024:.1f} MiB; netwrightd accepts at most"
            f" {names.MAX_TOPOLOGY_BYTES // 1024 // 1024} MiB"
        )


def decode_name(name: str) -> str:
    """A topology name as a caller passes it to Status/Destroy: the same grammar as files."""
    try:
        return check_identifier(name)
    except PydanticCustomError as exc:
        raise InvalidArgumentsError(f"topology name: {exc}") from None


def decode_options(options: Mapping[str, Any], known: Mapping[str, str]) -> dict[str, Any]:
    """Check ``a{sv}`` options against ``known`` (name → D-Bus signature); unwrap them."""
    values: dict[str, Any] = {}
    for key, variant in options.items():
        if key not in known:
            accepted = ", ".join(sorted(known)) or "none"
            raise InvalidArgumentsError(
                f"unknown option {quote(key)}; this method accepts: {accepted}"
            )
        if not isinstance(variant, Variant) or variant.signature != known[key]:
            got = variant.signature if isinstance(variant, Variant) else type(variant).__name__
            raise InvalidArgumentsError(
                f"option {quote(key)} must have D-Bus type '{known[key]}', not '{got[:16]}'"
            )
        values[key] = variant.value
    return values
