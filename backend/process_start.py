"""Which process a PID names: its start time, which a later process given the same PID lacks.

A PID written down (a journal's header, a helper's record) may belong to another process by
the time someone reads it: the writer crashed and the kernel gave its number out again.
``kill(pid, 0)`` cannot tell them apart; the start time in ``/proc/PID/stat`` (clock ticks
after boot, field 22) can, for the machine's uptime. Reads /proc only; no network meaning.
"""

from __future__ import annotations

from pathlib import Path


def process_stat(pid: int) -> tuple[str, int] | None:
    """The state letter ("R", "S", "Z" …) and start time (clock ticks after boot) of process
    ``pid``; None when there is no such process (or /proc does not say)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return fields[0], int(fields[19])
    except (OSError, IndexError, ValueError):
        return None


def start_ticks(pid: int) -> int | None:
    """When process ``pid`` started (clock ticks after boot); None when it is not there."""
    stat = process_stat(pid)
    return stat[1] if stat is not None else None
