"""An applied change that must be confirmed, or it is undone: the "trial" of ``netplan try``.

A plan that changes the device carrying the host's default route can cut off the very person
applying it (over SSH, or a remote desktop). So such an apply, once confirmed up front, is kept
only on trial: NetworkManager's checkpoint on the changed devices stays open, and the caller
has ``seconds`` to confirm that it can still reach the host. Without that confirmation the
backend restores the previous deployment at the deadline (Cockpit does the same for its
network changes).

The trial is a small file beside the deployment's state file, so it outlives the process that
applied: whoever runs the engine next finds an expired trial and restores the previous
deployment, and NetworkManager's own checkpoint timer (a little after the deadline) restores
its devices even if no backend runs at all. Once ended, the trial leaves a smaller file (what
its end undid, and when) until the next apply or destroy of that name: a confirm, revert or
status that comes after the window then says what happened instead of "not deployed".
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from netwright.backend.engine.store import topology_json
from netwright.backend.outcomes.errors import ConfirmWindowError
from netwright.backend.outcomes.provenance import Provenance
from netwright.backend.outcomes.results import ENDED_HOWS, undone_words
from netwright.backend.record import record
from netwright.backend.topology.model import Topology
from netwright.backend.topology.source import atomic_write

DEFAULT_SECONDS = 60
"""How long the caller has to confirm (netplan try gives 120 s, Cockpit's checkpoints 15 s)."""
MIN_SECONDS = 5
MAX_SECONDS = 600
SAFETY_MARGIN = 10
"""NetworkManager's checkpoint outlives the deadline by this much, so while a backend runs it
is the backend that restores everything (NM's part and its own) at the deadline; NM's timer is
the net for a backend that died."""

ENDED_BY_DESTROY = ("the change of {name} that was on trial ended with it: nothing is restored"
                    " at the deadline")
"""destroy's note when it ends a pending trial (which would otherwise restore at its end)."""


@record(frozen=True)
class Trial:
    """A change awaiting confirmation. ``previous`` is what was deployed before (None: the
    topology was not deployed, so reverting destroys it), ``previous_source`` where it came
    from (restored with it); ``deadline`` is a Unix time."""

    name: str
    deadline: float
    reason: str
    checkpoint: str | None
    previous: Topology | None
    previous_source: Provenance | None = None

    def seconds_left(self, now: float | None = None) -> float:
        return max(0.0, self.deadline - (time.time() if now is None else now))

    def expired(self, now: float | None = None) -> bool:
        return (time.time() if now is None else now) >= self.deadline

    def to_json(self) -> dict[str, Any]:
        """What callers see (``ApplyResult.awaiting_confirmation``, ``Status``); ``removes``:
        a first apply, which ending the trial removes rather than restores."""
        data: dict[str, Any] = {"deadline": round(self.deadline, 3),
                                "seconds": round(self.seconds_left()), "reason": self.reason}
        if self.previous is None:
            data["removes"] = True
        return data


RECALL_SECONDS = 24 * 3600
"""How long the end of a trial is remembered (unless an apply or destroy of the name comes
first): later, a confirm or a status has no reason to speak of it."""
ENDED_MAX_BYTES = 4096
"""An ended trial's file is a few numbers: a bigger one is not ours, and is not read."""


@record(frozen=True)
class Ended:
    """A trial that ended undone: ``removed``, a first apply, whose topology is now gone
    (nothing was deployed before to restore); ``steps``, what undoing it took; ``at``, when
    (Unix time); ``how``, "expired" (not confirmed in time) or "reverted"."""

    name: str
    removed: bool
    steps: int
    at: float = 0.0
    how: str = "expired"

    def words(self) -> str:
        return undone_words(self.name, self.removed, self.steps, why="not confirmed in time")

    def to_json(self) -> dict[str, Any]:
        """What callers see (``Status.trial_ended``, read by ``trial_over_words``)."""
        data: dict[str, Any] = {"at": round(self.at, 3), "how": self.how, "steps": self.steps}
        if self.removed:
            data["removes"] = True
        return data


def checked_seconds(seconds: int) -> int:
    """The confirmation window asked for, refused with a sentence when out of bounds."""
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        raise ConfirmWindowError(f"the confirmation window must be {MIN_SECONDS} to {MAX_SECONDS}"
                         f" seconds, not {seconds}")
    return seconds


def save(path: Path, trial: Trial) -> None:
    data = {"name": trial.name, "deadline": trial.deadline, "reason": trial.reason,
            "checkpoint": trial.checkpoint,
            "previous": topology_json(trial.previous) if trial.previous else None,
            "previous_source": (trial.previous_source.to_json() if trial.previous_source
                                else None)}
    atomic_write(path, json.dumps(data, indent=1) + "\n")


def remember(path: Path, ended: Ended) -> None:
    """Write down how the trial of ``ended.name`` ended, and forget the ends of other trials
    older than ``RECALL_SECONDS`` (so the state directory holds only recent ones)."""
    atomic_write(path, json.dumps({"name": ended.name, **ended.to_json()}) + "\n")
    for other in path.parent.glob(f"*{path.suffix}"):
        if other != path and recall(other) is None:
            other.unlink(missing_ok=True)


def recall(path: Path, now: float | None = None) -> Ended | None:
    """The end ``remember`` wrote in ``path``; None when there is none, it is older than
    ``RECALL_SECONDS`` or it is not one (too big, not its fields)."""
    try:
        with path.open("rb") as handle:
            data = json.loads(handle.read(ENDED_MAX_BYTES + 1))
        at = float(data["at"])
        ended = Ended(str(data["name"]), data.get("removes") is True, int(data["steps"]), at,
                      str(data["how"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    fresh = 0 <= (time.time() if now is None else now) - at <= RECALL_SECONDS
    return ended if fresh and ended.how in ENDED_HOWS and ended.steps >= 0 else None


def load(path: Path) -> Trial | None:
    """The trial in ``path``; None when there is none (or it is unreadable: a crash while
    writing it happened before the apply returned, and the journal undoes that apply)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        previous = data.get("previous")
        return Trial(str(data["name"]), float(data["deadline"]), str(data.get("reason", "")),
                     data.get("checkpoint") or None,
                     Topology.model_validate(previous) if previous else None,
                     Provenance.from_json(data.get("previous_source")))
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        return None
