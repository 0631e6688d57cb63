"""What an Apply needs besides io.netwright.apply, asked before its job starts.

Sites grant apply to people who build virtual networks (polkit/50-netwright-netdev.rules),
but some designs do more than build Netwright's own objects, and each of those needs its own
action as well, so a refusal leaves everything as it was (nothing is planned or changed):

- io.netwright.persist: an interface with ``persist: true`` writes boot-time configuration.
- io.netwright.destroy: a design with a deployment's name and fewer objects deletes what
  it drops (a namespace, an interface, or host settings: those are restored to their value
  from before), so an empty design with that name would otherwise destroy a deployment
  under apply alone (sites may grant apply without destroy). A Revert of a change on
  trial that deletes what the change made (all of a first apply) needs it too.
- io.netwright.host: the design owns the machine's own forwarding, NAT or firewall, or
  gives a link it creates in the host an address whose route takes the host's traffic
  (public, or over a subnet or route the host has, or a DHCP lease: engine/host_wide.py): a
  member of netdev could otherwise turn a laptop into a router that masquerades a
  namespace's traffic onto its Wi-Fi, publish a port on it, or route the host's traffic for
  its LAN or the Internet into a namespace of theirs. Restoring those
  settings (by an apply that drops them, by destroy, or a trial's revert) needs no more than
  the action that does it: it undoes a change somebody allowed to make it made, and returns
  the host to its values from before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from netwright.backend.engine.host_wide import (
    Prefix,
    address_takeovers,
    dropped_settings,
    host_prefixes,
    host_wide,
    needs_host_prefixes,
)
from netwright.backend.kernel.session import Kernel
from netwright.backend.outcomes.target_words import TargetKind, target_words
from netwright.backend.record import record
from netwright.backend.service import names
from netwright.backend.service.errors import NotAuthorizedError
from netwright.backend.service.worker import EngineWorker
from netwright.backend.topology import Topology

#: Objects a refusal names (the rest are counted).
NAMED = 5


@record(frozen=True)
class Need:
    """One more action an apply needs, why (``doing``, after "applying NAME would") and for
    what (``objects``, in words)."""

    action: str
    doing: str
    objects: tuple[str, ...]
    permission: str  # "the permission to …"

    def sentence(self, name: str, doing: str = "applying") -> str:
        """"applying NAME would … (what), which needs … (action) besides apply" (``doing``:
        "reverting" for a Revert)."""
        listed = ", ".join(self.objects[:NAMED])
        if len(self.objects) > NAMED:
            listed += f" and {len(self.objects) - NAMED} more"
        return (f"{doing} {name} would {self.doing} ({listed}), which needs the permission"
                f" to {self.permission} ({self.action}) besides {names.ACTION_APPLY}")

    def refusal(self, name: str, denied: NotAuthorizedError,
                doing: str = "applying") -> NotAuthorizedError:
        """The sentence for an apply (or a revert) of ``name`` refused because polkit said
        ``denied``."""
        return NotAuthorizedError(f"{self.sentence(name, doing)}; nothing was changed:"
                                  f" {denied.reason}", denied.reason)


def dropped(previous: Topology | None, topology: Topology) -> list[str]:
    """What ``previous`` (the deployment as recorded) made and ``topology`` no longer has."""
    if previous is None:
        return []
    gone = [f"namespace {key}" for key, ns in previous.namespaces.items()
            if not ns.existing and key not in topology.namespaces]
    gone += [f"{link.kind} {key}" for key, link in previous.interfaces.items()
             if not link.existing and key not in topology.interfaces]
    return gone + dropped_settings(previous.host, topology.host)


def needs(previous: Topology | None, topology: Topology,
          taken: Iterable[Prefix] = (), target: TargetKind = "host") -> list[Need]:
    """Every action besides apply that applying ``topology`` over ``previous`` needs;
    ``taken``: the subnets and routes the host has now (host_wide.host_prefixes);
    ``target``: the host the daemon manages, which the host action's sentence names."""
    out = []
    if persisted := [f"{link.kind} {key}" for key, link in topology.interfaces.items()
                     if link.persist]:
        out.append(Need(names.ACTION_PERSIST, "make interfaces permanent", tuple(persisted),
                        "make topologies permanent"))
    if gone := dropped(previous, topology):
        out.append(Need(names.ACTION_DESTROY, "delete what it made", tuple(gone), "destroy"))
    if changed := host_wide(topology) + address_takeovers(topology, taken):
        out.append(Need(names.ACTION_HOST, f"change {target_words(target)}'s own forwarding,"
                        " NAT, firewall, routes or NICs", tuple(changed), "do so"))
    return out


def revert_needs(current: Topology | None, previous: Topology | None) -> list[Need]:
    """What a Revert of the change on trial needs besides apply. Reverting applies the
    previous deployment over ``current`` (the change on trial), or for a first apply
    (``previous`` None) destroys it: what that deletes needs io.netwright.destroy, as an
    apply of fewer objects does, or a user granted apply alone could remove another user's
    new deployment in its trial window. (The window's end reverts it without asking: the
    daemon does that, for whoever applied.)"""
    if current is None:
        return []
    restored = previous if previous is not None else Topology.model_validate(
        {"netwright": 1, "name": current.name})
    if gone := dropped(current, restored):
        return [Need(names.ACTION_DESTROY, "delete what its change made", tuple(gone),
                     "destroy")]
    return []


async def needs_now(worker: EngineWorker, topology: Topology) -> list[Need]:
    """``needs`` against the deployment's record (read in an engine thread)."""
    from netwright.backend.engine.store import Store

    async def read() -> list[Need]:
        record = Store(worker.state_dir, worker.target).load(topology.name)
        taken: list[Prefix] = []
        if needs_host_prefixes(topology):
            with Kernel() as kernel:
                taken = host_prefixes(kernel, worker.target.host_netns, topology.name)
        return needs(record.topology if record is not None else None, topology, taken,
                     worker.target.kind)

    return await worker.run(read)


async def authorize(worker: EngineWorker, topology: Topology,
                    ask: Callable[[str], Awaitable[None]]) -> None:
    """Ask ``ask`` for every action besides apply that applying ``topology`` needs;
    NotAuthorizedError names the first refused, what needed it and why."""
    for need in await needs_now(worker, topology):
        try:
            await ask(need.action)
        except NotAuthorizedError as denied:
            raise need.refusal(topology.name, denied) from None


async def authorize_revert(worker: EngineWorker, name: str,
                           ask: Callable[[str], Awaitable[None]]) -> None:
    """Ask ``ask`` for every action besides apply that reverting ``name`` needs
    (``revert_needs``, against its record and its trial, read in an engine thread)."""
    from netwright.backend.engine import trial
    from netwright.backend.engine.store import Store

    async def read() -> list[Need]:
        store = Store(worker.state_dir, worker.target)
        held = trial.load(store.trial_path(name))
        record = store.load(name)
        if held is None or record is None:
            return []  # nothing on trial: the revert itself says so
        return revert_needs(record.topology, held.previous)

    for need in await worker.run(read):
        try:
            await ask(need.action)
        except NotAuthorizedError as denied:
            raise need.refusal(name, denied, "reverting") from None
