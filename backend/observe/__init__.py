"""The kernel's state, read-only: one layer that the engine, the live host's import and the
checks all read.

``state.observe_ns`` reads one namespace (links with their kind data and owner's marker,
addresses, routes); ``host.observe_host`` reads the live host: every network namespace
(named, or held by a process) and everything in it, joined across namespaces;
``markers`` says which topology owns an object. ``netwright.backend.hostimport`` turns an
observation into a topology file. Nothing here ever writes to the kernel.

The names below are loaded on first use: the engine imports ``state`` alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from netwright.backend.exports import load_export

if TYPE_CHECKING:
    from netwright.backend.observe.host import HostView, ObservedNamespace, observe_host
    from netwright.backend.observe.namespaces import Holder, NetnsFound, find_namespaces

_EXPORTS = {
    "HostView": "host", "ObservedNamespace": "host", "observe_host": "host",
    "Holder": "namespaces", "NetnsFound": "namespaces", "find_namespaces": "namespaces",
}


def __getattr__(name: str) -> Any:
    return load_export(__name__, _EXPORTS, name)


__all__ = ["Holder", "HostView", "NetnsFound", "ObservedNamespace", "find_namespaces",
           "observe_host"]
