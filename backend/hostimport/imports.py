"""The live host's import in this process: observe, convert, explain failures in words.

Shared by ``netwright import --local`` and netwrightd's ``ImportHost`` call, so both write the
same file for the same host.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from netwright.backend.hostimport.host_state import host_state, tables_left_out
from netwright.backend.hostimport.to_topology import host_yaml, namespace_holders
from netwright.backend.observe.host import HostView, ObserveError, read_host


@dataclass(frozen=True)
class HostImport:
    """The file's ``text``, what was left out (``skipped``, sentences), and NetworkManager's
    view of each host device it knows (``networkmanager``: name → ``ManagedDevice.to_json``;
    empty without NM, or when NM runs elsewhere than the host imported), and what holds each
    anonymous namespace (``holders``: key → "held by sleep (pid 4242)"), and the host's own
    forwarding and nftables tables, which the file leaves out (``host``: see ``host_state``)."""

    text: str
    skipped: list[str]
    networkmanager: dict[str, dict[str, Any]] = field(default_factory=dict)
    holders: dict[str, str] = field(default_factory=dict)
    host: dict[str, Any] = field(default_factory=dict)


def host_import(name: str, namespaces: list[str] | None = None,
                process_tree: int | None = None, *, as_design: bool = False,
                host: str | None = None, hide: frozenset[str] = frozenset(),
                prefix: str = "") -> HostImport:
    """The topology of this host (see ``host_yaml``; ``host`` and ``hide`` as in
    ``find_namespaces``, ``prefix`` as in ``namespace_key``), each device NetworkManager
    manages commented with its profile. Called from a thread without an event loop (it runs
    one for NetworkManager's calls). LookupError: a namespace asked for is not there (the
    message lists those that are)."""
    view = read_host(process_tree, host, hide)
    managed = _networkmanager(view)
    text, skipped = host_yaml(view, name, namespaces, as_design=as_design, prefix=prefix,
                              about={name: device.text for name, device in managed.items()})
    state = host_state(view)
    return HostImport(text, skipped + tables_left_out(state),
                      {name: d.to_json() for name, d in managed.items()},
                      namespace_holders(view, prefix), state)


def _networkmanager(view: HostView) -> dict[str, Any]:
    """NetworkManager's devices of the host's namespace (only those the kernel showed)."""
    from netwright.backend.nm.managed import host_managed_devices

    host = view.namespaces[0]
    devices = asyncio.run(host_managed_devices(host.inode))
    return {name: device for name, device in devices.items() if name in host.state.links}


def import_local(name: str, namespaces: list[str] | None = None,
                 process_tree: int | None = None, *, as_design: bool = False
                 ) -> HostImport:
    """``host_import`` of the real host for the CLI: every failure a sentence."""
    try:
        return host_import(name, namespaces, process_tree, as_design=as_design)
    except LookupError as exc:
        raise ObserveError(str(exc.args[0])) from None
