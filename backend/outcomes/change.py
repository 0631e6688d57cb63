"""A change of a topology that runs right now: which one, whose, since when.

Status carries it while an apply or destroy of the topology is under way (in netwrightd's
job, or in another process that holds the topology's lock, e.g. ``apply --local``): the
kernel then holds the topology half made, which says nothing about drift, so Status says
who is changing it instead of comparing. The engine fills it from the operation's journal
(``engine/journal.py``: operation, pid, start, the apply's source); netwrightd from its own
job (its id and the user who started it). Pure data, below the engine, service and client.
"""

from __future__ import annotations

import time
from typing import Any

from netwright.backend.outcomes.provenance import MAX_FILE_CHARS, shown_text
from netwright.backend.record import record

#: The largest process id Linux gives (PID_MAX_LIMIT); anything else is no process.
PID_MAX = 1 << 22
#: Unix times past this (the year 2242) are no start time: localtime() cannot show them.
LATEST = float(1 << 33)

#: How a Status names each operation ("being applied").
_DOING = {"apply": "applied", "destroy": "destroyed", "revert": "reverted",
          "recover": "recovered"}


@record(frozen=True)
class Change:
    """``operation``: apply, destroy, revert (netwrightd's job) or recover (a process
    finishing an interrupted one); ``job``: netwrightd's job id ("" when a process of its own
    runs it); ``user`` who started it ("" unknown); ``started`` Unix time (0: unknown);
    ``pid`` the process that runs it (0: unknown); ``file`` the design file an apply names."""

    operation: str
    job: str = ""
    user: str = ""
    started: float = 0.0
    pid: int = 0
    file: str = ""

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"operation": self.operation, "job": self.job,
                                "user": self.user, "started": round(self.started, 3),
                                "pid": self.pid}
        if self.file:
            data["file"] = self.file
        return data

    @classmethod
    def from_json(cls, data: object) -> Change | None:
        """Read back leniently (a reply is the backend's): a field of the wrong type is
        unknown, text loses its control characters (it ends up on terminals)."""
        if not isinstance(data, dict) or not shown_text(data.get("operation")):
            return None
        return cls(shown_text(data["operation"]), shown_text(data.get("job")),
                   shown_text(data.get("user")), unix_time(data.get("started")),
                   process_id(data.get("pid")), shown_text(data.get("file"), MAX_FILE_CHARS))

    def short(self) -> str:
        """"being applied by alice" (a status bar's words)."""
        who = f" by {self.user}" if self.user else ""
        return f"being {_DOING.get(self.operation, self.operation)}{who}"

    def words(self, now: float | None = None) -> str:
        """"being applied by alice (job apply-big-3f2a1c-7, started 21:40:07, 12 s ago)";
        a process of its own: "(process 4242, …)"."""
        said = [f"job {self.job}" if self.job else f"process {self.pid}" if self.pid else ""]
        if self.file:
            said.append(f"from {self.file}")
        if self.started:
            ago = max(0.0, (time.time() if now is None else now) - self.started)
            said.append(f"started {time.strftime('%H:%M:%S', time.localtime(self.started))},"
                        f" {ago:.0f} s ago")
        inside = ", ".join(part for part in said if part)
        return self.short() + (f" ({inside})" if inside else "")


def unix_time(value: object) -> float:
    """``value`` as a start time, 0.0 (unknown) unless a finite number of seconds between
    the epoch and LATEST: an integer too big for a float, infinity or NaN crashed the reader
    (OverflowError, ValueError in localtime) where a journal or a reply carried one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0.0
    return float(value) if 0 < value < LATEST else 0.0  # exact for any int; NaN is not


def process_id(value: object) -> int:
    """``value`` as a process id, 0 (unknown) unless one Linux can give (1 to PID_MAX): a
    negative one names a process group (-1: every process), a huge one overflowed kill()."""
    if isinstance(value, bool) or not isinstance(value, int):
        return 0
    return value if 0 < value <= PID_MAX else 0
