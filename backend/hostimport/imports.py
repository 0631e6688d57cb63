"""The live host's import in this process: observe, convert, explain failures in words.

Shared by ``netwright import --local`` and netwrightd's ``ImportHost`` call, so both write the
same file for the same host.
"""

from __future__ import annotations

import errno

from netwright.backend.hostimport.to_topology import host_yaml
from netwright.backend.observe.host import HostView, observe_host
from netwright.backend.topology.problems import NetwrightError


class ObserveError(NetwrightError):
    """The live host cannot be read (no permission, an unknown namespace asked for)."""


def host_import(name: str, namespaces: list[str] | None = None,
                process_tree: int | None = None, *, as_design: bool = False,
                host: str | None = None, hide: frozenset[str] = frozenset(),
                prefix: str = "") -> tuple[str, list[str]]:
    """The topology text of this host and what was left out (see ``host_yaml``; ``host``
    and ``hide`` as in ``find_namespaces``, ``prefix`` as in ``namespace_key``).
    LookupError: a namespace asked for is not there (the message lists those that are)."""
    view = read_host(process_tree, host, hide)
    return host_yaml(view, name, namespaces, as_design=as_design, prefix=prefix)


def read_host(process_tree: int | None = None, host: str | None = None,
              hide: frozenset[str] = frozenset()) -> HostView:
    """``observe_host``, its failures as sentences (ObserveError)."""
    try:
        return observe_host(process_tree, host, hide)
    except OSError as exc:
        if isinstance(exc, PermissionError) or exc.errno == errno.EPERM:
            raise ObserveError("reading other namespaces needs root: run through netwrightd"
                               " (without --local) or as root") from exc
        raise ObserveError(f"cannot read the host: {exc.strerror or exc}") from exc


def import_local(name: str, namespaces: list[str] | None = None,
                 process_tree: int | None = None, *, as_design: bool = False
                 ) -> tuple[str, list[str]]:
    """``host_import`` of the real host for the CLI: every failure a sentence."""
    try:
        return host_import(name, namespaces, process_tree, as_design=as_design)
    except LookupError as exc:
        raise ObserveError(str(exc.args[0])) from None
