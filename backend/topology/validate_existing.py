"""Rules for objects marked ``existing`` (made by someone else, as ``netwright import`` finds
them): Netwright references them and never creates, changes or deletes them.

So an existing object may only lean on other existing objects (or the host's NICs), nothing
Netwright would change may be asked of it, and a new interface cannot yet be placed inside a
namespace Netwright did not create (the engine enters only namespaces it names itself).
"""

from __future__ import annotations

from collections.abc import Iterator

from netwright.backend.topology.model import Topology
from netwright.backend.topology.problems import Problem
from netwright.backend.topology.sentence_names import interface_words

_CHANGES = (("persist", "persist"), ("impairment", "impairment"),
            ("port_firewall", "port-firewall"))
_REFERENCES = ("peer", "master", "parent", "dev")


def existing_problems(t: Topology) -> Iterator[Problem]:
    """Existing objects stay as found; new objects do not go where the engine cannot."""
    for key, link in t.interfaces.items():
        ns = t.namespaces.get(link.namespace) if link.namespace else None
        if not link.existing:
            if ns is not None and ns.existing:
                yield Problem("error", "new-in-existing", ("interfaces", key, "namespace"),
                              f"{interface_words(key)} is new but namespace {link.namespace} is"
                              " existing:"
                              " Netwright places new interfaces only in namespaces it creates;"
                              " connect a veth from one of those instead")
            continue
        for field, label in _CHANGES:
            if getattr(link, field) not in (None, False):
                yield Problem("error", "existing-changed", ("interfaces", key, label),
                              f"{interface_words(key)} is existing, so Netwright never changes"
                              " it: remove"
                              f" {label}, or adopt it first (netwright adopt)")
        for field in _REFERENCES:
            ref = getattr(link, field, None)
            other = t.interfaces.get(ref) if isinstance(ref, str) else None
            if other is not None and not other.existing:
                yield Problem("error", "existing-needs-new", ("interfaces", key, field),
                              f"{interface_words(key)} is existing but its {field} {ref} is new:"
                              " an object made"
                              " by someone else cannot depend on one Netwright creates")
    for key, ns in t.namespaces.items():
        if ns.existing and (ns.forwarding is not None or ns.nat or ns.firewall is not None):
            yield Problem("error", "existing-changed", ("namespaces", key),
                          f"namespace {key} is existing, so Netwright never changes it: remove"
                          " its forwarding, nat and firewall, or adopt it first")
