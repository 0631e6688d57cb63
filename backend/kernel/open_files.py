"""Admission of an operation by the open files it will hold (kernel.descriptors).

An apply, destroy, status, plan or recovery holds a namespace's descriptor and a netlink
socket inside it for each namespace of the topology until it ends; a check holds sockets in
every namespace it probes from; a capture holds its packet socket, the caller's file and the
pipe to its writer for as long as it runs. One that does not fit under the process's limit
is refused before it touches anything, and so is one that fits alone but not beside the
operations running now: netwrightd runs jobs of different topologies, checks, captures and
other users' Status calls side by side, and two large applies at once ran out of files
half-way (one crashed mid-apply, leaving its topology half built; List and Status of other
users failed meanwhile). A refused operation is TooManyFiles, which says which limit and
what holds it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from netwright.backend.kernel.descriptors import Crowded, admitted, allow_open_files, apply_needs
from netwright.backend.outcomes.errors import TooManyFiles


@contextlib.contextmanager
def open_files_for(name: str, namespaces: int, doing: str,
                   needed: int | None = None) -> Iterator[None]:
    """Run ``doing`` ("applying it", "destroying it", "reading its status", of topology
    ``name``) with the open files its ``namespaces`` namespaces need set aside, or raise
    TooManyFiles first. ``needed``: the open files, when not an apply's for that many
    namespaces (``kernel.descriptors.check_needs``)."""
    needed = apply_needs(namespaces) if needed is None else needed
    with open_files_held(f"topology {name} has {namespaces:,} namespaces: {doing}", needed):
        yield


@contextlib.contextmanager
def open_files_held(doing: str, needed: int) -> Iterator[None]:
    """Run what ``doing`` says (a sentence's beginning: "a capture on eth0 of big") with
    ``needed`` open files set aside, or raise TooManyFiles first."""
    allowed = allow_open_files(needed)
    if allowed < needed:
        raise TooManyFiles(
            f"{doing} holds up to {needed:,} open files, and this process may open only"
            f" {allowed:,} (its hard limit, 'ulimit -Hn'); raise that limit (LimitNOFILE= in"
            " netwrightd's systemd unit, 'ulimit -Hn' as root for --local) or split the"
            " topology")
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(admitted(needed))
        except Crowded as crowded:
            raise TooManyFiles(
                f"{doing} holds up to {needed:,} open files, and the operations running now"
                " beside it (applies, destroys, checks, captures or statuses of large"
                f" topologies) hold up to {crowded.held:,} of the {crowded.allowed:,} this"
                " process may open: try again when they have ended, or raise that limit"
                " (LimitNOFILE= in netwrightd's systemd unit)") from None
        yield
