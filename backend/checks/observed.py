"""Checks on what exists: the reachability matrix of the live host's namespaces, read-only.

The host is observed (``backend/observe``) and imported as a topology whose objects are all
``existing``; the explainer predicts on that topology exactly as on a design, and the
probes are sent from sockets opened inside the observed namespaces, through the files that
name them (``/run/netns/x`` or ``/proc/<pid>/ns/net``). Nothing is created: no address, no
route, no neighbour entry pinned (the designed check's temporary permanent entries are never
made here), no responder listening. What the kernel makes by itself while packets pass
(dynamic neighbour and conntrack entries) is what any ping would leave.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from netwright.backend.checks.netns import NamespaceGoneError
from netwright.backend.checks.results import CheckResult
from netwright.backend.checks.run import CheckOptions, Progress, run_check
from netwright.backend.topology.model import Topology

if TYPE_CHECKING:
    from netwright.backend.observe.host import ObservedNamespace

#: The name the checked host's topology gets in the report.
HOST_TOPOLOGY = "live-host"

#: How many times a check of the live host observes it again when a namespace it had just
#: observed was deleted before the check opened it (the host changed under the check).
OBSERVE_AGAIN = 2


@dataclass(frozen=True)
class ObservedSubject:
    """What ``run_check`` needs of a subject, for the live host: the imported topology and
    the file that opens each of its namespaces (``files``: key → /run/netns/x or
    /proc/<pid>/ns/net); ``host_netns`` the /run/netns name playing the host (the lab),
    None for the observer's own; ``skipped`` what the import left out (sentences);
    ``loopback_down`` the places (keys, None for the host) whose ``lo`` is down."""

    topology: Topology
    files: dict[str, str]
    host_netns: str | None = None
    skipped: list[str] = field(default_factory=list)
    loopback_down: frozenset[str | None] = frozenset()


def observe_subject(namespaces: list[str] | None = None, process_tree: int | None = None, *,
                    host: str | None = None, hide: frozenset[str] = frozenset(),
                    prefix: str = "") -> ObservedSubject:
    """Observe the host and import it (``namespaces``: only these besides the host; the
    other arguments as in ``observe_host`` and ``host_topology``). Read-only; failures are
    ObserveError sentences (no permission, an unknown namespace)."""
    from netwright.backend.hostimport.to_topology import host_yaml, namespace_keys
    from netwright.backend.observe.host import ObserveError, read_host
    from netwright.backend.topology.document import parse_topology

    view = read_host(process_tree, host, hide)
    try:
        text, skipped = host_yaml(view, HOST_TOPOLOGY, namespaces, prefix=prefix)
    except LookupError as exc:
        raise ObserveError(str(exc.args[0])) from None
    topology = parse_topology(text, "<the live host>")
    keys = {where: key for where, key in namespace_keys(view, prefix).items()
            if key in topology.namespaces}
    down = frozenset(None if ns.is_host else keys[ns.where] for ns in view.namespaces
                     if (ns.is_host or ns.where in keys) and not _loopback_up(ns))
    return ObservedSubject(topology, {key: str(where) for where, key in keys.items()}, host,
                           skipped, down)


def _loopback_up(ns: ObservedNamespace) -> bool:
    lo = ns.state.links.get("lo")
    return lo is None or lo.up


async def check_observed(subject: ObservedSubject, options: CheckOptions | None = None,
                         progress: Progress | None = None) -> CheckResult:
    """Predict and probe every pair of the observed host (see the module's opening).

    The options are the designed check's, made ``observed``: nothing is pinned, and the
    rules of every namespace (a container's own firewall) join the prediction."""
    options = replace(options or CheckOptions(), observed=True)
    result = await run_check(subject, options, progress)
    result.notes.insert(0, "the live host as observed: probes were sent from inside its"
                        " namespaces and nothing was created or changed" if result.probed
                        else "the live host as observed: nothing was probed, created or"
                        " changed")
    result.notes += [f"not checked: {line}" for line in subject.skipped]
    return result



async def check_live_host(observe: Callable[[], ObservedSubject],
                          options: CheckOptions | None = None,
                          progress: Progress | None = None) -> CheckResult:
    """Observe the live host (``observe``: ``observe_subject`` with the caller's arguments)
    and check it. The host is not ours and changes when it likes: a namespace deleted
    between the observation and the check's opening it is no failure of the check. The host
    is observed again and checked as it is then, and the report says which went away; a
    host that keeps changing is told in a sentence after ``OBSERVE_AGAIN`` more looks."""
    gone: list[str] = []
    while True:
        subject = observe()
        try:
            result = await check_observed(subject, options, progress)
        except NamespaceGoneError as exc:  # named by its key, as the report names it
            gone.append(next((key for key, file in subject.files.items()
                              if file == exc.path), exc.path))
            if len(gone) > OBSERVE_AGAIN:
                raise NamespaceGoneError(
                    f"the host's namespaces kept changing while they were checked"
                    f" ({', '.join(gone)} went away each time right after they were"
                    " observed): check again once they stay", exc.path) from None
            continue
        if gone:
            result.notes.insert(1, f"observed the host again: {', '.join(gone)} went away"
                                " during the check")
        return result
