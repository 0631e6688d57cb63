"""The engine: observe the kernel, plan, apply with rollback, destroy, report status.

Rollback and crash recovery use one mechanism: converge back to the previous deployment
(the state file's topology, or nothing) with a lenient plan. Compared with replaying
inverse steps this also restores what an apply had deleted or changed (an address moved, a
removed interface), and it is idempotent, so a recovery interrupted in turn simply runs
again. Lenient plans only ever touch objects carrying this topology's marker.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from netwright.backend.dhcp import ClientState, DhcpClients
from netwright.backend.dhcp import requests as dhcp_requests
from netwright.backend.engine import capabilities, ops, qdisc, trial
from netwright.backend.engine.adopt import refuse_release
from netwright.backend.engine.changing import merged, running_change
from netwright.backend.engine.desired import Desired, desired_state, forwarding_sysctls
from netwright.backend.engine.execute import CancelRequested, Fault, StepFailed, execute
from netwright.backend.engine.existing import missing_existing, refusal
from netwright.backend.engine.foreign import ForeignLink, foreign_links
from netwright.backend.engine.journal import Journal, read_header
from netwright.backend.engine.nft_capabilities import require_table_features
from netwright.backend.engine.planner import make_plan
from netwright.backend.engine.results import Deployment
from netwright.backend.engine.store import Store, topology_json
from netwright.backend.engine.tables import Owned
from netwright.backend.engine.takeover import runtime_takeover
from netwright.backend.engine.target import Target
from netwright.backend.engine.translate import explain
from netwright.backend.kernel import netns
from netwright.backend.kernel.descriptors import allow_open_files
from netwright.backend.kernel.netns import Where
from netwright.backend.kernel.open_files import open_files_for
from netwright.backend.kernel.session import Kernel
from netwright.backend.nm.engine_part import NetworkManagerPart, as_steps, runtime_only
from netwright.backend.nm.errors import ConfirmationRequired, PersistUnsupported
from netwright.backend.nm.kernel import default_route_devices
from netwright.backend.nm.persist import PersistPlan
from netwright.backend.nm.profiles import persistent_keys
from netwright.backend.nm.transaction import DEFAULT_ROLLBACK_TIMEOUT
from netwright.backend.observe.state import Interest, LinkState, observe
from netwright.backend.observe.sysctls import read_sysctl
from netwright.backend.outcomes.change import Change
from netwright.backend.outcomes.errors import (
    ApplyFailed,
    BusyError,
    Cancelled,
    ConfirmationExpired,
    ConflictError,
    HostMismatch,
    NotDeployed,
    NothingToConfirm,
    NotRootError,
)
from netwright.backend.outcomes.provenance import Provenance
from netwright.backend.outcomes.results import (
    ApplyResult,
    ObjectStatus,
    Plan,
    Status,
    Step,
    trial_end_pending,
    undone_words,
)
from netwright.backend.outcomes.target_words import target_words
from netwright.backend.outcomes.trial_over import TrialOver
from netwright.backend.process_start import start_ticks
from netwright.backend.record import replace
from netwright.backend.topology.model import Topology
from netwright.backend.topology.problems import NetwrightError

DEFAULT_STATE_DIR = Path("/var/lib/netwright")
SETTLE_SECONDS = 5.0
LEASE_WAIT_SECONDS = 5.0  # an apply waits this long for DHCP leases (the lab answers in ms)
NAMED_DEPLOYMENTS = 5  # deployments a "not deployed" sentence names; the rest are counted

Progress = Callable[[int, int, str], None]
"""progress(done, total, text): called after each batch of steps."""


def default_state_dir() -> Path:
    """``$NETWRIGHT_STATE_DIR`` if set, else /var/lib/netwright."""
    return Path(os.environ.get("NETWRIGHT_STATE_DIR") or DEFAULT_STATE_DIR)


def require_root() -> None:
    if os.geteuid() != 0:
        raise NotRootError(
            "the engine needs root (it reads and changes the kernel's network and the"
            " deployments' records), which --local runs in this command: drop --local so"
            " that netwrightd (or your lab, with --lab) runs it, or run this command as root"
            " (sudo)")


class _DesiredStates:
    """The desired state of a topology object, kept for the whole process: netwrightd makes
    a new Engine for every call, and the store hands every Engine the same validated
    topology object for the same state file (``store.load``), so its desired state (every
    address parsed, every route and table built: 8 ms for 100 namespaces) is worked out once."""

    KEEP = 16

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_object: OrderedDict[tuple[int, Target], tuple[Topology, Desired]] = OrderedDict()

    def of(self, topology: Topology, target: Target) -> Desired:
        key = (id(topology), target)
        with self.lock:
            cached = self.by_object.get(key)
        if cached is None or cached[0] is not topology:  # an id is reused once freed
            cached = (topology, runtime_only(desired_state(topology, target), topology))
            with self.lock:
                self.by_object[key] = cached
                self.by_object.move_to_end(key)
                while len(self.by_object) > self.KEEP:
                    self.by_object.popitem(last=False)
        return cached[1]


_DESIRED = _DesiredStates()


class Engine:
    """Applies topologies to one target, recording ownership under ``state_dir``.

    ``fault`` is a test hook: ``fault(index, step)`` runs before step ``index``; raising
    fails that step (steps then run one per batch). ``trial_ended`` is told of each trial this
    engine ends undone, once, when it is written down: whatever call ended it (a revert, a
    confirm that came too late, any call that found the window over), so that netwrightd
    says so exactly once (StateChanged "restored").
    """

    def __init__(self, state_dir: Path, target: Target, *, fault: Fault | None = None,
                 trial_ended: Callable[[trial.Ended], None] | None = None) -> None:
        self.state_dir = Path(state_dir)
        self.target = target
        self.store = Store(self.state_dir, target)
        self.fault = fault
        self.trial_ended = trial_ended
        self.dhcp = DhcpClients(self.state_dir, target)
        self._dhcp_reconciled = False
        self._reverting: set[str] = set()
        allow_open_files()  # a descriptor per namespace: see kernel.descriptors

    # -- reading ------------------------------------------------------------------------------

    def _previous(self, name: str) -> Topology | None:
        record = self.store.load(name)
        return record.topology if record else None

    def _wheres(self, *desired: Desired) -> list[Where]:
        out: list[Where] = [self.target.host_netns]
        for d in desired:
            out += sorted(d.wheres(), key=lambda w: w or "")
        return out

    def _desired(self, topology: Topology | None, name: str) -> Desired:
        if topology is None:
            return Desired.empty(name, self.target)
        return _DESIRED.of(topology, self.target)

    def _compute(self, kernel: Kernel, topology: Topology, *, strict: bool = True,
                 conflicts: dict[str, str] | None = None,
                 host_nics: dict[str, LinkState | None] | None = None,
                 foreign: list[ForeignLink] | None = None,
                 host_destroy: list[Step] | None = None,
                 absent: dict[str, str] | None = None) -> list[Step]:
        """The plan from the kernel to ``topology``; ``conflicts``, ``host_nics``,
        ``foreign`` (links in our group that are not ours), ``host_destroy`` (what a
        destroy of the deployment would do on the host itself) and ``absent`` (existing
        objects that are not there: a strict plan refuses them) are filled when given."""
        desired = self._desired(topology, topology.name)
        refuse_release(self._previous(topology.name), topology)
        previous = self._desired(self._previous(topology.name), topology.name)
        desired.labels = {**previous.labels, **desired.labels}
        capabilities.require([s.kind for s in desired.links.values()])
        qdisc.require([s.qdisc.kind for s in desired.links.values() if s.qdisc is not None],
                      {f"{s.name} {s.display}": s.qdisc for s in desired.links.values()
                       if s.qdisc is not None})
        require_table_features(t for tables in desired.tables.values() for t in tables)
        host = self.target.host_netns
        if host is not None and not netns.exists(host):
            raise HostMismatch(
                f"the lab host (namespace {host}) does not exist: build it first"
                " (netwright.backend.lab.build_lab, or 'netwright apply --lab')")
        missing = missing_existing(topology, self.target, kernel)
        if missing and strict:
            raise HostMismatch(refusal(topology, missing))
        if absent is not None:
            absent.update(missing)
        interest = _interest(desired, previous)
        observed = observe(kernel, self._wheres(desired, previous),
                           marker_only=previous.wheres() - desired.wheres(), interest=interest)
        if foreign is not None:
            foreign += foreign_links(desired, observed, interest)
        if host_nics is not None:
            seen = observed.get(self.target.host_netns)
            for nic in topology.host.nics:
                host_nics[nic] = seen.links.get(nic) if seen and seen.exists else None
        owned = self._owned(topology.name, previous)
        if host_destroy is not None:  # the destroy's own plan, of which the host's part
            nothing = self._desired(None, topology.name)
            nothing.labels = previous.labels
            host_destroy += [s for s in make_plan(nothing, observed, kernel, strict=False,
                                                  known=previous.links.values(), conflicts={},
                                                  owned=owned) if s.object == "host"]
        return make_plan(desired, observed, kernel, strict=strict,
                         known=previous.links.values(), conflicts=conflicts, owned=owned)

    def _owned(self, name: str, *others: Desired) -> Owned:
        """Where the topology's tables were, its host origins, other deployments' keys."""
        wanted_elsewhere: set[str] = set()
        for other in self.store.names():
            if other != name and (record := self.store.load(other)) is not None:
                wanted_elsewhere |= set(forwarding_sysctls(record.topology.host.forwarding))
        return Owned(frozenset(w for d in others for w in d.tables),
                     tuple(sorted(self.store.load_origins(name).items())),
                     frozenset(wanted_elsewhere),
                     tuple((w, t) for d in others for w, ts in d.tables.items() for t in ts))

    def _record_origins(self, name: str, desired: Desired) -> None:
        """Before the first change of a host setting, write down its value (fsync'd)."""
        keys = [key for key, _ in desired.host_sysctls]
        if keys:
            self.store.record_origins(name, {
                key: read_sysctl(desired.host_where, key) or "" for key in keys})

    def _settle_origins(self, name: str, goal: Topology | None) -> None:
        """After a successful apply or destroy: forget origins the design no longer holds
        (restored by the plan), and hand over to another deployment an origin whose key it
        still wants (it was not restored, so it is that deployment's to restore)."""
        origins = self.store.load_origins(name)
        wanted = set(forwarding_sysctls(goal.host.forwarding)) if goal else set()
        dropped = set(origins) - wanted
        for other in self.store.names():
            record = self.store.load(other) if other != name else None
            if record is None:
                continue
            theirs = set(forwarding_sysctls(record.topology.host.forwarding)) & dropped
            if theirs:
                self.store.record_origins(other, {k: origins[k] for k in theirs})
        self.store.forget_origins(name, dropped)

    async def plan(self, topology: Topology) -> Plan:
        """The steps ``apply`` would run now (ConflictError/KernelUnsupported up front)."""
        require_root()
        await self.recover()
        self.store.refuse_if_changing(topology.name)
        persist = await self._persist_plan(topology)
        foreign: list[ForeignLink] = []
        previous = self._previous(topology.name) or topology
        namespaces = len(set(previous.namespaces) | set(topology.namespaces))
        try:
            with (open_files_for(topology.name, namespaces, "planning it", divisible=True),
                  Kernel() as kernel):
                steps = self._compute(kernel, topology, foreign=foreign)
        finally:  # an apply that began meanwhile: its half-made links are no conflict
            self.store.refuse_if_changing(topology.name)
        takeover = await self._runtime_takeover(topology, self._previous(topology.name))
        if takeover:  # flagged as the plan dialog and the CLI flag NetworkManager's
            steps = [replace(s, text=f"{s.text} (WARNING: {takeover})") if s.object == "host"
                     else s for s in steps]
        return Plan(topology.name, as_steps(persist) + steps,
                    _dhcp_notes(topology) + [f.sentence for f in foreign])

    async def deployments(self) -> list[str]:
        """Names of the topologies deployed on this target."""
        await self.recover()
        return self.store.names()

    async def applied_times(self) -> dict[str, float]:
        """Each deployed topology and when its last apply was recorded (Unix time)."""
        await self.recover()
        times = {name: self.store.saved_at(name) for name in self.store.names()}
        return {name: when for name, when in times.items() if when is not None}

    async def sources(self) -> dict[str, Provenance | None]:
        """Each deployed topology and where its last apply came from (None: not recorded,
        by a version before sources were)."""
        await self.recover()
        return {name: record.source for name in self.store.names()
                if (record := self.store.load(name)) is not None}

    async def deployment(self, name: str) -> Deployment:
        """Where a deployed topology lives: on-disk namespace and kernel interface names."""
        await self.recover()
        topology = self._previous(name)
        if topology is None:
            raise self._not_deployed(name)
        namespaces = {key: self.target.netns_name(key) or "" for key in topology.namespaces}
        interfaces = {key: (topology.kernel_name(key), self.target.netns_name(link.namespace))
                      for key, link in topology.interfaces.items()}
        held = self.dhcp.leases(name)
        return Deployment(name, topology, self.target, namespaces, interfaces,
                          {key: lease.address for key, lease in held.items()},
                          {key: lease.default_route for key, lease in held.items()
                           if lease.default_route})

    async def dhcp_clients(self, name: str) -> list[ClientState]:
        """Per ``dhcp`` interface of deployed topology ``name``: its client, lease and last
        event, as the clients recorded them (``netwright dhcp leases``)."""
        await self.recover()
        topology = self._previous(name)
        if topology is None:
            raise self._not_deployed(name)
        return self.dhcp.states(topology)

    async def renew_dhcp(self, name: str) -> int:
        """Ask every DHCP client of deployed topology ``name`` to renew now; how many were
        asked (0 when none runs: apply again to start them)."""
        await self.recover()
        if self._previous(name) is None:
            raise self._not_deployed(name)
        return self.dhcp.renew(name)

    def _target_text(self) -> str:
        return target_words(self.target.kind)

    def _not_deployed(self, name: str, ended: trial.Ended | None = None) -> NotDeployed:
        """"topology NAME is not deployed on …", with what is deployed there, if anything:
        a name mistyped, or a design file's name taken for its topology's
        (``vxlan-overlay`` for ``vxlan``), is then plain at once; and, ``ended``, how its
        trial ended (a first apply that nobody confirmed in time is removed)."""
        text = f"topology {name} is not deployed on {self._target_text()}"
        others = sorted(self.store.names())
        if others:
            shown = ", ".join(others[:NAMED_DEPLOYMENTS])
            if len(others) > NAMED_DEPLOYMENTS:
                shown += f" and {len(others) - NAMED_DEPLOYMENTS} more"
            text += f" (deployed there: {shown})"
        if ended is not None:
            return NotDeployed.about(TrialOver(name, ended.to_json(), head=f"{text}; "))
        return NotDeployed(text)

    async def status(self, name_or_topology: str | Topology, *,
                     changing: Change | None = None) -> Status:
        """Per namespace and interface: present, drifted (with what differs) or missing.

        While an apply or destroy of the topology runs (``changing``: the caller's own
        knowledge of it, netwrightd's job; else its journal says so) the kernel holds it half
        made: the status says who changes it and compares nothing (not drift, not missing),
        also for a first apply, whose topology is not deployed yet."""
        require_root()
        await self.recover()
        # The trial is read before the record and the kernel: a revert running meanwhile (the
        # daemon's trial clock, in another thread) removes the trial file last, so a status
        # that saw the deployment half-destroyed still says it is on trial, never "deployed,
        # not on trial" (which a window would take for "restored" and keep showing).
        name = name_or_topology if isinstance(name_or_topology, str) else name_or_topology.name
        held = self.awaiting_confirmation(name)
        # a revert writes how the trial ended before it removes the trial
        ended = self.ended_trial(name) if held is None else None
        changing = merged(changing, running_change(self.store, name))
        if changing is not None:
            return self._changing_status(name, held, changing)
        if isinstance(name_or_topology, str):
            topology = self._previous(name_or_topology)
            if topology is None:
                raise self._not_deployed(name_or_topology, ended)
        else:
            topology = name_or_topology
        record = self.store.load(topology.name)
        deployed = record is not None
        conflicts: dict[str, str] = {}
        nics: dict[str, LinkState | None] = {}
        foreign: list[ForeignLink] = []
        host_destroy: list[Step] = []
        absent: dict[str, str] = {}
        with (open_files_for(name, len(topology.namespaces), "reading its status"),
              Kernel() as kernel):
            steps = self._compute(kernel, topology, strict=False, conflicts=conflicts,
                                  host_nics=nics, foreign=foreign, host_destroy=host_destroy,
                                  absent=absent)
        began = running_change(self.store, name)
        if began is not None:  # it began while the kernel was read: what was read is half made
            return self._changing_status(name, held, began)
        dhcp = [c.to_json() for c in self.dhcp.states(topology)] if deployed else []
        persisted = await self._persist_statuses(topology)
        objects = [persisted.get(o.object, o) if o.what == "interface" else o
                   for o in _object_statuses(topology, steps, conflicts, absent)]
        strangers = [ObjectStatus(f.name, "interface", "foreign", [f.sentence])
                     for f in foreign]
        return Status(topology.name, deployed,
                      [*objects, *_nic_statuses(topology, nics), *strangers],
                      dhcp, held.to_json() if held is not None else None,
                      record.source if record is not None else None, host_destroy,
                      trial_ended=ended.to_json() if ended is not None else None)

    def _changing_status(self, name: str, held: trial.Trial | None, changing: Change) -> Status:
        """The status of a topology that an apply or destroy changes right now: whose change
        it is, and the deployment's record (what it was before), nothing read from the kernel."""
        record = self.store.load(name)
        return Status(name, record is not None, [], [],
                      held.to_json() if held is not None else None,
                      record.source if record is not None else None, [], changing)

    async def _persist_statuses(self, topology: Topology) -> dict[str, ObjectStatus]:
        """The persistent objects as NetworkManager keeps them (the kernel part leaves them
        out: they are NetworkManager's to create)."""
        if not persistent_keys(topology):
            return {}
        part = await NetworkManagerPart.open(self.target.host_netns)
        try:
            found = await part.statuses(topology)
        finally:
            part.close()
        return {s.key: ObjectStatus(s.key, "interface", s.state, list(s.differences))
                for s in found}

    # -- changing -----------------------------------------------------------------------------

    async def _runtime_takeover(self, topology: Topology,
                                previous: Topology | None) -> str | None:
        """The confirmation a change of the host's own rules or forwarding needs (takeover)."""
        if topology.host == (previous.host if previous else None) or not (
                topology.host.forwarding or topology.host.nat or topology.host.firewall
                or (previous and (previous.host.forwarding or previous.host.nat
                                  or previous.host.firewall))):
            return None
        uplinks = await asyncio.to_thread(default_route_devices, self.target.host_netns)
        return runtime_takeover(topology, previous, uplinks)

    async def _persist_plan(self, topology: Topology) -> PersistPlan:
        """NetworkManager's part of a plan (its refusals raise before anything changes)."""
        part = await NetworkManagerPart.open(self.target.host_netns)
        try:
            # the lab itself, which never runs NetworkManager; another namespace playing the
            # host (NetworkManager's test harness) may run one, or have it stopped
            return await part.plan(topology, lab=self.target == Target.lab())
        finally:
            part.close()

    async def apply(self, topology: Topology, *, progress: Progress | None = None,
                    cancel: asyncio.Event | None = None, confirm: bool = False,
                    confirm_seconds: int = trial.DEFAULT_SECONDS,
                    source: Provenance | None = None) -> ApplyResult:
        """Make the kernel match ``topology``; on failure roll back and raise ApplyFailed.

        ``source`` (the file, user, host and time of this apply) is recorded with the
        deployment, for Status and List to say whose it is.

        Persistent host objects go through NetworkManager first (netwright.backend.nm), in a
        transaction undone with the engine's own part if either fails. ``confirm`` allows a
        change to the device of the host's default route (else ConfirmationRequired); such
        a change is then only on trial: the result's ``awaiting_confirmation`` says until
        when ``confirm_deployment`` must be called, else the previous deployment comes back.
        """
        require_root()
        seconds = trial.checked_seconds(confirm_seconds)
        await self.recover()
        with self.store.lock(topology.name):  # around NetworkManager's part too
            held = self.awaiting_confirmation(topology.name)
            if held is not None:
                raise BusyError(
                    f"the last apply of {topology.name} awaits confirmation"
                    f" ({held.seconds_left():.0f} s left): keep it (netwright confirm"
                    f" {topology.name}) or restore the previous configuration (netwright"
                    f" revert {topology.name}) before applying again")
            result = await self._apply(topology, progress=progress, cancel=cancel,
                                       confirm=confirm, confirm_seconds=seconds, source=source)
            # what is deployed now is this apply's: an earlier trial's end is history
            self.store.ended_path(topology.name).unlink(missing_ok=True)
            return result

    async def _apply(self, topology: Topology, *, progress: Progress | None = None,
                     cancel: asyncio.Event | None = None, confirm: bool = False,
                     confirm_seconds: int | None = None,
                     source: Provenance | None = None) -> ApplyResult:
        """``apply`` without the trial check; ``confirm_seconds`` None: never hold a trial
        (restoring the previous deployment is itself what the user asked for)."""
        started = time.monotonic()
        before = self.store.load(topology.name)
        previous = before.topology if before is not None else None
        held: trial.Trial | None = None
        part = await NetworkManagerPart.open(self.target.host_netns)
        try:
            persist = await part.plan(topology)
            takeover = persist.takeover or await self._runtime_takeover(topology, previous)
            if takeover and not confirm:
                raise ConfirmationRequired(takeover)
            on_trial = bool(takeover) and confirm_seconds is not None
            timeout = (confirm_seconds + trial.SAFETY_MARGIN if on_trial and confirm_seconds
                       else DEFAULT_ROLLBACK_TIMEOUT)
            transaction = await part.begin(persist, confirmed=confirm, rollback_timeout=timeout)
            try:
                result = await self._apply_runtime(topology, progress=progress, cancel=cancel,
                                                   source=source)
            except BaseException:
                await transaction.rollback()
                raise
            if on_trial and confirm_seconds:
                held = trial.Trial(topology.name, time.time() + confirm_seconds,
                                   takeover or "", transaction.checkpoint, previous,
                                   before.source if before is not None else None)
                trial.save(self.store.trial_path(topology.name), held)
            else:
                await transaction.commit()
            released = await part.unmanage(part.runtime_host_links(topology))
        finally:
            part.close()
        if released:  # NetworkManager may have deleted their addresses before letting go
            await self._apply_runtime(topology, source=source)
        steps = as_steps(persist) + result.plan.steps
        return ApplyResult(Plan(topology.name, steps, result.plan.notes),
                           time.monotonic() - started,
                           held.to_json() if held is not None else None)

    # -- a change on trial --------------------------------------------------------------------

    def awaiting_confirmation(self, name: str) -> trial.Trial | None:
        """The change of topology ``name`` that awaits confirmation, if any."""
        return trial.load(self.store.trial_path(name))

    async def confirm_deployment(self, name: str) -> None:
        """Keep the change of ``name`` that is on trial.

        Too late (the deadline passed): the previous deployment is restored and
        ``ConfirmationExpired`` says so. In time, the change is kept even when NetworkManager's
        checkpoint is gone: before the deadline only a restart or a stop of NetworkManager
        ends it (its own timer runs past the deadline), and that restores nothing.
        """
        require_root()
        with contextlib.ExitStack() as locked:
            try:
                locked.enter_context(self.store.lock(name))
            except BusyError as busy:  # the backend's clock may be undoing it right now
                raise self._undoing(name) or busy from None
            held = self._trial(name, "confirm")
            kept = not held.expired()
            if kept and held.checkpoint is not None:
                part = await NetworkManagerPart.open(self.target.host_netns)
                try:
                    await part.keep(held.checkpoint)
                finally:
                    part.close()
            if kept:
                self.store.trial_path(name).unlink(missing_ok=True)
                return
            after = max(1, round(time.time() - held.deadline))
            try:
                result = await self.revert(name, how="expired")
            except PersistUnsupported as exc:  # NetworkManager is not running
                raise ConfirmationExpired(
                    f"the confirmation of {name} came too late (the window ended {after} s"
                    f" ago), and NetworkManager is not running here, so"
                    f" {trial_end_pending(held.to_json())}: start NetworkManager and the next"
                    f" netwright command does it") from exc
        # in the words of every other end of a trial (a revert, the window's own end)
        undone = undone_words(name, result.removed, len(result.plan.steps),
                              why=f"confirmed {after} s too late")
        raise ConfirmationExpired(f"{undone}; apply again and confirm within the window")

    def _undoing(self, name: str) -> ConfirmationExpired | None:
        """A confirm that finds ``name`` locked after the end of its trial's window: the
        backend's clock is undoing it (a Keep in the last second, on a clock behind), which
        "being applied or destroyed by another process" did not say."""
        held = self.awaiting_confirmation(name)
        again = "; apply it again and confirm within the window"
        if held is None:  # it is over, the lock not yet released
            over = self.ended_trial(name)
            if over is None or over.how != "expired":
                return None
            return ConfirmationExpired.about(TrialOver(name, over.to_json(), "confirm",
                                                       tail=again))
        if held.expired():
            ended = {**held.to_json(), "at": held.deadline, "how": "expired"}
            return ConfirmationExpired.about(TrialOver(name, ended, "confirm", undoing=True,
                                                       tail=again))
        return None

    async def revert(self, name: str, *, progress: Progress | None = None,
                     how: str = "reverted") -> ApplyResult:
        """Undo the change of ``name`` that is on trial: NetworkManager's devices from the
        checkpoint, then everything else by converging to the previous deployment, or, for
        a first apply, by destroying the topology (the result's ``removed`` says which).
        ``how`` the trial ends, remembered with when for whoever asks later: "reverted",
        or "expired" (its window ended unconfirmed)."""
        require_root()
        with self.store.lock(name):
            held = self._trial(name, "revert")
            self._reverting.add(name)
            try:
                part = await NetworkManagerPart.open(self.target.host_netns)
                try:
                    part.require_for_revert(name, held.previous, self._previous(name))
                    restored = (await part.restore(held.checkpoint)
                                if held.checkpoint is not None else [])
                finally:
                    part.close()
                if held.previous is not None:
                    result = await self._apply(held.previous, progress=progress, confirm=True,
                                               source=held.previous_source)
                else:
                    result = await self.destroy(name, progress=progress)
                result = replace(result, plan=replace(
                    result.plan, steps=[*restored, *result.plan.steps]),
                    removed=held.previous is None)
            finally:
                self._reverting.discard(name)
            # before the trial goes, so a status meanwhile says one or the other
            ended = trial.Ended(name, result.removed, len(result.plan.steps), time.time(), how)
            trial.remember(self.store.ended_path(name), ended)
            self.store.trial_path(name).unlink(missing_ok=True)
        if self.trial_ended is not None:
            self.trial_ended(ended)
        return result

    async def expire_trials(self) -> list[str]:
        """Restore the previous deployment of every trial whose window has ended; their
        names. A revert that fails is left for the next call (its trial file stays)."""
        return [ended.name for ended in await self.end_expired_trials()]

    async def end_expired_trials(self) -> list[trial.Ended]:
        """``expire_trials``, saying of each whether it was restored or removed (a first
        apply) and in how many steps, for a command that says what it did."""
        restored: list[trial.Ended] = []
        for name in self.store.trials():
            held = self.awaiting_confirmation(name)
            if name in self._reverting or (held is not None and not held.expired()):
                continue
            if held is None:  # unreadable: written by a crash before the apply returned
                self.store.trial_path(name).unlink(missing_ok=True)
                continue
            try:
                result = await self.revert(name, how="expired")
            except NetwrightError:
                continue
            restored.append(trial.Ended(name, result.removed, len(result.plan.steps)))
        return restored

    def ended_trial(self, name: str) -> trial.Ended | None:
        """How the last trial of ``name`` ended undone, and when, if that is recent and
        nothing was applied or destroyed since (``trial.recall``)."""
        return trial.recall(self.store.ended_path(name))

    def _trial(self, name: str, command: str) -> trial.Trial:
        """The trial ``command`` (confirm, revert) is about; if it ended already, what ended
        it and when (a confirm after its window: ConfirmationExpired, as one in the window's
        last second), not only that nothing awaits confirmation."""
        held = self.awaiting_confirmation(name)
        ended = self.ended_trial(name) if held is None else None
        if ended is not None:
            if command == "confirm" and ended.how == "expired":
                raise ConfirmationExpired.about(TrialOver(
                    name, ended.to_json(), command,
                    tail="; apply it again and confirm within the window"))
            raise NothingToConfirm.about(TrialOver(name, ended.to_json(), command,
                                                   tail=f"; nothing is left to {command}"))
        if held is None and self.store.load(name) is None:  # a typo in the name, say
            raise NothingToConfirm(f"topology {name} is not deployed on {self._target_text()},"
                                   " so no change of it awaits confirmation")
        if held is None:
            raise NothingToConfirm(f"topology {name} has no change awaiting confirmation on"
                                   f" {self._target_text()}")
        return held

    async def _apply_runtime(self, topology: Topology, *, progress: Progress | None = None,
                             cancel: asyncio.Event | None = None,
                             source: Provenance | None = None) -> ApplyResult:
        """Make the kernel match ``topology``; on failure roll back and raise ApplyFailed.
        ``source`` None keeps the source recorded (an apply that says nothing of its own)."""
        require_root()
        await self.recover()
        started = time.monotonic()
        name = topology.name
        previous_namespaces = set((self._previous(name) or topology).namespaces)
        namespaces = len(previous_namespaces | set(topology.namespaces))
        with (open_files_for(name, namespaces, "applying it", divisible=True),
              self.store.lock(name)):
            record = self.store.load(name)
            previous = record.topology if record else None
            by = source  # this apply's own (a status shows it while the apply runs)
            if source is None and record is not None:
                source = record.source
            foreign: list[ForeignLink] = []
            with Kernel() as kernel:
                steps = self._compute(kernel, topology, foreign=foreign)
                plan = Plan(name, steps, _dhcp_notes(topology) + [f.sentence for f in foreign])
                if not steps:
                    if record is None:
                        self.store.save(topology, uuid.uuid4().hex, source)
                    elif previous != topology or source != record.source:
                        self.store.save(topology, record.generation, source)
                    await self._run_dhcp(topology)
                    return ApplyResult(plan, time.monotonic() - started)
                generation = uuid.uuid4().hex
                self._record_origins(name, self._desired(topology, name))
                # clients this apply drops must not hold a namespace it deletes
                self.dhcp.prepare(name, topology)
                journal = self._begin(name, "apply", generation, previous, topology, by=by)
                try:
                    await execute(kernel, steps, before=_recorder(journal),
                                  progress=progress,
                                  cancelled=(cancel.is_set if cancel else None),
                                  fault=self.fault,
                                  settle=lambda: self._settle(topology, previous))
                except StepFailed as failed:
                    kernel.close()
                    clean, _ran = await self._converge(name, previous, topology,
                                                       journal=journal)
                    journal.finish()
                    if previous is not None:
                        await self._run_dhcp(previous, wait=False)
                    where = _where_text(failed.step, topology, self.target)
                    raise ApplyFailed(
                        failed.step.text, explain(failed.step, failed.outcome.error,
                                                  failed.outcome.message, where),
                        rolled_back=clean) from None
                except CancelRequested:
                    kernel.close()
                    clean, _ran = await self._converge(name, previous, topology,
                                                       journal=journal)
                    journal.finish()
                    if previous is not None:
                        await self._run_dhcp(previous, wait=False)
                    raise Cancelled(
                        f"apply of {name} cancelled; "
                        + ("every change made so far was rolled back" if clean else
                           "the rollback did not complete; run the command again")) from None
                except BaseException:
                    # KeyboardInterrupt, task cancellation: leave the journal; recovery rolls
                    # back at the next start (it may not be safe to do it now)
                    raise
            self.store.save(topology, generation, source)
            self._settle_origins(name, topology)
            journal.finish()
            await self._run_dhcp(topology)
        return ApplyResult(plan, time.monotonic() - started)

    async def _run_dhcp(self, topology: Topology, *, wait: bool = True) -> None:
        """Run exactly the DHCP clients ``topology`` wants (after it is committed), and wait a
        little for their leases so a check right after the apply probes them."""
        if not dhcp_requests(topology) and not self.dhcp.running(topology.name):
            return
        self.dhcp.start(topology)
        if wait:
            await self.dhcp.wait_for_leases(topology, LEASE_WAIT_SECONDS)

    async def destroy(self, name: str | Topology, *, progress: Progress | None = None,
                      cancel: asyncio.Event | None = None,
                      source: Provenance | None = None) -> ApplyResult:
        """Remove exactly what topology ``name`` owns on this target, its NetworkManager
        profiles included (after the runtime part: runtime ports go before their bridge).
        ``source``: who destroys it (user, host, time), for a status to say meanwhile."""
        require_root()
        started = time.monotonic()
        topology_name = name.name if isinstance(name, Topology) else name
        given = name if isinstance(name, Topology) else None
        with self.store.lock(topology_name):  # around NetworkManager's part too
            # an earlier trial's end is history once its name is destroyed (a revert's own
            # destroy of a first apply writes that end afterwards)
            self.store.ended_path(topology_name).unlink(missing_ok=True)
            part = await NetworkManagerPart.open(self.target.host_netns)
            try:
                held = self.awaiting_confirmation(topology_name)
                # destroying ends the trial: nothing is to come back. Not a revert's destroy
                # of a first apply: that removes the trial last, so a status read meanwhile
                # says the trial still runs instead of "deployed, not on trial" (drifted)
                ended_trial = held is not None and topology_name not in self._reverting
                if held is not None and ended_trial:
                    if held.checkpoint is not None:
                        await part.keep(held.checkpoint)
                    self.store.trial_path(topology_name).unlink(missing_ok=True)
                forget = await part.forget(topology_name,
                                           self._previous(topology_name) or given)
                notes: list[str] = []
                try:
                    result = await self._destroy_runtime(name, progress=progress,
                                                         cancel=cancel, source=source)
                    steps, notes = result.plan.steps, result.plan.notes
                except NotDeployed:
                    if forget.empty:
                        raise
                    steps = []  # profiles left by an interrupted apply: still ours to delete
                # destroy is the explicit request to remove these objects, uplink or not
                await (await part.begin(forget, confirmed=True)).commit()
            finally:
                part.close()
        if ended_trial:
            notes = [*notes, trial.ENDED_BY_DESTROY.format(name=topology_name)]
        return ApplyResult(Plan(topology_name, steps + as_steps(forget), notes),
                           time.monotonic() - started)

    async def _destroy_runtime(self, name: str | Topology, *,
                               progress: Progress | None = None,
                               cancel: asyncio.Event | None = None,
                               source: Provenance | None = None) -> ApplyResult:
        """Remove exactly what topology ``name`` owns on this target.

        Given the topology itself instead of its name, destroy also works when the state
        file was lost: whatever still carries the topology's marker is removed.
        """
        require_root()
        await self.recover()
        started = time.monotonic()
        given = name if isinstance(name, Topology) else None
        name = name.name if isinstance(name, Topology) else name
        known = self._previous(name) or given
        namespaces = len(known.namespaces) if known is not None else 0
        with open_files_for(name, namespaces, "destroying it"), self.store.lock(name):
            record = self.store.load(name)
            deployed = record.topology if record else given
            if deployed is None:
                raise self._not_deployed(name)
            if cancel is not None and cancel.is_set():
                raise Cancelled(f"destroy of {name} cancelled before it started")
            generation = record.generation if record else ""
            self.dhcp.stop(name)  # release the leases; no client may keep a namespace alive
            journal = self._begin(name, "destroy", generation, None, deployed, by=source)
            foreign: list[ForeignLink] = []
            try:
                _clean, steps = await self._converge(name, None, deployed,
                                                     progress=progress, journal=journal,
                                                     destroying=True, foreign=foreign)
            except ConflictError:  # refused by the first (strict) plan: nothing was touched
                journal.finish()
                if record is not None:
                    await self._run_dhcp(record.topology, wait=False)
                raise
            self._settle_origins(name, None)
            self.store.remove(name)
            journal.finish()
        left = [f"left {f.sentence}" for f in foreign]
        return ApplyResult(Plan(name, steps, left), time.monotonic() - started)

    def _begin(self, name: str, operation: str, generation: str, goal: Topology | None,
               other: Topology | None, *, by: Provenance | None = None) -> Journal:
        """The operation's journal; besides what recovery needs, who runs it and since when
        (``by``: the apply's source, or who destroys), which a status shows meanwhile."""
        self.store.ensure()
        header = {
            "operation": operation, "topology": name, "generation": generation,
            "goal": topology_json(goal) if goal else None,
            "other": topology_json(other) if other else None, "pid": os.getpid(),
            "pid_started": start_ticks(os.getpid()),
            "started": round(time.time(), 3), "by": by.to_json() if by is not None else None,
        }
        return Journal.begin(self.store.journal_path(name), header)

    async def _converge(self, name: str, goal: Topology | None, other: Topology | None, *,
                        progress: Progress | None = None, journal: Journal | None = None,
                        destroying: bool = False, foreign: list[ForeignLink] | None = None
                        ) -> tuple[bool, list[Step]]:
        """Make the kernel hold exactly ``goal`` (None: nothing) of topology ``name``,
        touching only owned objects. Returns whether it ended clean, and the steps it ran.

        ``journal``: the operation's, which records what this creates and says which
        unmarked links an interrupted create left (``observe.owns``). ``destroying``: the
        first plan is strict, so a destroy that would take an object that is not ours with
        it (an interface moved into our namespace) raises ConflictError before anything is
        touched; the fault hook applies (tests). ``foreign`` receives the links in our
        group that are not ours, as first observed."""
        desired = self._desired(goal, name)
        wider = self._desired(other, name)
        desired.labels = {**wider.labels, **desired.labels}
        ran: list[Step] = []
        owned = self._owned(name, wider)  # state files: nothing in the loop changes them
        for attempt in range(4):
            made = frozenset(journal.creates) if journal else frozenset()
            interest = _interest(desired, wider, half_made=made)
            with Kernel() as kernel:
                observed = observe(kernel, self._wheres(desired, wider),
                                   marker_only=wider.wheres() - desired.wheres(),
                                   interest=interest, links_only=goal is None)
                if foreign is not None and attempt == 0:
                    foreign += foreign_links(desired, observed, interest)
                steps = make_plan(desired, observed, kernel,
                                  strict=destroying and attempt == 0,
                                  known=list(wider.links.values()), half_made=made,
                                  owned=owned)
                if not steps:
                    return True, ran
                if attempt == 3:
                    return False, ran
                ran += steps
                await execute(kernel, steps, progress=progress, keep_going=True,
                              before=_recorder(journal) if journal else None,
                              fault=self.fault if destroying else None,
                              settle=lambda: self._settle(goal, other, name=name))
        return False, ran  # not reached: the last attempt only looks

    async def _settle(self, goal: Topology | None, other: Topology | None, *,
                      name: str | None = None) -> None:
        """Wait until links that vanish with a deleted namespace (veth peers) are gone.

        The kernel frees a namespace asynchronously after its last reference is dropped;
        until then the host end of a veth into it still shows. Waiting here means the next
        command (and every test) sees the final state.
        """
        topology_name = name or (goal.name if goal else other.name if other else "")
        desired = self._desired(goal, topology_name)
        wider = self._desired(other, topology_name)
        with Kernel() as kernel:
            observed = observe(kernel, self._wheres(desired, wider),
                               marker_only=wider.wheres() - desired.wheres(),
                               interest=_interest(desired, wider), links_only=goal is None)
            pending = {(s.op.where, s.op.name) for s in make_plan(
                desired, observed, kernel, strict=False, known=list(wider.links.values()))
                if isinstance(s.op, ops.LinkDelete) and s.object not in desired.links}
        deadline = time.monotonic() + SETTLE_SECONDS
        with Kernel() as kernel:
            while pending and time.monotonic() < deadline:
                for where in {w for w, _ in pending}:
                    names = kernel.socket(where).link_indexes() if kernel.exists(where) else {}
                    pending = {(w, n) for w, n in pending if w != where or n in names}
                if pending:
                    await asyncio.sleep(0.005)

    async def recover(self) -> list[str]:
        """Finish interrupted applies (roll back) and destroys (complete); return their names."""
        finished = [name for name, _operation in await self.finish_interrupted()]
        if not self._dhcp_reconciled:
            self._dhcp_reconciled = True
            self.store.remove_stale_locks()  # once per engine, like the DHCP reconciliation
            self._reconcile_dhcp()
        finished += await self.expire_trials()
        return finished

    async def finish_interrupted(self) -> list[tuple[str, str]]:
        """Roll back every apply and complete every destroy a crash or an interrupt left in
        its journal; (topology, "apply" or "destroy") of each one whose objects it changed
        (an apply interrupted after its commit needs nothing and is not listed), so that
        the command which is its own backend (--local) can say what it did."""
        finished: list[tuple[str, str]] = []
        for name in self.store.journals():
            path = self.store.journal_path(name)
            try:
                with self.store.lock(name):
                    if not path.exists():
                        continue
                    header = read_header(path)
                    record = self.store.load(name)
                    if header is None:
                        path.unlink(missing_ok=True)
                        continue
                    operation = str(header.get("operation"))
                    committed = (operation == "apply" and record is not None
                                 and record.generation == header.get("generation"))
                    if not committed:
                        require_root()
                        goal = _topology(header.get("goal"))
                        other = _topology(header.get("other"))
                        namespaces = len({*(goal.namespaces if goal else ()),
                                          *(other.namespaces if other else ())})
                        interrupted = "destroy" if operation == "destroy" else "apply"
                        with open_files_for(name, namespaces,
                                            f"recovering its interrupted {interrupted}"):
                            self.dhcp.prepare(name, goal)
                            journal = Journal.resume(path)
                            try:
                                await self._converge(name, goal, other, journal=journal)
                            except BaseException:
                                journal.close()
                                raise
                        if operation == "destroy":
                            self.store.remove(name)
                        journal.finish()
                        finished.append((name, operation))
                    path.unlink(missing_ok=True)
            except BusyError:  # another process holds the lock: it is running, not interrupted
                continue
        return finished

    def _reconcile_dhcp(self) -> None:
        """Once per engine (a backend start): stop the DHCP clients no deployment wants
        (orphans of an apply killed before it committed, or of a lost state file), and start
        the missing clients of deployed topologies (a client killed while no backend ran)."""
        if not self.dhcp.dir.exists():
            return
        deployed = {name: record.topology for name in self.store.names()
                    if (record := self.store.load(name)) is not None}
        self.dhcp.stop_orphans(deployed)
        for name, topology in deployed.items():
            if not dhcp_requests(topology):
                continue
            try:
                with self.store.lock(name):
                    self.dhcp.start(topology)
            except BusyError:  # being applied or destroyed right now: that process decides
                continue


def _recorder(journal: Journal) -> Callable[[list[Step]], None]:
    """The journal's ``before`` hook: a batch's intent and the links it creates (both ends of
    a veth pair), durable before the batch runs."""
    def record(batch: list[Step]) -> None:
        creates = [(end.where, end.name) for step in batch
                   if isinstance(step.op, ops.LinkCreate)
                   for end in (step.op.spec, step.op.peer) if end is not None]
        journal.intent([s.text for s in batch], creates)

    return record


def _interest(*states: Desired, half_made: frozenset[tuple[Where, str]] = frozenset()
              ) -> Interest:
    """The links worth decoding: the topology's own, and every name it refers to."""
    names: dict[Where, set[str]] = {}
    for state in states:
        for spec in state.links.values():
            names.setdefault(spec.where, set()).add(spec.name)
            if spec.parent:
                names.setdefault(spec.parent_where, set()).add(spec.parent)
            if spec.master:
                names.setdefault(spec.where, set()).add(spec.master)
        for nic in state.host_nics:
            names.setdefault(state.host_where, set()).add(nic)
    name = states[0].name
    return Interest(name, ops.link_group(name), names, half_made)


def _topology(data: object) -> Topology | None:
    return Topology.model_validate(data) if isinstance(data, dict) else None


def _dhcp_notes(topology: Topology) -> list[str]:
    """What the plan says about DHCP: which client-id each interface will send, and why."""
    return [request.describe() for request in dhcp_requests(topology)]


def _where_text(step: Step, topology: Topology, target: Target) -> str:
    where = getattr(step.op, "where", None)
    if where == target.host_netns:
        return "the host"
    for key in topology.namespaces:
        if target.netns_name(key) == where:
            return f"namespace {key}"
    return str(where)


def _object_statuses(topology: Topology, steps: list[Step], conflicts: dict[str, str],
                     absent: dict[str, str]) -> list[ObjectStatus]:
    """Each object's status; an existing one that is not there (``absent``) is missing, with
    the sentence saying it (the plan leaves existing objects out, so no step would)."""
    by_object: dict[str, list[Step]] = {}
    for step in steps:
        by_object.setdefault(step.object, []).append(step)
    missing: set[str] = set()
    for step in steps:
        if isinstance(step.op, ops.NetnsCreate):
            missing.add(step.object)
        if isinstance(step.op, ops.LinkCreate) and step.op.spec is not None:
            missing.add(step.op.spec.key)
            if step.op.peer is not None:
                missing.add(step.op.peer.key)
    out: list[ObjectStatus] = []
    for what, keys in (("namespace", topology.namespaces), ("interface", topology.interfaces)):
        for key in keys:
            out.append(ObjectStatus(key, what, "missing", [absent[key]])  # type: ignore[arg-type]
                       if key in absent else _one(key, what, missing, by_object, conflicts))
    label = _host_label(topology)
    if label or "host" in by_object or "host" in conflicts:  # or what an earlier apply left
        out.append(_one("host", "host", missing, by_object, conflicts,
                        label=label or "the host's settings from an earlier apply"))
    return out


def _host_label(topology: Topology) -> str:
    """What the design owns on the host itself, as Status names it ("the host's port
    firewall table"; "" when nothing): its forwarding, NAT and firewall rules (one table),
    the bridge-port firewall table (another)."""
    host = topology.host
    held = [words for words, there in (
        ("forwarding", host.forwarding is not None), ("NAT rules", bool(host.nat)),
        ("firewall rules", host.firewall is not None),
        ("port firewall table", _host_port_rules(topology))) if there]
    if not held:
        return ""
    listed = ", ".join(held[:-1]) + " and " + held[-1] if len(held) > 1 else held[0]
    return f"the host's {listed}"


def _host_port_rules(topology: Topology) -> bool:
    """Whether the host holds the topology's bridge-port rules (a table of its own there,
    as present in status as when it drifts)."""
    return any(link.namespace is None and getattr(link, "port_firewall", None) is not None
               for link in topology.interfaces.values())


def _nic_statuses(topology: Topology, nics: dict[str, LinkState | None]) -> list[ObjectStatus]:
    """The host NICs the topology builds on: there and up, down, or absent."""
    out: list[ObjectStatus] = []
    for name in topology.host.nics:
        link = nics.get(name)
        users = [k for k, v in topology.interfaces.items()
                 if getattr(v, "parent", None) == name or getattr(v, "dev", None) == name]
        if link is None:
            out.append(ObjectStatus(name, "host-nic", "missing", [
                f"host NIC {name} does not exist" + (f"; {', '.join(users)} need it"
                                                      if users else "")]))
        elif not link.up:
            out.append(ObjectStatus(name, "host-nic", "drifted", [
                f"host NIC {name} is down" + (f": {', '.join(users)} have no carrier"
                                              if users else "")]))
        else:
            out.append(ObjectStatus(name, "host-nic", "present"))
    return out


def _one(key: str, what: str, missing: set[str], by_object: dict[str, list[Step]],
         conflicts: dict[str, str], *, label: str = "") -> ObjectStatus:
    if key in conflicts:
        return ObjectStatus(key, what, "drifted", [conflicts[key]], label)  # type: ignore[arg-type]
    if key in missing:
        return ObjectStatus(key, what, "missing", [], label)  # type: ignore[arg-type]
    differences = [s.text for s in by_object.get(key, [])]
    state = "drifted" if differences else "present"
    return ObjectStatus(key, what, state, differences, label)  # type: ignore[arg-type]
