"""Whether an apply or destroy of a topology runs right now, and whose it is.

Read from the operation's journal (``journal.py``), which exists exactly while one runs:
its header says the operation, the process (its PID and the process's own start time, so
a PID given to another process after a crash is not taken for it), when it started and
(for an apply) the source.
A journal that a crash left behind is finished by ``Engine.recover`` before anyone asks,
so one still there after it is held by a process that runs; if that process is gone, another
one is finishing the interrupted operation (a recovery). Never takes the topology's lock:
a status must not make the apply it looks at fail as Busy.
"""

from __future__ import annotations

import os

from netwright.backend.engine.journal import read_header
from netwright.backend.engine.store import Store
from netwright.backend.outcomes.change import Change, process_id, unix_time
from netwright.backend.outcomes.provenance import Provenance
from netwright.backend.process_start import process_stat
from netwright.backend.record import replace

#: The operations a journal records (a revert is an apply or a destroy).
JOURNAL_OPERATIONS = ("apply", "destroy")


def running_change(store: Store, name: str) -> Change | None:
    """The change of topology ``name`` under way (None: none), as its journal says."""
    path = store.journal_path(name)
    header = read_header(path)
    if header is None:  # none, or one created this instant and not written yet
        return Change("apply") if path.exists() else None
    # the header is this engine's own, in a root-only directory, yet read as any input:
    # a value of the wrong type or out of range is unknown, never a crash or a lie
    operation = header.get("operation")
    operation = operation if operation in JOURNAL_OPERATIONS else "apply"
    pid = process_id(header.get("pid"))
    started = unix_time(header.get("started"))
    if pid and not _runs(pid, header.get("pid_started")):
        # its process died: whoever holds the lock finishes it
        operation, pid, started = "recover", 0, 0.0
    by = Provenance.from_json(header.get("by")) or Provenance()
    return Change(str(operation), user=by.user, started=started, pid=pid, file=by.file)


def merged(given: Change | None, seen: Change | None) -> Change | None:
    """The change a caller knows of (netwrightd's job: id, user, start), with the design
    file the journal names; the journal's alone when the caller knows none."""
    if given is None or seen is None:
        return given or seen
    return replace(given, file=given.file or seen.file, pid=given.pid or seen.pid)


def _runs(pid: int, started: object) -> bool:
    """Process ``pid`` runs and is the one the header names: when the header records its
    start time (``pid_started``: clock ticks after boot), a process started at another time
    got the PID after the writer died (a crash, then the PID given out again) and is not the
    operation's. A journal written before that field by a running process (an older
    netwright) is still judged by the PID alone; a zombie has run its course."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    stat = process_stat(pid)
    if stat is None:  # gone meanwhile, or /proc does not say: kill() has answered
        return True
    state, ticks = stat
    if state in ("Z", "X"):
        return False
    recorded = started if isinstance(started, int) and not isinstance(started, bool) else None
    return recorded is None or ticks == recorded
