"""Whether the objects a design marks ``existing`` (someone else's) are there.

The engine never creates, changes or deletes an existing object, so its plan leaves it out;
without this a design referencing one that is not there planned "nothing to do" and status
called it present. Reads only (``stat``, /proc, one link dump per namespace), never writes:
an existing namespace is the target's ``/run/netns/<prefix><key>``, else one a process holds
(a container's) under the key ``netwright import`` gives it; an existing interface is its
kernel name in the host or in its existing namespace.
"""

from __future__ import annotations

import os

from netwright.backend.engine.target import Target
from netwright.backend.kernel.netns import RUN_NETNS, Where
from netwright.backend.kernel.session import Kernel
from netwright.backend.observe.namespaces import find_namespaces, unique_keys
from netwright.backend.outcomes.target_words import target_words
from netwright.backend.topology import Topology

#: How many missing objects a refusal names before "and N more".
_NAMED = 5


def _mounted(name: str) -> bool:
    """A namespace is mounted at /run/netns/``name`` (read only: unlike ``netns.exists``, an
    empty placeholder someone else left there is not removed)."""
    try:
        return os.stat(RUN_NETNS / name).st_dev != os.stat(RUN_NETNS).st_dev
    except OSError:
        return False


def existing_namespaces(topology: Topology, target: Target) -> dict[str, Where]:
    """Where each existing namespace of ``topology`` is (a /run/netns name, or the
    ``/proc/PID/ns/net`` of a process holding it); one that is not there is left out."""
    wanted = [key for key, ns in topology.namespaces.items() if ns.existing]
    out: dict[str, Where] = {}
    for key in wanted:
        name = target.netns_name(key)
        if name is not None and _mounted(name):
            out[key] = name
    if len(out) == len(wanted):
        return out  # the /proc scan is needed only for namespaces processes hold
    found = [ns for ns in find_namespaces(host=target.host_netns) if not ns.outside]
    for ns, key in zip(found, unique_keys(found, target.netns_prefix), strict=True):
        if key in wanted and key not in out and ns.name is None:
            out[key] = ns.path
    return out


def missing_existing(topology: Topology, target: Target, kernel: Kernel) -> dict[str, str]:
    """Each existing namespace or interface of ``topology`` that is not there, by key, with
    the sentence that says so and what to do (for an interface in a missing namespace, the
    namespace's sentence says it)."""
    place = target_words(target.kind)
    there = existing_namespaces(topology, target)
    out: dict[str, str] = {}
    for key, ns in topology.namespaces.items():
        if ns.existing and key not in there:
            out[key] = (f"namespace {key} is marked existing but is not there ({place} has no"
                        f" /run/netns/{target.netns_name(key)}, nor a process holding a"
                        f" namespace of that key): create it first, or drop 'existing: true'"
                        " so that Netwright creates it")
    links: dict[Where, dict[str, int]] = {}
    for key, link in topology.interfaces.items():
        if not link.existing:
            continue
        if link.namespace in out:
            out[key] = (f"interface {key} is marked existing in namespace {link.namespace},"
                        " which is not there")
            continue
        where = target.host_netns if link.namespace is None else there.get(link.namespace)
        if where not in links:
            try:
                links[where] = kernel.socket(where).link_indexes()
            except OSError:  # its holder ended a moment ago: nothing in it is there
                links[where] = {}
        name = topology.kernel_name(key)
        if name not in links[where]:
            inside = (f"in {place}" if link.namespace is None
                      else f"in namespace {link.namespace}")
            out[key] = (f"interface {key} is marked existing but is not there (no {name}"
                        f" {inside}): create it first, or drop 'existing: true' so that"
                        " Netwright creates it")
    return out


def refusal(topology: Topology, missing: dict[str, str]) -> str:
    """The plan's refusal: every missing existing object (the first few), nothing changed."""
    said = list(missing.values())
    more = f"; and {len(said) - _NAMED} more" if len(said) > _NAMED else ""
    return (f"{topology.name} references objects someone else made that are not there, so"
            f" nothing was changed: {'; '.join(said[:_NAMED])}{more}")
