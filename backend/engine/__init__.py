"""The engine: observe, plan, apply, destroy — owned, transactional, crash-safe, fast.

Public API (everything else in this package is internal)::

    from netwright.backend.engine import Engine, Target, default_state_dir

    engine = Engine(default_state_dir(), Target.host())   # or Target.lab()
    plan = await engine.plan(topology)          # Plan: .steps[i].text/.action/.object
    result = await engine.apply(topology, progress=cb, cancel=event)
    status = await engine.status("seed")        # per object present / drifted / missing,
                                                # or who applies or destroys it right now
    deployment = await engine.deployment("seed")  # real namespace and interface names
    await engine.destroy("seed")
    await engine.deployments()                  # names of deployed topologies
    await engine.recover()                      # finish interrupted journals (also automatic)

``progress(done, total, text)`` is called as batches of steps finish; ``cancel`` is an
``asyncio.Event`` checked between batches: when set, what was done is rolled back and
``Cancelled`` is raised. Every method first finishes interrupted applies/destroys (recover).

Errors: ``ConflictError`` (an unowned object is in the way; nothing was touched),
``KernelUnsupported`` (a link kind is missing; names kind and module), ``BusyError`` (another
apply/destroy of the same topology runs), ``ApplyFailed`` (failing step and the kernel error
as a sentence; rolled back), ``NotRootError``, ``Cancelled``, ``NotDeployed``,
``HostMismatch`` (the topology builds on a host NIC the target lacks, or the lab host is not
built: nothing was touched; a D-Bus mapping to Conflict fits). All subclass
``netwright.backend.topology.problems.NetwrightError``.

Ownership: every interface created carries IFLA_IFALIAS ``netwright:<topology>:<key>``; every
namespace created carries the same marker on its loopback (a namespace has no alias of its
own); ``<state_dir>/<target.key>/<topology>.json`` records what is deployed. Objects without
the marker are never deleted, moved or re-addressed.
"""

from netwright.backend.engine.engine import Engine, Progress, default_state_dir
from netwright.backend.engine.results import Deployment
from netwright.backend.engine.target import Target
from netwright.backend.outcomes.errors import (
    ApplyFailed,
    BusyError,
    Cancelled,
    ConflictError,
    EngineError,
    HostMismatch,
    KernelUnsupported,
    NotDeployed,
    NotRootError,
)
from netwright.backend.outcomes.results import (
    ApplyResult,
    ObjectStatus,
    Plan,
    Status,
    Step,
)

__all__ = [
    "ApplyFailed",
    "ApplyResult",
    "BusyError",
    "Cancelled",
    "ConflictError",
    "Deployment",
    "Engine",
    "EngineError",
    "HostMismatch",
    "KernelUnsupported",
    "NotDeployed",
    "NotRootError",
    "ObjectStatus",
    "Plan",
    "Progress",
    "Status",
    "Step",
    "Target",
    "default_state_dir",
]
