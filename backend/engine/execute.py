"""Run planned steps: phase by phase, each phase's netlink requests batched per namespace.

The journal callback runs before a batch is sent (intent first, then action), progress after
it; cancellation is checked between batches. With a fault hook (tests) every step is its own
batch, so a fault can be injected at any step index.
"""

from __future__ import annotations

import asyncio
import errno
import threading
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from netwright.backend.engine import ops
from netwright.backend.kernel import netns
from netwright.backend.kernel.netlink import Encodable, Outcome, RtSocket
from netwright.backend.kernel.netns import Where
from netwright.backend.kernel.session import Kernel
from netwright.backend.outcomes.results import Step

BATCH = 512

Fault = Callable[[int, Step], None]
"""fault(index, step): called before step ``index`` runs; raising fails that step."""


@dataclass
class StepFailed(Exception):  # noqa: N818 (internal; the engine turns it into ApplyFailed)
    step: Step
    outcome: Outcome


class CancelRequested(Exception):  # noqa: N818 (internal)
    pass


def _batches(steps: Sequence[Step], size: int) -> list[list[Step]]:
    out: list[list[Step]] = []
    for step in steps:
        if out and out[-1][0].op.phase == step.op.phase and len(out[-1]) < size:
            out[-1].append(step)
        else:
            out.append([step])
    return out


def _origin(op: ops.Op) -> Where:
    return op.origin if isinstance(op, ops.LinkCreate) else op.where


GROUP_DELETE_FROM = 4  # group members; below that, one request each is as fast


class _Background:
    """A group delete running in a helper thread, on a socket of its own, while the
    namespaces of the next phase are deleted: the kernel detaches every bridge port with a
    grace period of its own (~1 ms each), time the unmounting can use."""

    def __init__(self, where: Where, group: int, steps: list[Step]) -> None:
        self.where = where
        self.steps = steps
        self.result = Outcome(errno.EIO, "the group delete did not run")
        self.thread = threading.Thread(target=self._run, args=(group,),
                                       name="netwright-group-delete")
        self.thread.start()

    def _run(self, group: int) -> None:
        try:
            sock = RtSocket(netns.open_socket(self.where))
        except OSError as exc:
            self.result = Outcome(exc.errno or errno.EIO, str(exc))
            return
        try:
            self.result = sock.request_one(ops.group_delete(group))
        except OSError as exc:
            self.result = Outcome(exc.errno or errno.EIO, str(exc))
        finally:
            sock.close()

    def outcomes(self) -> list[tuple[Step, Outcome]]:
        """Wait for it; each step's outcome (its tolerated errors are success)."""
        self.thread.join()
        return [(step, Outcome() if not self.result.ok
                 and self.result.error in step.op.tolerated else self.result)
                for step in self.steps]


def _group_deletes(kernel: Kernel, batch: list[Step], outcomes: dict[int, Outcome],
                   background: list[_Background] | None = None) -> None:
    """Delete the links of one namespace with one group request when that is safe: the
    planner set ``group`` only where none of the topology's links is kept, and every member
    of the group, read from one link dump just before, must carry this topology's marker.
    One that does not (someone else's link put in our group, or one half-created by an
    interrupted apply) means one request per planned link instead.

    The group also holds the veths the plan leaves to go with their peer's namespace: they
    go in the same request, at once, instead of in the kernel's slower clean-up of that
    namespace, which a destroy would then wait for (measured: 0.16 s against 0.21 s for
    ``ip netns del`` of 100 namespaces whose veths are ports of one bridge)."""
    by_group: dict[tuple[Where, int], list[tuple[int, ops.LinkDelete]]] = defaultdict(list)
    for index, step in enumerate(batch):
        if isinstance(step.op, ops.LinkDelete) and step.op.group:
            by_group[(step.op.where, step.op.group)].append((index, step.op))
    for (where, group), items in by_group.items():
        if not kernel.exists(where):
            continue
        sock = kernel.socket(where)
        owner = items[0][1].owner
        members = sock.group_members(group)
        if len(members) < GROUP_DELETE_FROM or not owner or not all(
                alias is not None and alias.startswith(owner) for alias in members.values()):
            continue  # few, or a member is not provably ours: one by one, then
        if background is not None:  # reported when it ends (``execute``)
            background.append(_Background(where, group, [batch[i] for i, _ in items]))
            for index, _op in items:
                outcomes[index] = Outcome()
            continue
        result = sock.request_one(ops.group_delete(group))
        for index, op in items:
            tolerated = not result.ok and result.error in op.tolerated
            outcomes[index] = Outcome() if tolerated else result


PARALLEL = 16  # nftables transactions in flight at once (each waits on the kernel's commit)


def _run_parallel(kernel: Kernel, batch: list[Step], outcomes: dict[int, Outcome]) -> None:
    """Table replacements in different namespaces are independent, and each mostly waits for
    nf_tables' commit (an RCU grace period): run them side by side, not one after another."""
    todo = [(i, s.op) for i, s in enumerate(batch) if isinstance(s.op, ops.PARALLEL_OPS)]
    if len(todo) < 2:
        return
    with ThreadPoolExecutor(max_workers=min(PARALLEL, len(todo))) as pool:
        results = list(pool.map(lambda item: item[1].run(kernel), todo))
    for (index, _op), outcome in zip(todo, results, strict=True):
        outcomes[index] = outcome or Outcome()


def _run_batch(kernel: Kernel, batch: list[Step],
               background: list[_Background] | None = None) -> list[Outcome]:
    outcomes: dict[int, Outcome] = {}
    _group_deletes(kernel, batch, outcomes, background)
    grouped: dict[Where, list[tuple[int, Encodable]]] = defaultdict(list)
    creates = [(i, s.op) for i, s in enumerate(batch) if isinstance(s.op, ops.NetnsCreate)]
    if len(creates) > 1:
        created = kernel.create_many_netns([(op.where or "", op.alias, op.sysctls())
                                            for _, op in creates])
        for index, op in creates:
            outcomes[index] = ops.outcome_of(created.get(op.where or ""))
    _run_parallel(kernel, batch, outcomes)
    for index, step in enumerate(batch):
        op = step.op
        if index in outcomes:
            continue
        if isinstance(op, ops.DIRECT_OPS):
            outcomes[index] = op.run(kernel) or Outcome()
            continue
        try:
            for req in op.requests(kernel):
                grouped[_origin(op)].append((index, req))
        except ops.MissingDevice as missing:
            outcomes[index] = Outcome(errno.ENODEV, f"{missing.name} does not exist")
    for where, pairs in grouped.items():
        results = kernel.socket(where).request([req for _, req in pairs])
        for (index, _), result in zip(pairs, results, strict=True):
            tolerated = not result.ok and result.error in batch[index].op.tolerated
            if index not in outcomes or outcomes[index].ok:
                outcomes[index] = Outcome() if tolerated else result
    follow: dict[Where, list[tuple[int, Encodable]]] = defaultdict(list)
    for index, step in enumerate(batch):
        if outcomes.get(index, Outcome()).ok and not isinstance(step.op, ops.DIRECT_OPS):
            for where, req in step.op.followups(kernel):
                follow[where].append((index, req))
    for where, pairs in follow.items():
        acks = kernel.socket(where).request([req for _, req in pairs])
        for (index, _), result in zip(pairs, acks, strict=True):
            if not result.ok and outcomes[index].ok:
                outcomes[index] = result
    if any(isinstance(s.op, ops.LinkCreate | ops.LinkDelete | ops.NetnsDelete) for s in batch):
        for where in {s.op.where for s in batch} | {_origin(s.op) for s in batch}:
            kernel.invalidate(where)
        for step in batch:
            if isinstance(step.op, ops.LinkCreate) and step.op.peer is not None:
                kernel.invalidate(step.op.peer.where)
    return [outcomes.get(i, Outcome()) for i in range(len(batch))]


async def execute(
    kernel: Kernel,
    steps: Sequence[Step],
    *,
    before: Callable[[list[Step]], None] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    fault: Fault | None = None,
    keep_going: bool = False,
    settle: Callable[[], Awaitable[None]] | None = None,
) -> list[tuple[Step, Outcome]]:
    """Run ``steps``; raise StepFailed at the first failure unless ``keep_going``.

    Returns the failures (only non-empty with ``keep_going``: rollback and recovery do their
    best and report what they could not undo). ``settle`` is awaited once the namespaces to
    delete are deleted, before anything is created: the kernel removes their veth peers
    asynchronously, and a link created meanwhile could inherit their effect (a bridge's MTU).
    """
    pending_settle = settle is not None and any(
        isinstance(s.op, ops.NetnsDelete) for s in steps)
    failures: list[tuple[Step, Outcome]] = []
    done = 0
    total = len(steps)
    batches = _batches(steps, 1 if fault else BATCH)
    running: list[_Background] = []

    def collect() -> None:
        """The group deletes that ran beside the namespace deletes: their outcomes."""
        while running:
            for step, outcome in running.pop().outcomes():
                kernel.invalidate(step.op.where)
                if not outcome.ok:
                    if not keep_going:
                        raise StepFailed(step, outcome)
                    failures.append((step, outcome))

    try:
        for position, batch in enumerate(batches):
            if running and batch[0].op.phase != ops.PHASE_NETNS_DEL:
                collect()
            if pending_settle and settle is not None and batch[0].op.phase > ops.PHASE_NETNS_DEL:
                pending_settle = False
                await settle()
            if cancelled is not None and cancelled():
                raise CancelRequested
            if before is not None:
                before(batch)
            if fault is not None:
                try:
                    fault(done, batch[0])
                except Exception as exc:
                    raise StepFailed(batch[0], Outcome(errno.EIO,
                                                       f"injected fault: {exc}")) from exc
            # a group delete followed by namespace deletes runs beside them (not with the fault
            # hook: its tests count on one step at a time)
            overlap = (fault is None and position + 1 < len(batches)
                       and batches[position + 1][0].op.phase == ops.PHASE_NETNS_DEL)
            outcomes = _run_batch(kernel, batch, running if overlap else None)
            for step, outcome in zip(batch, outcomes, strict=True):
                if not outcome.ok:
                    if not keep_going:
                        raise StepFailed(step, outcome)
                    failures.append((step, outcome))
            for step in batch:
                done += 1  # every step is told, not only a batch's last (a namespace's first)
                if progress is not None:
                    progress(done, total, step.text)
            await asyncio.sleep(0)
        collect()
    finally:
        for background in running:  # an error left one running: it must not outlive us
            background.thread.join()
    if pending_settle and settle is not None:
        await settle()
    return failures
