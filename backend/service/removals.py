"""An Apply that deletes what a deployment made needs io.netwright.destroy as well.

Sites may grant apply without destroy (a rule for people who build networks but must not tear
down others'). Applying a design with a deployment's name and fewer objects deletes the
objects it drops, so without this an empty design with that name would destroy a deployment
under the apply permission alone. Adding and changing objects needs apply only; an object
the design drops (a namespace or an interface the deployment made) needs destroy too, asked
before the job starts, so a refusal leaves everything as it was.
"""

from __future__ import annotations

from netwright.backend.service import names
from netwright.backend.service.errors import NotAuthorizedError
from netwright.backend.service.worker import EngineWorker
from netwright.backend.topology import Topology

#: Objects a refusal names (the rest are counted).
NAMED = 5


def dropped(previous: Topology | None, topology: Topology) -> list[str]:
    """What ``previous`` (the deployment as recorded) made and ``topology`` no longer has."""
    if previous is None:
        return []
    gone = [f"namespace {key}" for key, ns in previous.namespaces.items()
            if not ns.existing and key not in topology.namespaces]
    gone += [f"{link.kind} {key}" for key, link in previous.interfaces.items()
             if not link.existing and key not in topology.interfaces]
    return gone


async def dropped_by(worker: EngineWorker, topology: Topology) -> list[str]:
    """``dropped`` against the deployment's record (read in an engine thread)."""
    from netwright.backend.engine.store import Store

    async def read() -> list[str]:
        record = Store(worker.state_dir, worker.target).load(topology.name)
        return dropped(record.topology if record is not None else None, topology)

    return await worker.run(read)


def refusal(name: str, gone: list[str], denied: NotAuthorizedError) -> NotAuthorizedError:
    """The sentence for an apply refused because it deletes ``gone``."""
    listed = ", ".join(gone[:NAMED]) + (f" and {len(gone) - NAMED} more" if len(gone) > NAMED
                                        else "")
    return NotAuthorizedError(
        f"applying {name} would delete what it made ({listed}), which needs the permission to"
        f" destroy ({names.ACTION_DESTROY}): {denied}")
