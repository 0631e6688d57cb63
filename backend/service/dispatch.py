"""Route method calls to the exported interface, with the caller's name at hand.

dbus-fast's own dispatch does not tell a handler who called, and polkit needs exactly that.
This message handler takes calls for our object first: it checks the signature (wrong types
get org.freedesktop.DBus.Error.InvalidArgs, naming the expected signature), sets ``CALLER``
to the sender's unique name, runs the method defined on the ServiceInterface in a task of its
own and sends the reply; errors become io.netwright.Error.* replies, never a traceback.
Each user (but root) may have CALLS_PER_USER calls in progress at once; more are answered
Busy at once, before polkit is asked or anything is read, so no user can tie up the
daemon's threads or polkit with thousands of calls in flight.
Once the daemon has begun to stop, a call it no longer serves is answered Stopping before
anything else, the caller's user not even looked up (stopping.py); once its files were
replaced (an upgrade), its OutdatedGuard answers calls instead. Every call that reached the
daemon is answered before it exits (drain, closing.py).
Introspection, properties and signals stay with dbus-fast, generated from the same class.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections import Counter
from typing import Any

from dbus_fast import Message, MessageFlag, MessageType
from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface
from dbus_fast.signature import get_signature_tree

from netwright.backend.clipped import clipped
from netwright.backend.service import names
from netwright.backend.service.callers import ROOT_UID, Callers
from netwright.backend.service.calls import CALLER, BusError, as_bus_error
from netwright.backend.service.incidents import incident
from netwright.backend.service.outdated import OutdatedGuard
from netwright.backend.service.stopping import Stopping
from netwright.backend.topology.problems import NetwrightError

log = logging.getLogger("netwrightd")

INVALID_ARGS = "org.freedesktop.DBus.Error.InvalidArgs"
#: Calls one user may have in progress at once (a polkit password prompt counts).
CALLS_PER_USER = 16
UNKNOWN_METHOD = "org.freedesktop.DBus.Error.UnknownMethod"
#: How long the stop waits for the calls in progress before it answers them Failed.
DRAIN_SECONDS = 10.0
#: The answer to a call the stop ended before it was done: not Stopping, which promises
#: that nothing was changed (an Adopt may have marked objects by then).
UNFINISHED_SENTENCE = ("netwrightd stopped before it finished this call; what it did, if"
                       " anything, shows once it is back (netwright status)")


class Dispatcher:
    """Installs itself as the first message handler of ``bus`` for ``interface``'s object."""

    def __init__(self, bus: MessageBus, interface: ServiceInterface, path: str,
                 callers: Callers, *, guard: OutdatedGuard | None = None,
                 stopping: Stopping | None = None) -> None:
        self._bus = bus
        self._guard = guard
        self._stopping = stopping
        self._callers = callers
        self._calls: Counter[int] = Counter()
        self._interface = interface
        self._path = path
        # dbus-fast keeps the parsed @dbus_method definitions here; introspection uses them too.
        self._methods = {m.name: m for m in ServiceInterface._get_methods(interface)}
        self._tasks: set[asyncio.Task[None]] = set()
        bus.add_message_handler(self._on_message)

    def _on_message(self, msg: Message) -> bool:
        method = self._method_for(msg)
        if method is None:
            # Only our methods take descriptors (Capture); those sent with anything else (a
            # Ping, an Introspect, a signal to us alone: no polkit is asked for those) are
            # closed here, or any local user could fill the daemon's descriptor table.
            _close_fds(msg)
            if not self._ours(msg) or msg.interface is None:
                return False
            self._reply_error(msg, UNKNOWN_METHOD, f"{names.INTERFACE} has no method"
                              f" {clipped(msg.member, 64)!r}")
            return True
        if msg.signature != method.in_signature:
            _close_fds(msg)
            self._reply_error(
                msg, INVALID_ARGS,
                f"{method.name} takes arguments of D-Bus type '{method.in_signature}',"
                f" not '{msg.signature}'",
            )
            return True
        task = asyncio.get_running_loop().create_task(self._run(msg, method))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        # Descriptors the call brought are ours to close; Capture dup()s the one it keeps.
        task.add_done_callback(lambda _task: _close_fds(msg))
        return True

    def _ours(self, msg: Message) -> bool:
        """A method call to our object and interface (or to no interface)."""
        return (msg.message_type is MessageType.METHOD_CALL and msg.path == self._path
                and msg.interface in (self._interface.name, None))

    def _method_for(self, msg: Message) -> Any:
        """The method of ours ``msg`` calls, or None."""
        return self._methods.get(msg.member or "") if self._ours(msg) else None

    async def _run(self, msg: Message, method: Any) -> None:
        try:
            await self._answer(msg, method)
        except asyncio.CancelledError:  # the stop waited long enough (drain): still answered
            self._reply_error(msg, names.ERROR_FAILED, UNFINISHED_SENTENCE)
            raise

    async def _answer(self, msg: Message, method: Any) -> None:
        CALLER.set(msg.sender or "")
        stopping = self._stopping.refusal(method.name) if self._stopping else None
        if stopping is not None:  # polkit is not asked, a password prompt never opens
            log.info("refusing %s from %s: netwrightd is stopping", method.name, msg.sender)
            refused = as_bus_error(stopping)
            self._reply_error(msg, refused.name, refused.message)
            return
        try:
            uid = await self._callers.uid(msg.sender or "")
        except NetwrightError as exc:
            self._reply_error(msg, names.ERROR_NOT_AUTHORIZED, str(exc))
            return
        if uid != ROOT_UID and self._calls[uid] >= CALLS_PER_USER:
            self._reply_error(msg, names.ERROR_BUSY,
                              f"you already have {self._calls[uid]} calls to netwrightd in"
                              f" progress, the most one user may ({CALLS_PER_USER}): wait for"
                              " their answers")
            return
        self._calls[uid] += 1
        try:
            await self._call(msg, method)
        finally:
            self._calls[uid] -= 1
            if not self._calls[uid]:
                del self._calls[uid]

    async def _call(self, msg: Message, method: Any) -> None:
        try:
            refused = await self._guard.refusal(method.name) if self._guard else None
            if refused is not None:  # its files were replaced: old code runs no new code
                raise refused
            result = await method.fn(self._interface, *_with_fds(method.in_signature, msg))
        except BusError as exc:
            if exc.name == names.ERROR_OUTDATED and self._guard is not None and not refused:
                exc = await self._guard.error()  # found by a failure: say what comes next
            self._reply_error(msg, exc.name, exc.message, exc.detail)
            return
        except Exception as exc:  # a handler outside the exported() shape: still no traceback
            self._reply_error_from(msg, exc, method.name)
            return
        if msg.flags & MessageFlag.NO_REPLY_EXPECTED:
            return
        body = [] if method.out_signature == "" else [result]
        self._send(Message.new_method_return(msg, method.out_signature, body))

    def _reply_error_from(self, msg: Message, exc: Exception, name: str) -> None:
        failure = as_bus_error(incident(exc, f"handling {name}"))
        self._reply_error(msg, failure.name, failure.message, failure.detail)

    def _reply_error(self, msg: Message, name: str, text: str, detail: str = "") -> None:
        if msg.flags & MessageFlag.NO_REPLY_EXPECTED:
            return
        signature, body = ("ss", [text, detail]) if detail else ("s", [text])
        self._send(Message(
            message_type=MessageType.ERROR, error_name=name, reply_serial=msg.serial,
            destination=msg.sender, signature=signature, body=body,
        ))

    def _send(self, message: Message) -> None:
        try:
            self._bus.send(message)
        except Exception as exc:  # the caller left; nothing to tell them
            log.debug("could not send a reply: %s", exc)

    async def drain(self, timeout: float = DRAIN_SECONDS) -> None:
        """Wait for calls in progress (used at shutdown, after jobs are cancelled); those
        still running after ``timeout`` seconds are cancelled and answered Failed, so no
        caller is left to the bus's NoReply when the daemon exits."""
        tasks = list(self._tasks)
        if not tasks:
            return
        _done, running = await asyncio.wait(tasks, timeout=timeout)
        for task in running:
            task.cancel()
        if running:
            log.warning("answering %d calls still in progress after %.0f s: netwrightd stops",
                        len(running), timeout)
            await asyncio.wait(running, timeout=1)


def _with_fds(signature: str, msg: Message) -> list[Any]:
    """The call's arguments with each top-level 'h' (an index into the descriptors that came
    with the message) replaced by that descriptor, or -1 when none came."""
    if "h" not in signature:
        return list(msg.body)
    types = get_signature_tree(signature).types
    args = list(msg.body)
    for position, kind in enumerate(types):
        if kind.token == "h":
            index = args[position]
            args[position] = msg.unix_fds[index] if 0 <= index < len(msg.unix_fds) else -1
    return args


def _close_fds(msg: Message) -> None:
    """Close the descriptors a call brought: each received one is ours to close."""
    for fd in msg.unix_fds:
        with contextlib.suppress(OSError):
            os.close(fd)
    msg.unix_fds = []
