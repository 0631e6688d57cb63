"""BackendClient: typed calls to io.netwright.Backend1, errors as the engine's exceptions.

One instance per connection. ``apply``/``destroy`` start a job and wait for its end,
forwarding JobProgress to a callback; ``start_apply``/``wait_job`` split the two for callers
that want the job id (to offer Cancel). Every D-Bus error becomes the Python exception the
engine (or the topology contract) would have raised. A lab older than Netwright's files that
holds nothing is replaced by a new one, and the call made again there, once; so is a lab that
has gone, or that refused the call because it is stopping (``netwright lab stop`` racing it).
A call the stopping system netwrightd refused (systemd restarting it) follows the command
line's rule (name_watch.after_stopping_refusal): a read waits for the next netwrightd and is
made again there, once; a change is not, and says so. The signals need nothing redone: the
match rules name the bus name, which the bus follows to its next owner, and
``_on_owner_changed`` believes the new owner's signals from then on.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus

from netwright.backend.client.jobs import (
    JobOutcome,
    JobTracker,
    ProgressCallback,
    interrupted_failure,
)
from netwright.backend.client.name_watch import after_stopping_refusal
from netwright.backend.client.replies import error_from_reply, status_answer
from netwright.backend.client.requests import (
    CALL_TIMEOUT_SECONDS,
    MEASURE_JOB_API,
    OWNER_MATCH,
    SIGNAL_MATCH,
    SOURCE_FILE_API,
    STOPPING_API,
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
    parse_json,
    parse_json_objects,
    parse_plan,
    parse_problems,
    parse_status,
)
from netwright.backend.outcomes.provenance import Provenance
from netwright.backend.outcomes.results import ApplyResult, Plan, Status
from netwright.backend.service import names
from netwright.backend.service.errors import (
    BackendStoppingError,
    BackendUnavailableError,
    InvalidArgumentsError,
    OutdatedBackendError,
    exception_from_error,
)
from netwright.backend.topology.problems import NetwrightError, Problem

__all__ = ["RENEWED_LAB", "RESTARTED_LAB", "BackendClient", "ConnectionClosedError", "JobOutcome"]

#: Said (through ``BackendClient.notices``) when a call moved to a new lab: the old one was
#: older than Netwright's files (RENEWED_LAB) or had gone, or was stopping (RESTARTED_LAB).
RENEWED_LAB = "netwright: the lab backend was older than Netwright's files; started a new one"
RESTARTED_LAB = ("netwright: the lab backend had stopped (what was deployed in it ended with"
                 " it); started a new one")


class ConnectionClosedError(BackendUnavailableError):
    """The connection to the backend had closed before a call was sent: nothing of the call
    ran anywhere, so it may be made again elsewhere."""

Renew = Callable[[], Awaitable[MessageBus]]


class BackendClient:
    """A connection to one backend (the system's netwrightd or a lab)."""

    def __init__(self, bus: MessageBus, *, lab: bool = False) -> None:
        self._bus = bus
        self._tracker = JobTracker()
        self._watch: asyncio.Future[None] | None = None
        self.lab = lab
        self._api: tuple[int, ...] | None = None
        # The unique name that owns the backend's name now: its signals are the only ones
        # believed. Anyone may send a signal to this connection (the system bus allows it),
        # and a job id is easy to guess, so a JobFinished from anyone else could end our
        # jobs with results of its choosing.
        self._backend: str | None = None
        self.state_listeners: list[Callable[[str, str], None]] = []
        """Called with (topology, state) on the backend's StateChanged: a deployment was
        applied, destroyed, confirmed or restored, by anyone (the designer then asks again
        whose it is)."""
        self.restart_listeners: list[Callable[[], None]] = []
        """Called when the backend's name gets an owner after it had none (netwrightd
        restarted): its recovery may have changed what is deployed, and a call made while
        nobody owned the name failed (the designer then asks its status again)."""
        self.notices: list[Callable[[str], None]] = []
        """Called with a line to show the user: a new lab was started in place of one older
        than Netwright's files (RENEWED_LAB)."""
        self._renew: Renew | None = None
        self._renewing = asyncio.Lock()
        self._left: list[MessageBus] = []  # the buses of labs this client moved away from
        bus.add_message_handler(self._on_message)

    @classmethod
    async def attach(cls, bus: MessageBus, *, lab: bool = False,
                     renew: Renew | None = None) -> BackendClient:
        """Use a connected bus: subscribe to the backend's signals and return the client.

        ``renew``: for a lab, a connection to a new lab once this one has stopped because it
        was older than Netwright's files; each call it refused so is then made there, once.
        """
        client = cls(bus, lab=lab)
        client._renew = renew
        await client._subscribe()
        return client

    async def _subscribe(self) -> None:
        self._watch = asyncio.ensure_future(self._watch_disconnect())
        for rule in (SIGNAL_MATCH, OWNER_MATCH):
            await self._raw("org.freedesktop.DBus", "/org/freedesktop/DBus",
                            "org.freedesktop.DBus", "AddMatch", "s", [rule])
        owner = await self._send_call(Message(
            destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
            interface="org.freedesktop.DBus", member="GetNameOwner", signature="s",
            body=[names.BUS_NAME]))
        if owner.message_type is MessageType.METHOD_RETURN and owner.body:
            self._backend = str(owner.body[0])  # else not started yet: NameOwnerChanged says

    async def _renewed(self, refusal: OutdatedBackendError, refused_by: MessageBus) -> bool:
        """Move to a new lab if the one on ``refused_by`` refused a call because it is older
        than Netwright's files and stops now (it holds nothing); False if it cannot be.
        Calls refused at once (the designer's side tasks) move once, together."""
        if self._renew is None or not refusal.exiting:
            return False
        async with self._renewing:
            if self._bus is refused_by:
                await self._move(refused_by, self._renew)
        return True

    async def _restarted(self, left: MessageBus) -> bool:
        """Move to a new lab if the lab on ``left`` has gone (stopped, killed or crashed:
        its bus went with it) or refused a call because it is stopping (it is gone once
        the move has waited for it); False if this client cannot start one."""
        if self._renew is None:
            return False
        async with self._renewing:
            if self._bus is left:
                await self._move(left, self._renew, RESTARTED_LAB)
        return True

    async def leave_stopping_lab(self) -> bool:
        """If this client's lab has begun to stop (or let go of its name on its way out
        since the client connected), wait for it to end and move to a new lab; True if it
        moved. Nothing is said (``notices``): the caller, ``netwright lab start``, says what
        it found. A stopping lab still answers reads, so without this the next List came
        from the lab that was about to end."""
        if self._renew is None:
            return False
        bus = self._bus
        try:
            stopping = await self.stopping()
        except BackendUnavailableError:
            stopping = True  # it released its name since the connect: on its way out
        if not stopping:
            return False
        async with self._renewing:
            if self._bus is bus:
                await self._move(bus, self._renew, None)
        return True

    async def _move(self, old: MessageBus, renew: Renew, notice: str | None = RENEWED_LAB
                    ) -> None:
        """Leave the bus ``old`` for the one ``renew`` connects, signals and all; tell the
        ``notices`` so (unless ``notice`` is None)."""
        if self._watch is not None:
            self._watch.cancel()  # the old lab's leaving fails no job of the new one
        old.remove_message_handler(self._on_message)
        self._left.append(old)  # calls still on their way there get their answers
        self._bus = await renew()
        self._bus.add_message_handler(self._on_message)
        self._backend, self._api = None, None
        await self._subscribe()
        if notice is None:
            return
        for tell in list(self.notices):
            tell(notice)

    async def __aenter__(self) -> BackendClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for bus in [*self._left, self._bus]:
            if bus.connected:
                bus.disconnect()

    # -- the API ------------------------------------------------------------------------

    async def version(self) -> str:
        return str(await self._property("Version"))

    async def mode(self) -> str:
        return str(await self._property("Mode"))

    async def target(self) -> str:
        """The host the backend manages, "host" (this machine) or "lab" (an emulated host,
        also behind a system netwrightd started with --target lab): what the CLI names in
        its sentences and its JSON (``outcomes.target_words``)."""
        if not await self._api_at_least(TARGET_API):
            return older_target(self.lab)
        return str(await self._property("Target"))

    async def stopping(self) -> bool:
        """Whether the backend has begun to stop (the Stopping property, API 1.20): it then
        answers only reads and Cancel, and exits once its jobs have ended. An older backend
        cannot tell: False."""
        if not await self._api_at_least(STOPPING_API):
            return False
        return bool(await self._property("Stopping"))

    async def inspect(self) -> dict[str, Any]:
        result: dict[str, Any] = parse_json(await self._call("Inspect", "", []))
        return result

    async def validate(self, topology: str) -> list[Problem]:
        return parse_problems(await self._call("Validate", "s", [topology]))

    async def plan(self, topology: str) -> Plan:
        return parse_plan(await self._call("Plan", "sa{sv}", [topology, {}]))

    async def status(self, name: str) -> Status:
        return parse_status(await self._call("Status", "s", [name]))

    async def deployments(self) -> list[str]:
        """Names of the deployed topologies (D-Bus List)."""
        return list(await self._call("List", "", []))

    async def applied_times(self) -> dict[str, float]:
        """Each deployed topology and when it was last applied, Unix time (Deployments)."""
        return {str(d.get("name")): float(d.get("applied", 0))
                for d in parse_json_objects(await self._call("Deployments", "", []))}

    async def deployment_sources(self) -> dict[str, Provenance | None]:
        """Each deployed topology and where its last apply came from (None: not recorded,
        or a backend older than API 1.7), from Deployments."""
        return parse_deployment_sources(await self._call("Deployments", "", []))

    async def dhcp_leases(self, name: str) -> list[dict[str, Any]]:
        """Per ``dhcp`` interface of deployment ``name``: client, lease, phase (DhcpLeases)."""
        return parse_json_objects(await self._call("DhcpLeases", "s", [name]))

    async def dhcp_renew(self, name: str) -> int:
        """Ask the DHCP clients of ``name`` to renew now; how many were asked (DhcpRenew)."""
        return int(await self._call("DhcpRenew", "sa{sv}", [name, {}]))

    async def dhcp_server_leases(self) -> list[dict[str, Any]]:
        """The leases the lab's DHCP server holds (DhcpServerLeases; NotDeployed elsewhere)."""
        return parse_json_objects(await self._call("DhcpServerLeases", "", []))

    async def import_host(self, name: str, namespaces: list[str], *, as_design: bool = False
                          ) -> tuple[str, list[str]]:
        """The backend's host as a topology file, and what was left out (ImportHost)."""
        answer = await self.import_host_data(name, namespaces, as_design=as_design)
        return str(answer["topology"]), [str(line) for line in answer["skipped"]]

    async def import_host_data(self, name: str, namespaces: list[str], *,
                               as_design: bool = False) -> dict[str, Any]:
        """ImportHost's whole answer: "topology" (the file), "skipped" (sentences) and
        "networkmanager" (host device name → {"managed", "state", "profile", "uuid",
        "type", "filename"}; empty without NetworkManager or on a lab; since API 1.8) and
        "holders" (anonymous namespace key → "held by sleep (pid 4242)"; empty from an older
        netwrightd) and "host" (the host's own forwarding and nftables tables, which the file
        leaves out: ``hostimport.host_state``; since API 1.14, empty from an older netwrightd)."""
        options: dict[str, Variant] = {"name": Variant("s", name)}
        if namespaces:
            options["namespaces"] = Variant("as", namespaces)
        if as_design:
            options["as-design"] = Variant("b", True)
        answer = parse_json(await self._call("ImportHost", "a{sv}", [options]))
        answer.setdefault("networkmanager", {})  # an older netwrightd
        answer.setdefault("holders", {})
        answer.setdefault("host", {})
        return dict(answer)

    async def measure(self, name: str, source: str, target: str, *, seconds: float = 5.0,
                      udp: bool = False, bitrate: str | None = None,
                      port: int = 5201) -> dict[str, Any]:
        """iperf3 from namespace ``source`` to ``target`` of deployment ``name`` (Measure):
        the MeasureResult's JSON."""
        options = _measure_options(seconds, udp, bitrate, port)
        data = parse_json(await self._call("Measure", "sssa{sv}", [name, source, target,
                                                                   options]))
        return dict(data)

    async def start_measure(self, name: str, source: str, target: str, *,
                            seconds: float = 5.0, udp: bool = False,
                            bitrate: str | None = None, port: int = 5201) -> str:
        """Measure as a job (StartMeasure, API 1.8): its id at once, for ``cancel``;
        ``wait_measure`` gives the result."""
        options = _measure_options(seconds, udp, bitrate, port)
        return str(await self._call("StartMeasure", "sssa{sv}", [name, source, target,
                                                                 options]))

    async def measure_job_available(self) -> bool:
        """Whether the backend has StartMeasure (API 1.8); older ones only block in Measure."""
        return await self._api_at_least(MEASURE_JOB_API)

    async def wait_measure(self, job: str) -> dict[str, Any]:
        """A measurement job's MeasureResult JSON; Cancelled if it was cancelled."""
        return dict(parse_json(await self._finished(job, None)))

    async def adopt(self, name: str, objects: list[str], *, preview: bool = False
                    ) -> list[dict[str, str]]:
        """Adopt ``objects`` into deployed topology ``name`` (Adopt); ``preview`` only
        describes them. Each answer has "key", "text" and "section"."""
        options = {"preview": Variant("b", True)} if preview else {}
        answer = parse_json(await self._call("Adopt", "sasa{sv}", [name, objects, options]))
        return [dict(item) for item in answer["objects"]]

    async def check(
        self, name: str, *, outside: str | None = None, timeout: float | None = None,
        port: int | None = None,
    ) -> Any:
        options = _check_options(outside, timeout, port=port)
        return parse_json(await self._call("Check", "sa{sv}", [name, options]))

    async def check_job(
        self, name: str, progress: ProgressCallback | None = None, *,
        outside: str | None = None, timeout: float | None = None, size: int | None = None,
        source: str | None = None, probe: bool = True, port: int | None = None,
    ) -> Any:
        """Check as a job (StartCheck): progress per phase, then the same report as check();
        ``probe`` False reads the kernel and predicts, sending nothing (explain --deployed);
        ``port``: each pair also tries TCP to it."""
        options = _check_options(outside, timeout, size, source, port)
        if not probe:
            options["probe"] = Variant("b", False)
        job = str(await self._call("StartCheck", "sa{sv}", [name, options]))
        return parse_json(await self._finished(job, progress))

    async def check_host_job(
        self, namespaces: list[str] | None = None, progress: ProgressCallback | None = None,
        *, outside: str | None = None, timeout: float | None = None, size: int | None = None,
        source: str | None = None, port: int | None = None,
    ) -> Any:
        """The check of the live host's namespaces (all, or ``namespaces`` besides the host),
        read-only, as a job (StartCheckHost): the same report as check_job()."""
        options = _check_options(outside, timeout, size, source, port)
        if namespaces:
            options["namespaces"] = Variant("as", list(namespaces))
        job = str(await self._call("StartCheckHost", "a{sv}", [options]))
        return parse_json(await self._finished(job, progress))

    async def start_apply(self, topology: str, *, confirm: bool = False,
                          confirm_seconds: int | None = None, source_file: str = "") -> str:
        """Start an apply job; return its id at once. ``confirm``: the user accepted a plan
        that warns it takes down the host's own connection; such a change is then on trial
        for ``confirm_seconds`` (the backend's default when None): see ``confirm``.
        ``source_file``: the design file's absolute path, recorded for Status and List to
        name (sent only to a backend that knows the option, API 1.7)."""
        if source_file and not await self._api_at_least(SOURCE_FILE_API):
            source_file = ""
        options = apply_options(confirm, confirm_seconds, source_file)
        return str(await self._call("Apply", "sa{sv}", [topology, options]))

    async def _api_at_least(self, wanted: tuple[int, int]) -> bool:
        """Whether the backend's API version is ``wanted`` or later (asked once per owner of
        the backend's name: a restarted netwrightd may be an upgraded one)."""
        if self._api is not None:
            return self._api >= wanted
        asked = self._backend
        try:
            api = api_version(await self.version())
        except NetwrightError:
            api = (1, 0)
        if self._backend == asked:  # else the answer may be the old owner's: ask again later
            self._api = api
        return api >= wanted

    async def confirm(self, name: str) -> None:
        """Keep the change an apply left on trial (``ApplyResult.awaiting_confirmation``).

        ``NothingToConfirm`` if none awaits; ``ConfirmationExpired`` if the window had
        ended (the previous configuration was restored).
        """
        await self._call("Confirm", "sa{sv}", [name, {}])

    async def start_revert(self, name: str) -> str:
        """Start restoring the configuration from before the apply on trial; the job id."""
        return str(await self._call("Revert", "sa{sv}", [name, {}]))

    async def revert(self, name: str, progress: ProgressCallback | None = None, *,
                     stop_on_interrupt: bool = False) -> ApplyResult:
        return await self._change(self.start_revert(name), progress, stop_on_interrupt)

    async def start_destroy(self, name: str) -> str:
        return str(await self._call("Destroy", "sa{sv}", [name, {}]))

    async def wait_job(self, job: str, progress: ProgressCallback | None = None) -> ApplyResult:
        """Wait for a job's end; raise what the engine raised if it failed."""
        return parse_apply_result(await self._finished(job, progress))

    async def _change(self, starting: Awaitable[str], progress: ProgressCallback | None,
                      stop_on_interrupt: bool) -> ApplyResult:
        """Start a change (apply, destroy, revert) and follow it to its end.

        ``stop_on_interrupt`` (the command line): if this task is cancelled meanwhile
        (Ctrl+C: asyncio.run cancels the command's task), the job is cancelled too, also
        when that comes while it is being started, and followed to its end: its Cancelled
        becomes JobInterrupted; a job that ended before the Cancel reached it is answered
        as usual. Otherwise a cancelled task leaves the job to run (the designer's window
        closing does not stop an apply)."""
        if not stop_on_interrupt:
            return await self.wait_job(await starting, progress)
        started = asyncio.ensure_future(starting)
        try:
            job = await asyncio.shield(started)
        except asyncio.CancelledError:
            job = await started  # asked for by now: stopped, not left to run unseen
            return await self._stop(job, asyncio.ensure_future(self.wait_job(job, progress)))
        waiting = asyncio.ensure_future(self.wait_job(job, progress))
        try:
            return await asyncio.shield(waiting)
        except asyncio.CancelledError:
            return await self._stop(job, waiting)

    async def _stop(self, job: str, waiting: asyncio.Future[ApplyResult]) -> ApplyResult:
        with contextlib.suppress(NetwrightError):  # it may have ended: the wait says how
            await self.cancel(job)
        try:
            return await waiting
        except NetwrightError as failure:
            raise interrupted_failure(failure) from None

    async def _finished(self, job: str, progress: ProgressCallback | None) -> str:
        """A job's result data once it ends; what the engine raised if it failed.

        If the backend stops meanwhile: BackendStoppedError, saying what its recovery left
        once it is back (or that it did not come back; see restart.py).
        """
        topology, operation = self._tracker.subject(job)
        try:
            outcome = await self._tracker.wait(job, progress)
        except BackendStoppedError:
            stopped = stopped_sentence(job, topology, operation)
            raise BackendStoppedError(
                await report_recovery(stopped, topology, operation, self._status_reply)
            ) from None
        if outcome.error:
            raise exception_from_error(outcome.error, outcome.message, outcome.data)
        return outcome.data

    async def apply(self, topology: str, progress: ProgressCallback | None = None, *,
                    confirm: bool = False, confirm_seconds: int | None = None,
                    source_file: str = "", stop_on_interrupt: bool = False) -> ApplyResult:
        return await self._change(
            self.start_apply(topology, confirm=confirm, confirm_seconds=confirm_seconds,
                             source_file=source_file),
            progress, stop_on_interrupt)

    async def destroy(self, name: str, progress: ProgressCallback | None = None, *,
                      stop_on_interrupt: bool = False) -> ApplyResult:
        return await self._change(self.start_destroy(name), progress, stop_on_interrupt)

    async def start_capture(self, name: str, interface: str, output: int, *,
                            count: int | None = None, seconds: float | None = None,
                            packet_filter: str = "") -> str:
        """Start capturing ``interface`` of deployed topology ``name`` into descriptor
        ``output`` (opened by the caller: the backend only writes to it); the job id."""
        options: dict[str, Variant] = {}
        if count is not None:
            options["count"] = _u32(count, f"count {count} is out of range (1 to"
                                    f" {(1 << 32) - 1} packets)")
        if seconds is not None:
            options["seconds"] = Variant("d", float(seconds))
        if packet_filter:
            options["filter"] = Variant("s", packet_filter)
        reply = await self._send_call(Message(
            destination=names.BUS_NAME, path=names.OBJECT_PATH, interface=names.INTERFACE,
            member="Capture", signature="ssha{sv}", body=[name, interface, 0, options],
            unix_fds=[output]))
        return str(_raised(reply).body[0])

    async def wait_capture(self, job: str) -> dict[str, Any]:
        """A capture's end: {"packets", "dropped", "ended"}; what it raised if it failed."""
        result = parse_json(await self._finished(job, None))
        return result if isinstance(result, dict) else {}

    async def cancel(self, job: str) -> None:
        await self._call("Cancel", "s", [job])

    # -- plumbing -----------------------------------------------------------------------

    async def _call(self, member: str, signature: str, body: list[Any]) -> Any:
        bus = self._bus
        try:
            reply = await self._method(member, signature, body)
        except OutdatedBackendError as refusal:
            if not await self._renewed(refusal, bus):
                raise
            reply = await self._method(member, signature, body)
        except (ConnectionClosedError, BackendStoppingError):
            # a lab that is stopping did nothing of the call: made again in a new lab, as
            # one that has gone (the lab stops whatever comes: `netwright lab stop`, idle)
            if not await self._restarted(bus):
                raise
            reply = await self._method(member, signature, body)
        except BackendUnavailableError:
            # the old lab left before it answered: another call refused by it may be moving
            # to a new lab right now (its start takes a while), so wait for that move
            async with self._renewing:
                pass
            if self._bus is bus:
                raise
            reply = await self._method(member, signature, body)
        return reply.body[0] if reply.body else None

    async def _method(self, member: str, signature: str, body: list[Any]) -> Message:
        """The backend's reply to ``member``; the engine's exception for an error. A call
        the stopping system netwrightd refused is made again on the next one if it reads,
        else refused with the command line's sentence (a lab's client moves to a new lab
        instead: ``_call``)."""
        reply = await self._send_call(_backend_call(member, signature, body))
        if not self.lab and reply.error_name == names.ERROR_STOPPING:
            await after_stopping_refusal(member, str(reply.sender))
            reply = await self._send_call(_backend_call(member, signature, body))  # new serial
        return _raised(reply)

    async def _property(self, name: str) -> Any:
        reply = await self._raw(names.BUS_NAME, names.OBJECT_PATH,
                                "org.freedesktop.DBus.Properties", "Get", "ss",
                                [names.INTERFACE, name])
        value = reply.body[0]
        return value.value if isinstance(value, Variant) else value

    async def _raw(self, destination: str, path: str, interface: str, member: str,  # noqa: PLR0917
                   signature: str, body: list[Any]) -> Message:
        return _raised(await self._send_call(Message(
            destination=destination, path=path, interface=interface, member=member,
            signature=signature, body=body)))

    async def _send_call(self, message: Message) -> Message:
        """The reply, or BackendUnavailableError. The call's coroutine is made only inside
        the timeout, never before a check that can raise (``wait_for`` would leave it
        "never awaited" when its task is stepped while the designer's loop is not running)."""
        if not self._bus.connected:
            # dbus-fast queues a call on a closed connection and never answers it: a lab
            # that stopped or died (its bus with it) held the designer's next call for
            # CALL_TIMEOUT_SECONDS
            raise ConnectionClosedError("the connection to the backend closed")
        try:
            async with asyncio.timeout(CALL_TIMEOUT_SECONDS):
                reply = await self._bus.call(message)
        except (OSError, EOFError, TimeoutError) as exc:
            raise BackendUnavailableError(f"lost the connection to the backend: {exc}") from None
        if reply is None:
            raise BackendUnavailableError("the backend did not answer")
        return reply

    async def _status_reply(self, name: str) -> tuple[str, dict[str, Any]]:
        """Status as (error name or "", JSON); BackendUnavailableError while nobody answers."""
        reply = await self._send_call(_backend_call("Status", "s", [name]))
        return status_answer(reply)

    async def _watch_disconnect(self) -> None:
        with contextlib.suppress(Exception):  # a broken connection is a disconnect too
            await self._bus.wait_for_disconnect()  # type: ignore[no-untyped-call]
        self._tracker.fail_all(BackendUnavailableError("the connection to the backend closed"))

    def _on_message(self, msg: Message) -> bool:
        if msg.message_type is not MessageType.SIGNAL:
            return False
        if msg.member == "NameOwnerChanged" and msg.interface == "org.freedesktop.DBus":
            self._on_owner_changed(msg)
            return False
        if msg.interface != names.INTERFACE or msg.sender != self._backend:
            return False
        try:
            if msg.member == "JobStarted":
                job, topology, operation = msg.body
                self._tracker.on_started(job, topology, operation)
            elif msg.member == "JobProgress":
                job, done, total, text = msg.body
                self._tracker.on_progress(job, done, total, text)
            elif msg.member == "JobFinished":
                self._tracker.on_finished(JobOutcome(*msg.body))
            elif msg.member == "StateChanged":
                topology, state = (str(part) for part in msg.body)
                for listener in list(self.state_listeners):
                    listener(topology, state)
        except (TypeError, ValueError):  # a malformed signal is ignored, never fatal
            return False
        return False


    def _on_owner_changed(self, msg: Message) -> None:
        """The backend's name changed owner: signals are believed from the new one only; if
        it lost its owner, its jobs' signals can never come."""
        body = list(msg.body or [])
        if msg.sender != "org.freedesktop.DBus" or len(body) != 3:
            return
        name, old, new = body
        if name == names.BUS_NAME:
            self._backend = str(new) or None
            self._api = None  # the next owner may be another version (upgraded by a restart)
        if name == names.BUS_NAME and old and not new:
            self._tracker.fail_all(BackendStoppedError("the backend (netwrightd) stopped"))
        if name == names.BUS_NAME and new and not old:
            for listener in list(self.restart_listeners):
                listener()


def _measure_options(seconds: float, udp: bool, bitrate: str | None,
                     port: int) -> dict[str, Variant]:
    options = {"seconds": Variant("d", float(seconds)), "udp": Variant("b", udp),
               "port": _u32(port, f"--port {port} is out of range (1–65535)")}
    if bitrate is not None:
        options["bitrate"] = Variant("s", bitrate)
    return options


def _u32(value: int, refusal: str) -> Variant:
    """D-Bus 'u' for ``value``; a number it cannot carry (negative, 2³² or more) is refused
    here in the backend's words (``refusal``), not as dbus-fast's signature error."""
    if not 0 <= value < 1 << 32:
        raise InvalidArgumentsError(refusal)
    return Variant("u", value)


def _check_options(outside: str | None, timeout: float | None, size: int | None = None,
                   source: str | None = None, port: int | None = None) -> dict[str, Variant]:
    """Check's and StartCheck's options, only those given. The backend judges the numbers;
    one that D-Bus 'u' cannot carry is refused here in the backend's words."""
    options: dict[str, Variant] = {}
    if port is not None:
        options["tcp_port"] = _u32(port, f"TCP port {port} is out of range (1–65535)")
    if source is not None:
        options["source"] = Variant("s", source)
    if size is not None:
        options["size"] = _u32(size, f"probe size {size} bytes is out of range (68–65535, or"
                               " 0 for no full-size probes)")
    if outside is not None:
        options["outside"] = Variant("s", outside)
    if timeout is not None:
        options["timeout"] = Variant("d", float(timeout))
    return options


def _backend_call(member: str, signature: str, body: list[Any]) -> Message:
    """A call of ``member`` on the backend's object (a new serial each time it is sent)."""
    return Message(destination=names.BUS_NAME, path=names.OBJECT_PATH,
                   interface=names.INTERFACE, member=member, signature=signature, body=body)


def _raised(reply: Message) -> Message:
    """``reply``, or the exception its error stands for."""
    if reply.message_type is MessageType.ERROR:
        raise error_from_reply(reply)
    return reply
