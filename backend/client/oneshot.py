"""Blocking calls to the system's netwrightd: the CLI's backend commands without asyncio.

A command of the CLI asks netwrightd a few questions in a row (``list``: one; ``apply``: a
plan, then a job followed to its end); it needs no event loop. ``SystemBackend`` connects
to the system bus, authenticates, says Hello, and answers the coroutine methods of
``BackendClient`` that those commands use (``deployment_sources``, ``status``, ``plan``,
``apply``, ``destroy``, ``confirm``, ``revert``) without ever suspending, so the commands'
own code (cli/via_backend.py) runs on it unchanged, driven by ``run`` instead of asyncio.
A job is followed on the same connection by its signals (JobStarted, JobProgress,
JobFinished), as client.py does; if the backend stops meanwhile, the same sentence says
what its recovery did (restart.py).

dbus-fast's marshaller, unmarshaller, EXTERNAL authenticator and address parser do the
protocol work; its package ``__init__`` (the asyncio bus, services, introspection with
xml.etree) is deferred (``lazy_init.load_dbus_fast``). A command then costs a few
milliseconds of imports instead of the ~40 that asyncio and dbus-fast's bus take. These are
dbus-fast's internal modules: if one is missing (another dbus-fast), the command takes the
asyncio path.

A netwrightd that is stopping (systemd restarting it) refuses a call with Stopping, having
done nothing for it. A read (``_call``) then waits up to STOPPING_WAIT_SECONDS for the bus
name to pass to a new netwrightd and is made again there, once, saying nothing; if none
comes, the command says which service it waited for and how long. A change (Apply, Destroy,
Revert, Confirm) is not made again by itself (restart.CHANGES says why). The asyncio client
follows the same rule, from the same code (name_watch.after_stopping_refusal).

When no system backend answers (no bus, no owner and not activatable), a call raises
BackendUnavailableError before any work was asked for, and the command falls back to the
asyncio client, which finds or starts the lab. The bus starts an activatable netwrightd
for the call, as ``connect_system(activate=True)`` does.
"""

from __future__ import annotations

import socket
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, NoReturn

from netwright.backend.client.jobs import (
    ProgressCallback,
    interrupted_failure,
    progress_steps,
)
from netwright.backend.client.replies import error_from_reply, status_answer
from netwright.backend.client.requests import (
    CALL_TIMEOUT_SECONDS,
    OWNER_MATCH,
    SIGNAL_MATCH,
    SOURCE_FILE_API,
    TARGET_API,
    api_version,
    apply_options,
    older_target,
)
from netwright.backend.client.restart import (
    BackendStoppedError,
    report_recovery,
    stopped_sentence,
)
from netwright.backend.client.results import (
    parse_apply_result,
    parse_deployment_sources,
    parse_plan,
    parse_problems,
    parse_status,
)
from netwright.backend.lazy_init import load_dbus_fast
from netwright.backend.service import names
from netwright.backend.service.errors import (
    BackendUnavailableError,
    exception_from_error,
)

if TYPE_CHECKING:
    from dbus_fast.message import Message

    from netwright.backend.outcomes.provenance import Provenance
    from netwright.backend.outcomes.results import ApplyResult, Plan, Status
    from netwright.backend.topology.problems import Problem

#: The bus's errors that mean a call reached no backend (so it did nothing).
_NOT_DELIVERED = ("org.freedesktop.DBus.Error.ServiceUnknown",
                  "org.freedesktop.DBus.Error.NameHasNoOwner",
                  "org.freedesktop.DBus.Error.Spawn.ChildExited")
#: A call's header flag: the bus answers ServiceUnknown instead of starting the service.
NO_AUTOSTART = 2
_BUS = ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus")
_BACKEND = (names.BUS_NAME, names.OBJECT_PATH, names.INTERFACE)


class SystemBackend:
    """One blocking connection to the system bus and netwrightd on it."""

    lab = False  # the system's backend, never a lab

    def __init__(self, sock: socket.socket) -> None:
        load_dbus_fast()
        from dbus_fast._private.unmarshaller import Unmarshaller

        self._sock = sock
        self._serial = 0
        self._reader = Unmarshaller(None, sock, False)
        self._api: tuple[int, ...] | None = None
        self._subscribed = False
        self.asked_for_work = False
        """True once a backend received a request for work (a job, a confirmation): from
        then on no other backend may be asked in its place."""

    @classmethod
    def connect(cls) -> SystemBackend:
        """Connect and authenticate to the system bus ($DBUS_SYSTEM_BUS_ADDRESS honoured).

        BackendUnavailableError if no bus answers there (or this dbus-fast lacks a module).
        """
        try:
            load_dbus_fast()
            from dbus_fast._private.address import get_bus_address, parse_address
            from dbus_fast.auth import AuthExternal
            from dbus_fast.constants import BusType
        except ImportError as exc:
            raise BackendUnavailableError(f"no blocking D-Bus call here: {exc}") from None
        try:
            address = get_bus_address(BusType.SYSTEM)
            sock = _unix_socket(parse_address(address))
        except Exception as exc:  # OSError, and dbus-fast's own address errors
            raise BackendUnavailableError(f"the system bus is not reachable: {exc}") from None
        try:
            auth = AuthExternal()
            sock.sendall(b"\0" + auth._format_line(auth._authentication_start()))
            sock.sendall(auth._format_line(auth._receive_line(_read_line(sock))))
            backend = cls(sock)
            backend._send(*_BUS, "Hello", "", [])  # its reply comes before the first call's
        except Exception as exc:  # refused or closed: the asyncio client will say why
            sock.close()
            raise BackendUnavailableError(f"the system bus refused us: {exc}") from None
        return backend

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> SystemBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def run(command: Coroutine[Any, Any, int]) -> int:
        """Run a command's coroutine whose awaits are all this class's (none suspends)."""
        try:
            command.send(None)
        except StopIteration as finished:
            return int(finished.value)
        command.close()
        raise RuntimeError("a backend command waited for something only asyncio gives")

    # -- BackendClient's methods that the CLI's commands use ------------------------------

    async def target(self) -> str:
        """As ``BackendClient.target``: "host", or "lab" for a netwrightd with --target lab."""
        if self._api_version() < TARGET_API:
            return older_target(self.lab)
        return str(self._property("Target"))

    async def deployments(self) -> list[str]:
        return [str(name) for name in self._call(*_BACKEND, "List", "", [])]

    async def deployment_sources(self) -> dict[str, Provenance | None]:
        return parse_deployment_sources(self._call(*_BACKEND, "Deployments", "", []))

    async def status(self, name: str) -> Status:
        return parse_status(self._call(*_BACKEND, "Status", "s", [name]))

    async def plan(self, topology: str) -> Plan:
        return parse_plan(self._call(*_BACKEND, "Plan", "sa{sv}", [topology, {}]))

    async def validate(self, topology: str) -> list[Problem]:
        """Every problem of the text, from a netwrightd that is already running: the bus is
        told not to start one (validating is no reason to start a root daemon; the caller
        reads the file itself instead)."""
        return parse_problems(self._call(*_BACKEND, "Validate", "s", [topology],
                                         flags=NO_AUTOSTART))

    async def apply(self, topology: str, progress: ProgressCallback | None = None, *,
                    confirm: bool = False, confirm_seconds: int | None = None,
                    source_file: str = "", stop_on_interrupt: bool = False) -> ApplyResult:
        if source_file and self._api_version() < SOURCE_FILE_API:
            source_file = ""
        options = apply_options(confirm, confirm_seconds, source_file)
        return parse_apply_result(self._job("Apply", "sa{sv}", [topology, options], progress,
                                            stop_on_interrupt))

    async def destroy(self, name: str, progress: ProgressCallback | None = None, *,
                      stop_on_interrupt: bool = False) -> ApplyResult:
        return parse_apply_result(self._job("Destroy", "sa{sv}", [name, {}], progress,
                                            stop_on_interrupt))

    async def revert(self, name: str, progress: ProgressCallback | None = None, *,
                     stop_on_interrupt: bool = False) -> ApplyResult:
        return parse_apply_result(self._job("Revert", "sa{sv}", [name, {}], progress,
                                            stop_on_interrupt))

    async def confirm(self, name: str) -> None:
        done_before, self.asked_for_work = self.asked_for_work, True
        serial = self._send(*_BACKEND, "Confirm", "sa{sv}", [name, {}])
        reply = self._delivered(self._reply_to(serial), done_before)
        self._after_stopping(reply, "Confirm")  # a change: raises if refused so
        self._answer(reply)

    # -- plumbing -----------------------------------------------------------------------

    def _api_version(self) -> tuple[int, ...]:
        if self._api is None:
            self._api = api_version(self._property("Version"))
        return self._api

    def _property(self, name: str) -> str:
        value = self._call(names.BUS_NAME, names.OBJECT_PATH,
                           "org.freedesktop.DBus.Properties", "Get", "ss",
                           [names.INTERFACE, name])
        return str(getattr(value, "value", value))

    def _job(self, member: str, signature: str, body: list[Any],
             progress: ProgressCallback | None, stop_on_interrupt: bool = False) -> str:
        """Start a job and follow its signals to its end: its result data, or what the
        engine raised. Signals may come before the reply that names the job.

        ``stop_on_interrupt``: Ctrl+C while waiting asks the backend to cancel the job (as
        soon as its id is known) and goes on following it, as client.py does: its
        Cancelled ends as JobInterrupted; a second Ctrl+C leaves at once."""
        self._sock.settimeout(CALL_TIMEOUT_SECONDS)  # until the job's id comes back
        # The match rules go out with the call, their replies not waited for: the bus
        # handles a connection's messages in order, so they hold before the job can signal.
        matches = [] if self._subscribed else [
            self._send(*_BUS, "AddMatch", "s", [rule]) for rule in (SIGNAL_MATCH, OWNER_MATCH)]
        self._subscribed = True
        done_before, self.asked_for_work = self.asked_for_work, True
        serial = self._send(*_BACKEND, member, signature, body)
        job = ""
        backend = ""  # the unique name that answered: its signals alone are believed
        early: list[Message] = []  # signals read before the job's id
        subject = ("", "")  # (topology, operation) as JobStarted says
        interrupted = False
        while True:
            try:
                message = self._read()
            except KeyboardInterrupt:
                if interrupted or not stop_on_interrupt:
                    raise
                interrupted = True  # a read interrupted this way loses no byte (resumable)
                if job:
                    self._send(*_BACKEND, "Cancel", "s", [job])
                continue
            if message.reply_serial in matches:
                _refused_match(message)
                continue
            if message.reply_serial == serial:
                self._after_stopping(message, member)  # a change: raises if refused so
                job = str(self._answer(self._delivered(message, done_before)))
                backend = str(message.sender)
                pending, early = early, []
                self._sock.settimeout(None)  # a job may take long: only calls time out
                if interrupted:
                    self._send(*_BACKEND, "Cancel", "s", [job])
            elif message.member == "NameOwnerChanged" and _owner_lost(message):
                self._stopped(job, *subject)
            elif message.interface == names.INTERFACE and message.body:
                pending = [message]
                if not job:
                    early.append(message)
                    continue
            else:
                continue
            for signal in pending:
                # anyone may send this connection a signal, and a job id can be guessed
                if signal.sender != backend or not signal.body or signal.body[0] != job:
                    continue
                if signal.member == "JobStarted" and len(signal.body) == 3:
                    subject = (str(signal.body[1]), str(signal.body[2]))
                elif signal.member == "JobProgress" and len(signal.body) == 4 and progress:
                    for step in progress_steps(*signal.body[1:]):
                        progress(*step)
                elif signal.member == "JobFinished" and len(signal.body) == 4:
                    _job, error, text, data = signal.body
                    if error:
                        failure = exception_from_error(error, text, data)
                        raise interrupted_failure(failure) if interrupted else failure
                    return str(data)

    def _stopped(self, job: str, topology: str, operation: str) -> NoReturn:
        """The backend's name lost its owner during the job: say what its recovery did."""
        import asyncio  # only now: report_recovery waits for the backend to come back

        self._sock.settimeout(CALL_TIMEOUT_SECONDS)

        async def status(name: str) -> tuple[str, dict[str, Any]]:
            self._send(*_BACKEND, "Status", "s", [name])
            return status_answer(self._reply_to(self._serial))

        stopped = stopped_sentence(job, topology, operation)
        raise BackendStoppedError(asyncio.run(report_recovery(stopped, topology, operation,
                                                               status)))

    def _call(self, destination: str, path: str, interface: str, member: str,  # noqa: PLR0917
              signature: str, body: list[Any], flags: int = 0) -> Any:
        """A read (every caller of this method only reads): refused by a stopping
        netwrightd, it is made again, once, on the one that takes over its name."""
        self._sock.settimeout(CALL_TIMEOUT_SECONDS)
        serial = self._send(destination, path, interface, member, signature, body, flags)
        reply = self._reply_to(serial)
        if self._after_stopping(reply, member):
            self._sock.settimeout(CALL_TIMEOUT_SECONDS)
            serial = self._send(destination, path, interface, member, signature, body, flags)
            reply = self._reply_to(serial)
        return self._answer(reply)

    def _after_stopping(self, reply: Message, member: str) -> bool:
        """True if a stopping netwrightd refused the call of ``member`` (``reply``) and it
        may now be made again, once, on the next one; False if it was not refused. A
        change, or a read whose next netwrightd does not come, raises BackendStoppingError
        (name_watch.after_stopping_refusal, asyncio only on this rare path)."""
        if not _stopping(reply):
            return False
        import asyncio

        from netwright.backend.client.name_watch import after_stopping_refusal

        asyncio.run(after_stopping_refusal(member, str(reply.sender)))
        return True

    def _delivered(self, reply: Message, done_before: bool) -> Message:
        """The reply to a call that asks for work; if the bus says nobody received the call
        (no owner, or activation failed), no work was asked for after all, so another
        backend (the lab) may still be asked."""
        if reply.error_name in _NOT_DELIVERED:
            self.asked_for_work = done_before
        return reply

    def _answer(self, reply: Message) -> Any:
        """A reply's first value; an error reply raised as the engine's exception."""
        from dbus_fast.constants import MessageType

        if reply.message_type is MessageType.ERROR:
            raise error_from_reply(reply)
        return reply.body[0] if reply.body else None

    def _reply_to(self, serial: int) -> Message:
        while True:
            message = self._read()
            if message.reply_serial == serial:
                return message  # anything else (Hello's reply, NameAcquired) is not ours

    def _read(self) -> Message:
        try:
            message = self._reader.unmarshall()
        except (OSError, EOFError) as exc:
            raise BackendUnavailableError(f"lost the connection to the backend: {exc}") from None
        if message is None:  # a blocking socket returns whole messages; never seen
            raise BackendUnavailableError("lost the connection to the backend")
        return message

    def _send(self, destination: str, path: str, interface: str, member: str,  # noqa: PLR0917
              signature: str, body: list[Any], flags: int = 0) -> int:
        from dbus_fast.message import Message

        self._serial += 1
        message = Message(destination=destination, path=path, interface=interface,
                          member=member, signature=signature, body=body, serial=self._serial,
                          flags=flags)
        self._sock.sendall(message._marshall(False))
        return self._serial


def _refused_match(reply: Message) -> None:
    """An AddMatch's reply: if the bus refused the rule, the job's signals cannot reach us
    (the job, asked for in the same breath, may still run: its status says how it ended)."""
    from dbus_fast.constants import MessageType

    if reply.message_type is MessageType.ERROR:
        refused = error_from_reply(reply)
        raise BackendUnavailableError(f"the bus would not pass on the job's signals ({refused});"
                                      " the job may still run: see 'netwright status'")


def _stopping(reply: Message) -> bool:
    """The backend refused the call because it has begun to stop (nothing was done)."""
    return reply.error_name == names.ERROR_STOPPING


def _owner_lost(message: Message) -> bool:
    """NameOwnerChanged from the bus saying the backend's name lost its owner."""
    body = list(message.body or [])
    return (message.sender == "org.freedesktop.DBus" and len(body) == 3
            and body[0] == names.BUS_NAME and bool(body[1]) and not body[2])


def _unix_socket(addresses: list[tuple[str, dict[str, str]]]) -> socket.socket:
    """A connected socket to the first unix address that answers (others: OSError)."""
    failure: OSError = OSError("the address names no unix socket")
    for transport, options in addresses:
        if transport != "unix" or not ({"path", "abstract"} & options.keys()):
            continue
        target = options.get("path") or "\0" + options["abstract"]
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(CALL_TIMEOUT_SECONDS)
        try:
            sock.connect(target)
        except OSError as exc:
            sock.close()
            failure = exc
            continue
        return sock
    raise failure


def _read_line(sock: socket.socket) -> str:
    """One line of the authentication exchange (the bus sends nothing more before BEGIN)."""
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = sock.recv(512)
        if not chunk:
            raise EOFError("the bus closed the connection while authenticating")
        data += chunk
    return data.decode("ascii").rstrip("\r\n")
