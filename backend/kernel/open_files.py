"""Admission of an operation by the open files it will hold (kernel.descriptors).

An apply, destroy, status, plan or recovery holds a namespace's descriptor and a netlink
socket inside it for each namespace of the topology until it ends; a check holds sockets in
every namespace it probes from; a capture holds its packet socket, the caller's file and the
pipe to its writer for as long as it runs. One that does not fit under the process's limit
is refused before it touches anything, and so is one that fits alone but not beside the
operations running now: netwrightd runs jobs of different topologies, checks, captures and
other users' Status calls side by side, and two large applies at once ran out of files
half-way (one crashed mid-apply, leaving its topology half built; List and Status of other
users failed meanwhile). A refused operation is TooManyFiles, which says whose limit it is
(netwrightd's unit, a lab's user, a root command's shell), how that is raised, and what
holds it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Literal

from netwright.backend.kernel.descriptors import (
    OWN,
    Crowded,
    admitted,
    allow_open_files,
    apply_needs,
)
from netwright.backend.outcomes.errors import TooManyFiles

#: Where the refusing process runs, which decides who may raise its limit and how: the
#: system's netwrightd (its systemd unit), a user's lab (that user's own limit, which only
#: root raises) or a command run as root (``--local``: the shell's limit).
Place = Literal["netwrightd", "lab", "command"]

_WHO: dict[Place, str] = {"netwrightd": "netwrightd", "lab": "the lab",
                          "command": "this command"}
_RAISE: dict[Place, str] = {
    "netwrightd": "raise LimitNOFILE= in netwrightd's systemd unit ('systemctl edit"
                  " netwrightd') and restart it",
    "lab": "have root raise your own limit, which the lab has ('ulimit -Hn'; nofile in"
           " /etc/security/limits.conf, or DefaultLimitNOFILE= of your systemd user manager),"
           " then 'netwright lab stop' (what it holds goes) so that the next lab starts with it",
    "command": "raise it as root before the command ('ulimit -Hn N')",
}
_place: list[Place] = ["command"]  # one process, one place: said once when it starts


#: What a refusal calls the operation instead of its topology's words (``refused_as``).
_CALLED: ContextVar[str | None] = ContextVar("open_files_called", default=None)


@contextlib.contextmanager
def refused_as(doing: str) -> Iterator[None]:
    """Within the block, a refusal names what is refused ``doing`` (a sentence's beginning),
    and advises no splitting: for an operation on what the user never named, such as the
    lab's own network (topology nwlab), which only the lab decides."""
    token = _CALLED.set(doing)
    try:
        yield
    finally:
        _CALLED.reset(token)


def runs_in(place: Place) -> None:
    """Say where this process runs (netwrightd says "netwrightd" or "lab" when it starts), so
    that a refusal names the limit that applies and how its owner raises it."""
    _place[0] = place


@contextlib.contextmanager
def open_files_for(name: str, namespaces: int, doing: str, needed: int | None = None,
                   *, divisible: bool = False) -> Iterator[None]:
    """Run ``doing`` ("applying it", "destroying it", "reading its status", of topology
    ``name``) with the open files its ``namespaces`` namespaces need set aside, or raise
    TooManyFiles first. ``needed``: the open files, when not an apply's for that many
    namespaces (``kernel.descriptors.check_needs``). ``divisible``: a design not yet
    deployed (a plan, an apply), which a refusal may advise splitting; a deployed topology
    must be destroyed, checked or read as it is."""
    needed = apply_needs(namespaces) if needed is None else needed
    called = _CALLED.get()
    if called is not None:
        doing, divisible = called, False
    else:
        doing = f"topology {name} has {namespaces:,} namespaces: {doing}"
    with open_files_held(doing, needed,
                         smaller="split the topology into smaller ones" if divisible else ""):
        yield


@contextlib.contextmanager
def open_files_held(doing: str, needed: int, *, smaller: str = "") -> Iterator[None]:
    """Run what ``doing`` says (a sentence's beginning: "a capture on eth0 of big") with
    ``needed`` open files set aside, or raise TooManyFiles first. ``smaller``: what else the
    user may do when the limit cannot hold it ("split the topology …"), if anything."""
    place = _place[0]
    who, remedy = _WHO[place], _RAISE[place]
    allowed = allow_open_files(needed + OWN)
    if allowed < needed + OWN:  # it would not fit with nothing beside it either
        also = f"; or {smaller}" if smaller else ""
        raise TooManyFiles(
            f"{doing} holds up to {needed:,} open files, and {who} may open only"
            f" {allowed:,} (its hard limit; it keeps {OWN} of them for itself): {remedy}{also}")
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(admitted(needed))
        except Crowded as crowded:
            raise TooManyFiles(
                f"{doing} holds up to {needed:,} open files, and the operations running now"
                f" beside it in {who} (applies, destroys, checks, captures or statuses of"
                f" large topologies) hold up to {crowded.held:,} of the {crowded.allowed:,}"
                f" it may open: try again when they have ended, or {remedy}") from None
        yield
