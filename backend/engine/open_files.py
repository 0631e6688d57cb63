"""Admission of an engine operation by the open files it will hold (kernel.descriptors).

An apply, destroy or status holds a namespace's descriptor and a netlink socket inside it
for each namespace of the topology, until it ends. One that does not fit under the process's
limit is refused before it touches anything, and so is one that fits alone but not beside
the operations running now: netwrightd runs jobs of different topologies and other users'
Status calls side by side, and two large applies at once ran out of files half-way (one
crashed mid-apply, leaving its topology half built; List and Status of other users failed
meanwhile). A refused operation is TooManyFiles, which says which limit and what holds it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from netwright.backend.kernel.descriptors import Crowded, admitted, allow_open_files, apply_needs
from netwright.backend.outcomes.errors import TooManyFiles


@contextlib.contextmanager
def open_files_for(name: str, namespaces: int, doing: str) -> Iterator[None]:
    """Run ``doing`` ("applying it", "destroying it", "reading its status", of topology
    ``name``) with the open files its ``namespaces`` namespaces need set aside, or raise
    TooManyFiles first."""
    needed = apply_needs(namespaces)
    allowed = allow_open_files(needed)
    if allowed < needed:
        raise TooManyFiles(
            f"topology {name} has {namespaces:,} namespaces: {doing} holds up to"
            f" {needed:,} open files, and this process may open only {allowed:,} (its hard"
            " limit, 'ulimit -Hn'); raise that limit (LimitNOFILE= in netwrightd's systemd"
            " unit, 'ulimit -Hn' as root for --local) or split the topology")
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(admitted(needed))
        except Crowded as crowded:
            raise TooManyFiles(
                f"topology {name} has {namespaces:,} namespaces: {doing} holds up to"
                f" {needed:,} open files, and the operations running now beside it (applies,"
                f" destroys, checks or statuses of large topologies) hold up to"
                f" {crowded.held:,} of the {crowded.allowed:,} this process may open: try"
                " again when they have ended, or raise that limit (LimitNOFILE= in"
                " netwrightd's systemd unit)") from None
        yield
