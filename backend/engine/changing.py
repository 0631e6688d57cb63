"""Whether an apply or destroy of a topology runs right now, and whose it is.

Read from the operation's journal (``journal.py``), which exists exactly while one runs:
its header says the operation, the process, when it started and (for an apply) the source.
A journal that a crash left behind is finished by ``Engine.recover`` before anyone asks,
so one still there after it is held by a process that runs; if that process is gone, another
one is finishing the interrupted operation (a recovery). Never takes the topology's lock:
a status must not make the apply it looks at fail as Busy.
"""

from __future__ import annotations

import os

from netwright.backend.engine.journal import read_header
from netwright.backend.engine.store import Store
from netwright.backend.outcomes.change import Change
from netwright.backend.outcomes.provenance import Provenance
from netwright.backend.record import replace


def running_change(store: Store, name: str) -> Change | None:
    """The change of topology ``name`` under way (None: none), as its journal says."""
    path = store.journal_path(name)
    header = read_header(path)
    if header is None:  # none, or one created this instant and not written yet
        return Change("apply") if path.exists() else None
    operation = str(header.get("operation") or "apply")
    pid = header.get("pid")
    pid = pid if isinstance(pid, int) and not isinstance(pid, bool) else 0
    started = header.get("started")
    if pid and not _alive(pid):  # its process died: whoever holds the lock finishes it
        operation, pid, started = "recover", 0, None
    by = Provenance.from_json(header.get("by")) or Provenance()
    return Change(operation, user=by.user,
                  started=float(started) if isinstance(started, (int, float)) else 0.0,
                  pid=pid, file=by.file)


def merged(given: Change | None, seen: Change | None) -> Change | None:
    """The change a caller knows of (netwrightd's job: id, user, start), with the design
    file the journal names; the journal's alone when the caller knows none."""
    if given is None or seen is None:
        return given or seen
    return replace(given, file=given.file or seen.file, pid=given.pid or seen.pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
