"""The exported object: io.netwright.Backend1 at /io/netwright/Backend1.

One method per capability, each in the fixed shape (see calls.exported): polkit first, then
arguments decoded through the topology contract, then the engine, errors by name. Mutating
methods (Apply, Destroy) answer at once with a job id; the job reports JobProgress and ends
with JobFinished (signals sent to the caller only), and can be cancelled by its owner.
packaging/dbus/io.netwright.Backend1.xml is the documented contract and a test compares it
with what this class exports.
"""

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, cast

from dbus_fast.annotations import DBusBool, DBusDict, DBusSignature, DBusStr
from dbus_fast.constants import PropertyAccess
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property, dbus_signal

from netwright.backend.engine import ApplyResult, Engine, capabilities, nft_capabilities, qdisc
from netwright.backend.engine.desired import KIND_MODULES
from netwright.backend.engine.trial import DEFAULT_SECONDS, checked_seconds
from netwright.backend.outcomes.change import Change
from netwright.backend.outcomes.errors import ConfirmWindowError
from netwright.backend.outcomes.provenance import (
    Provenance,
    applied_now,
    checked_file,
    user_name,
)
from netwright.backend.record import replace
from netwright.backend.service import apply_needs, names
from netwright.backend.service.adopt_calls import AdoptCalls
from netwright.backend.service.authority import Authority
from netwright.backend.service.caller_watch import CallerWatch
from netwright.backend.service.callers import ROOT_UID, Callers
from netwright.backend.service.calls import (
    CALLER,
    check_size,
    decode_name,
    decode_options,
    exported,
)
from netwright.backend.service.capture_calls import CaptureCalls
from netwright.backend.service.checking import CHECK_OPTIONS, check_options
from netwright.backend.service.dhcp_calls import DhcpCalls
from netwright.backend.service.errors import InvalidArgumentsError, NotAuthorizedError
from netwright.backend.service.incidents import incident
from netwright.backend.service.jobs import Job, Jobs, Operation, Owner, outcome
from netwright.backend.service.measure_calls import MeasureCalls
from netwright.backend.service.observe_calls import ObserveCalls
from netwright.backend.service.parsing import TopologyReader
from netwright.backend.service.stopping import Stopping
from netwright.backend.service.trials import TrialWatch
from netwright.backend.service.worker import (
    CancelFlag,
    EngineWorker,
    Progress,
    thread_safe_progress,
)
from netwright.backend.topology import Problem, Topology

DBusStrList = Annotated[list[str], DBusSignature("as")]
JobStartedArgs = Annotated[list[str], DBusSignature("sss")]
JobProgressArgs = Annotated[list[Any], DBusSignature("suus")]
JobFinishedArgs = Annotated[list[str], DBusSignature("ssss")]
StateChangedArgs = Annotated[list[str], DBusSignature("ss")]

CheckRunner = Callable[..., Awaitable[dict[str, Any]]]  # (worker, name, options, cancel, progress)
if TYPE_CHECKING:
    from netwright.backend.lab import LabPrepared

Prepare = Callable[[Topology], Awaitable["LabPrepared"]]
"""A lab's hook: give the emulated host a topology's NICs; the answer has the plan's notes
on that and takes the NICs back."""


class Backend1(DhcpCalls, ObserveCalls, AdoptCalls, MeasureCalls, CaptureCalls,
               ServiceInterface):
    """Translates D-Bus calls into engine calls; holds no network logic of its own."""

    def __init__(
        self,
        worker: EngineWorker,
        authority: Authority,
        callers: Callers,
        *,
        mode: str,
        extra_facts: Callable[[], Awaitable[dict[str, Any]]] | None = None,
        check_runner: CheckRunner | None = None,
        prepare: Prepare | None = None,
    ) -> None:
        super().__init__(names.INTERFACE)
        self.worker = worker
        self.authority = authority
        self.callers = callers
        self.reader = TopologyReader()
        self.stopping = Stopping(on_begin=lambda: self.emit_properties_changed(
            {"Stopping": True}))
        self.jobs = Jobs(self, lambda name, cancel: CallerWatch.start(callers.bus, name, cancel),
                         self.stopping)
        # every end of a trial, by any call (its clock, a Revert, a late Confirm, a Status
        # past the deadline), is said once, by the engine call that ended it
        worker.tell_trial_ends(lambda ended: self.state_changed(ended.name, "restored"))
        self.trials = TrialWatch(worker)
        self._mode = mode
        self._extra_facts = extra_facts
        self._check_runner = check_runner
        self._prepare = prepare

    # -- properties ---------------------------------------------------------------------

    @dbus_property(access=PropertyAccess.READ, name="Version")
    def version(self) -> DBusStr:
        return names.API_VERSION

    @dbus_property(access=PropertyAccess.READ, name="Mode")
    def mode(self) -> DBusStr:
        return self._mode

    @dbus_property(access=PropertyAccess.READ, name="Target")
    def target(self) -> DBusStr:
        """The host this backend manages ("host" or "lab", API 1.18): a system netwrightd
        may manage the lab host (``--target lab``), so Mode does not say it."""
        return self.worker.target.kind

    @dbus_property(access=PropertyAccess.READ, name="Stopping")
    def stopping_now(self) -> DBusBool:
        """True once this netwrightd has begun to stop (API 1.20): it then answers only
        reads and Cancel, and exits once its jobs have ended. Its List still answers, so
        without this a client (``netwright lab start``) took a stopping lab for a running
        one."""
        return self.stopping.begun

    # -- reading ------------------------------------------------------------------------

    @dbus_method(name="Inspect")
    @exported(names.ACTION_INSPECT)
    async def inspect(self) -> DBusStr:
        facts = await self._host_facts()
        facts["mode"] = self._mode
        facts["deployments"] = await self.worker.with_engine(lambda e: e.deployments())
        facts["kinds"] = await self.worker.with_engine(_link_kinds)
        facts["features"] = await self.worker.with_engine(_kernel_features)
        if self._extra_facts is not None:
            facts.update(await self._extra_facts())
        return json.dumps(facts)

    @dbus_method(name="Validate")
    @exported(names.ACTION_INSPECT)
    async def validate(self, topology: DBusStr) -> DBusStr:
        check_size(topology)
        problems = await self.reader.validate(await self._uid(), topology)
        return json.dumps({"problems": problems})

    @dbus_method(name="Plan")
    @exported(names.ACTION_INSPECT)
    async def plan(self, topology: DBusStr, options: DBusDict) -> DBusStr:
        decode_options(options, {})
        model, warnings = await self._read_topology(topology)
        async with self._prepared(model) as lab_notes:
            plan = await self.worker.with_engine(lambda e: e.plan(model))
        plan = replace(plan, notes=[*plan.notes, *lab_notes])
        if self._mode != "lab":  # a lab asks nobody: it is its user's own
            needs = await apply_needs.needs_now(self.worker, model)
            plan = replace(plan, notes=[*plan.notes, *(f"{n.sentence(model.name)}."
                                                       for n in needs)],
                           needs=[n.action for n in needs])
        return json.dumps(plan.with_warnings(warnings).to_json())

    @dbus_method(name="Status")
    @exported(names.ACTION_INSPECT)
    async def status(self, name: DBusStr) -> DBusStr:
        topology = decode_name(name)
        job = self.jobs.change_of(topology)
        changing = None if job is None else Change(
            job.operation, job.id, user_name(job.owner.uid), job.started, os.getpid())
        status = await self.worker.with_engine(lambda e: e.status(topology, changing=changing))
        return json.dumps(status.to_json())

    @dbus_method(name="List")
    @exported(names.ACTION_INSPECT)
    async def list_deployments(self) -> DBusStrList:
        return list(await self.worker.with_engine(lambda e: e.deployments()))

    @dbus_method(name="Deployments")
    @exported(names.ACTION_INSPECT)
    async def deployments_applied(self) -> DBusStr:
        """List with the time and source of each deployment's last apply (``netwright list``,
        ``lab status``); a deployment recorded without a source has none."""
        times, sources = await self.worker.with_engine(_times_and_sources)
        entries = []
        for name, when in sorted(times.items()):
            entry: dict[str, Any] = {"name": name, "applied": when}
            if (source := sources.get(name)) is not None:
                entry["source"] = source.to_json()
            entries.append(entry)
        return json.dumps(entries)

    @dbus_method(name="Check")
    @exported(names.ACTION_CHECK)
    async def check(self, name: DBusStr, options: DBusDict) -> DBusStr:
        values = decode_options(options, CHECK_OPTIONS)
        topology = decode_name(name)
        job = await self._start_check(topology, values, quiet=True)
        return json.dumps(await outcome(job))

    @dbus_method(name="StartCheck")
    @exported(names.ACTION_CHECK)
    async def start_check(self, name: DBusStr, options: DBusDict) -> DBusStr:
        """Check as a job: JobProgress while probing, the report in JobFinished's data."""
        values = decode_options(options, CHECK_OPTIONS)
        topology = decode_name(name)
        return (await self._start_check(topology, values, quiet=False)).id

    async def _start_check(self, topology: str, values: dict[str, Any], *, quiet: bool) -> Job:
        """A check of ``topology`` as a job beside its changes (see jobs.py)."""
        runner = self._check_runner
        if runner is None:
            raise InvalidArgumentsError("connectivity checks are not available in this netwrightd")
        options = check_options(self.worker, values)

        async def work(progress: Progress, cancel: CancelFlag) -> dict[str, Any]:
            return await runner(self.worker, topology, options, cancel,
                                thread_safe_progress(progress))

        return self.jobs.start(topology, "check", names.ACTION_CHECK, work,
                               await self._owner(), quiet=quiet)

    # -- changing -----------------------------------------------------------------------

    @dbus_method(name="Apply")
    @exported(names.ACTION_APPLY)
    async def apply(self, topology: DBusStr, options: DBusDict) -> DBusStr:
        values = decode_options(options, APPLY_OPTIONS)
        confirm = bool(values.get("confirm", False))
        seconds = confirm_seconds(values)
        file = source_file(values)
        model, warnings = await self._read_topology(topology)
        source = applied_now(file, user_name(await self._uid()))
        if self._mode != "lab":  # a lab asks nobody: it is its user's own
            await apply_needs.authorize(self.worker, model, self._authorize_again)

        async def work(progress: Progress, cancel: CancelFlag) -> dict[str, object]:
            report = thread_safe_progress(progress)
            async with self._prepared(model) as lab_notes:
                result = await self.worker.with_engine(
                    lambda e: e.apply(model, progress=report, cancel=cast(asyncio.Event, cancel),
                                      confirm=confirm, confirm_seconds=seconds, source=source))
            result = replace(result, plan=replace(result.plan,
                                                  notes=[*result.plan.notes, *lab_notes]))
            self.state_changed(model.name, "deployed")
            if result.awaiting_confirmation is not None:
                self.trials.watch(float(result.awaiting_confirmation["deadline"]))
            return replace(result, plan=result.plan.with_warnings(warnings)).to_json()

        return self.jobs.start(model.name, "apply", names.ACTION_APPLY, work,
                               await self._owner()).id

    @dbus_method(name="Confirm")
    @exported(names.ACTION_APPLY)
    async def confirm(self, name: DBusStr, options: DBusDict) -> None:
        decode_options(options, {})
        topology = decode_name(name)
        # polkit answered after the stop began (it stopped the trial's clock): the trial is
        # left as it is on disk, for the next netwrightd to end at its deadline or keep on
        # this Confirm made again there
        self.stopping.refuse(f"confirming the change of {topology} on trial for uid"
                             f" {await self._uid()}")
        # too late, it raises ConfirmationExpired: its own restore, if it made one, was said
        await self.worker.with_engine(lambda e: e.confirm_deployment(topology))
        self.state_changed(topology, "confirmed")

    @dbus_method(name="Revert")
    @exported(names.ACTION_APPLY)
    async def revert(self, name: DBusStr, options: DBusDict) -> DBusStr:
        decode_options(options, {})
        topology = decode_name(name)
        if self._mode != "lab":  # a lab asks nobody: it is its user's own
            await apply_needs.authorize_revert(self.worker, topology, self._authorize_again)
        return await self._engine_job(  # its StateChanged("restored") is the engine's
            topology, "revert", names.ACTION_APPLY, None,
            lambda e, report, _cancel: e.revert(topology, progress=report))

    @dbus_method(name="Destroy")
    @exported(names.ACTION_DESTROY)
    async def destroy(self, name: DBusStr, options: DBusDict) -> DBusStr:
        decode_options(options, {})
        topology = decode_name(name)
        who = applied_now("", user_name(await self._uid()))  # for a status meanwhile
        return await self._engine_job(
            topology, "destroy", names.ACTION_DESTROY, "destroyed",
            lambda e, report, cancel: e.destroy(topology, progress=report, cancel=cancel,
                                                source=who))

    async def _engine_job(self, topology: str, operation: Operation, action: str,
                          state: str | None,
                          call: Callable[[Engine, Progress, asyncio.Event],
                                         Awaitable[ApplyResult]]) -> str:
        """Start ``call`` on the engine as a job of ``topology``; StateChanged(``state``,
        unless None) and the result's JSON when it succeeds. The job's id is the method's
        answer."""
        async def work(progress: Progress, cancel: CancelFlag) -> dict[str, object]:
            report = thread_safe_progress(progress)
            result = await self.worker.with_engine(
                lambda e: call(e, report, cast(asyncio.Event, cancel)))
            if state is not None:
                self.state_changed(topology, state)
            return result.to_json()

        return self.jobs.start(topology, operation, action, work, await self._owner()).id

    @dbus_method(name="Cancel")
    @exported(lambda self, job, *_: self._cancel_action(job))
    async def cancel(self, job: DBusStr) -> None:
        """Only the job's owner or root may cancel it, under the job's own action."""
        found = self.jobs.get(job)
        caller = await self._owner()
        if caller.uid not in (found.owner.uid, ROOT_UID):
            raise NotAuthorizedError(
                f"not authorized to cancel job {found.id}: another user started it (only"
                " that user or root may cancel it)")
        found.cancel.request(f"cancelled by uid {caller.uid}")

    def _cancel_action(self, job: object) -> str | None:
        """The action a Cancel of ``job`` needs: that of the job (apply for an unknown one,
        as in API 1.0, so a job that is not running tells nothing to those who may not act);
        nothing for the connection that started it. That connection proved the job's action
        then (for a capture, auth_admin: a password every time), the bus never gives its
        unique name to another, and stopping a job grants nothing more: a reader stops, a
        change rolls back to the state before it. Its owner's other connections and root
        are asked as anyone else (polkit's auth_admin_keep spares them a password for
        a few minutes in the same session)."""
        found = self.jobs.find(job) if isinstance(job, str) else None
        if found is None:
            return names.ACTION_APPLY
        return None if found.owner.name == CALLER.get() else found.action

    async def _read_topology(self, text: str) -> tuple[Topology, list[Problem]]:
        """Size first (cheap), then the contract's full validation in a helper process
        (parsing.py): the model and its warnings; TopologyError becomes InvalidTopology."""
        check_size(text)
        return await self.reader.topology(await self._uid(), text)

    async def _uid(self) -> int:
        return await self.callers.uid(CALLER.get())

    async def _owner(self) -> Owner:
        """The caller as the owner of a job it starts."""
        sender = CALLER.get()
        return Owner(sender, await self.callers.uid(sender))

    async def _host_facts(self) -> dict[str, Any]:
        """NICs from NetworkManager when it manages this host, else from the kernel."""
        from netwright.backend.nm.hostfacts import host_facts, system_host_facts

        netns = self.worker.target.host_netns
        if self._mode == "lab":  # no system bus, and no NetworkManager, in a lab
            facts = await host_facts(None, netns=netns)
        else:
            facts = await system_host_facts(netns)
        data: dict[str, Any] = facts.to_json()
        return data

    @contextlib.asynccontextmanager
    async def _prepared(self, model: Topology) -> AsyncIterator[list[str]]:
        """In a lab, make the emulated host have the NICs the topology builds on (the block
        gets the lab's notes on that for the plan); if the plan or apply in the block is
        refused (or fails and rolls back), take them back again: a refused design leaves
        nothing behind, not even a NIC of the lab."""
        if self._prepare is None:
            yield []
            return
        prepared = await self._prepare(model)
        async with prepared.taken_back_on_refusal(lambda exc: incident(
                exc, f"taking back the lab NICs of refused topology {model.name}")):
            yield prepared.notes

    async def _authorize_again(self, action: str) -> None:
        await self.authority.authorize(CALLER.get(), action)

    # -- signals -----------------------------------------------------------------------
    # The job signals are declared here (introspection and the checked-in contract come
    # from these) but never broadcast: the JobListener methods below send them to the job's
    # owner only. StateChanged carries only a name and a state, which List tells anyone.

    @dbus_signal(name="JobStarted")
    def _declare_job_started(self) -> JobStartedArgs:
        raise NotImplementedError("sent to the job's owner by job_started")

    @dbus_signal(name="JobProgress")
    def _declare_job_progress(self) -> JobProgressArgs:
        raise NotImplementedError("sent to the job's owner by job_progress")

    @dbus_signal(name="JobFinished")
    def _declare_job_finished(self) -> JobFinishedArgs:
        raise NotImplementedError("sent to the job's owner by job_finished")

    @dbus_signal(name="StateChanged")
    def state_changed(self, topology: str, state: str) -> StateChangedArgs:
        return [topology, state]

    def job_started(self, job: Job) -> None:
        self.callers.signal(job.owner.name, "JobStarted", "sss",
                            [job.id, job.topology_name, job.operation])

    def job_progress(self, job: Job, done: int, total: int, text: str) -> None:
        self.callers.signal(job.owner.name, "JobProgress", "suus", [job.id, done, total, text])

    def job_finished(self, job: Job, error: str, message: str, data: str) -> None:
        self.callers.signal(job.owner.name, "JobFinished", "ssss", [job.id, error, message, data])


APPLY_OPTIONS = {"confirm": "b", "confirm-seconds": "u", "source-file": "s"}


def source_file(values: dict[str, Any]) -> str:
    """The design file an Apply says it comes from: for display only (Status, List), so it
    is bounded and checked (absolute, no control characters), never opened."""
    try:
        return checked_file(str(values.get("source-file", "")))
    except ValueError as exc:
        raise InvalidArgumentsError(f"option 'source-file': {exc}") from None


def confirm_seconds(values: dict[str, Any]) -> int:
    """The confirmation window an Apply asked for (InvalidArguments when out of bounds)."""
    try:
        return checked_seconds(int(values.get("confirm-seconds", DEFAULT_SECONDS)))
    except ConfirmWindowError as exc:
        raise InvalidArgumentsError(str(exc)) from None


async def _link_kinds(_engine: Engine) -> dict[str, bool]:
    """Which link kinds this backend's kernel can create (probed once, cached): the designer
    shows a kind the kernel lacks as a problem while designing, not when Apply fails."""
    try:
        return capabilities.supported(sorted(KIND_MODULES))
    except Exception:  # a backend that cannot probe (no CAP_SYS_ADMIN) says nothing
        return {}


async def _kernel_features(_engine: Engine) -> dict[str, bool]:
    """What else a design may need of this backend's kernel (probed once, cached): netem and
    tbf for impairment, bridge connection tracking and bridge reject for a port firewall. The
    designer warns while designing; Plan would refuse the same design."""
    try:
        return {**qdisc.supported(["netem", "tbf"]),
                **nft_capabilities.supported(sorted(nft_capabilities.FEATURES))}
    except Exception:  # a backend that cannot probe says nothing
        return {}


async def _times_and_sources(engine: Engine) -> tuple[dict[str, float],
                                                      dict[str, Provenance | None]]:
    """Both halves of Deployments from one engine thread: each engine call costs a thread
    hand-off and an event loop of its own, which a busy machine makes a few ms (issue 23)."""
    return await engine.applied_times(), await engine.sources()

