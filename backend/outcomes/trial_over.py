"""What ended a trial and when, kept as data so that each reader says the time in its zone.

A confirm, revert or status that comes after a trial ended says when it ended ("the trial of
docker ended at 00:41:07, before this confirm: …"). The engine raises that sentence; through
netwrightd it would show the backend's time zone (a system service's, the machine's), where
``status`` shows the time in the zone of the user's own shell. So the error carries the end
as data beside its sentence (``TrialOver``: D-Bus error detail "trial_over", API 1.20) and
the client says the sentence again in its own zone, as it says a status' ``trial_ended``.
Pure data, below the engine, the service and the clients.
"""

from __future__ import annotations

from typing import Any

from netwright.backend.outcomes.change import unix_time
from netwright.backend.outcomes.provenance import shown_text
from netwright.backend.outcomes.results import ENDED_HOWS, trial_over_words
from netwright.backend.record import record

_MAX_AROUND = 2048
"""The text a sentence has around the trial's end (the deployments "not deployed" names
are a few): more is no sentence of ours, and is cut."""


@record(frozen=True)
class TrialOver:
    """The sentence ``head`` + ``trial_over_words(name, ended, before, undoing)`` + ``tail``:
    ``ended`` as ``Status.trial_ended`` (a Unix ``at``, ``how``, ``steps``, ``removes``)."""

    name: str
    ended: dict[str, Any]
    before: str = ""
    undoing: bool = False
    head: str = ""
    tail: str = ""

    def words(self) -> str:
        """The sentence, with the end's time in this process's time zone."""
        said = trial_over_words(self.name, self.ended, self.before, undoing=self.undoing)
        return f"{self.head}{said}{self.tail}"

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "ended": dict(self.ended), "before": self.before,
                "undoing": self.undoing, "head": self.head, "tail": self.tail}

    @classmethod
    def from_json(cls, data: object) -> TrialOver | None:
        """Read back from a backend's error detail; None unless it is one (an older backend
        sends none, and then its own sentence is all there is)."""
        if not isinstance(data, dict) or not isinstance(data.get("ended"), dict):
            return None
        ended, name = data["ended"], shown_text(data.get("name"))
        at, how = unix_time(ended.get("at")), ended.get("how")
        if not name or not at or how not in ENDED_HOWS:
            return None
        kept: dict[str, Any] = {"at": at, "how": how}
        steps = ended.get("steps")
        if isinstance(steps, int) and not isinstance(steps, bool) and steps >= 0:
            kept["steps"] = steps
        if ended.get("removes") is True:
            kept["removes"] = True
        return cls(name, kept, shown_text(data.get("before")), data.get("undoing") is True,
                   shown_text(data.get("head"), _MAX_AROUND),
                   shown_text(data.get("tail"), _MAX_AROUND))
