"""The owner's marker: how a link or namespace says which topology made it.

Every interface Netwright creates carries IFLA_IFALIAS ``netwright:<topology>:<key>``, every
namespace the same on its loopback. The engine writes it; whoever observes the kernel (the
engine's plan, the live host's view, adopt) reads it back here.
"""

from __future__ import annotations

MARKER_PREFIX = "netwright:"


def marker(topology: str, key: str) -> str:
    """The IFLA_IFALIAS that says "this belongs to topology ``topology``, node ``key``"."""
    return f"{MARKER_PREFIX}{topology}:{key}"


def parse_marker(alias: str | None) -> tuple[str, str] | None:
    """(topology, key) from an alias written by ``marker``, or None if it is not ours."""
    if not alias or not alias.startswith(MARKER_PREFIX):
        return None
    rest = alias[len(MARKER_PREFIX):]
    topology, sep, key = rest.partition(":")
    return (topology, key) if sep and topology and key else None
