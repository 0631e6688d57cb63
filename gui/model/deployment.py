"""Whose deployment the design's name has, and whether the design still matches it.

The backend records the source of every apply (the design file the client named, the user,
the host and the time) and Status returns it, so the window can say "deployed from
/home/bob/other.yaml by bob at 12:03 — not this design" for a deployment made by the CLI or
another designer, and Apply can name it before replacing it. A deployment recorded without
a file (an old backend, an unsaved design) is learnt as before: it is this design when its
plan against the kernel is empty. The window remembers the design's meaning (its content
without the canvas layout) as last applied or matched, so it can say "deployed — the design
has unapplied changes" after an edit. Pure data: no Qt, no backend calls.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netwright.backend.outcomes.provenance import Provenance

DEPLOYED = "deployed"
UNAPPLIED = "deployed — the design has unapplied changes"
_CHANGED = "changed"
"""``applied`` when the deployment is this file's but its plan is not empty (the file was
edited since it was applied elsewhere): never equal to a digest."""
_LABEL_PATH_CHARS = 48


def meaning_digest(tree: Any) -> str:
    """A digest of the design's network meaning: everything but the canvas layout (moving a
    box changes nothing in the kernel)."""
    plain = {k: v for k, v in dict(tree or {}).items() if k != "layout"}
    text = json.dumps(plain, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class DeploymentView:
    """What the window knows of the deployment under the design's name.

    ``ours``: None until learnt; True when the deployment is this design (applied from this
    file, or found equal when opened); False when it is another design's. ``applied`` is
    the meaning digest the deployment has (when ours; "" unknown). ``recorded`` is the
    backend's record of the last apply (Status' source); ``source`` the file this designer
    last applied the name from (its settings), for backends that record none.
    """

    deployed: bool = False
    ours: bool | None = None
    applied: str = ""
    source: str = ""
    recorded: Provenance | None = None

    def forget(self) -> None:
        """Another document, or another name: nothing is known any more."""
        self.deployed, self.ours, self.applied, self.source = False, None, "", ""
        self.recorded = None

    def changed_elsewhere(self) -> None:
        """The backend says the deployment changed (the CLI, another designer, a trial's end):
        what it holds must be learnt again. A deployment known to be this design's stays so
        unless its record then names another file: a trial restored to this design's earlier
        version, or an apply of this unsaved design, records no other file."""
        if self.ours:
            self.applied = ""
        else:
            self.forget()

    def matched(self, digest: str) -> None:
        """The deployment is this design, as ``digest`` says (an Apply, or an empty plan)."""
        self.deployed, self.ours, self.applied = True, True, digest

    def learn_source(self, recorded: Provenance | None, this_file: str) -> None:
        """The backend's record of the last apply: from another file, the deployment is
        another design's; from this file, it is this one (perhaps edited since)."""
        self.recorded = recorded
        if recorded is None or not recorded.file:
            return
        if recorded.file != this_file:
            self.ours = False
        elif not self.ours:
            self.ours, self.applied = True, ""

    def needs_plan(self) -> bool:
        """Whether only a plan can tell: who applied is unknown, or it was this file and
        whether the design changed since is not known."""
        return self.deployed and (self.ours is None or (self.ours and not self.applied))

    def planned(self, empty: bool, digest: str) -> None:
        """What the plan against the kernel said: empty, the deployment is this design."""
        if empty:
            self.matched(digest)
        elif self.ours:
            self.applied = _CHANGED
        else:
            self.ours = False

    def is_foreign(self) -> bool:
        return self.deployed and self.ours is False

    def words(self, digest: str, this_file: str) -> str:
        """The status bar's words for the deployment, given the design's digest now."""
        if not self.deployed:
            return "not deployed"
        if self.ours is None:
            return DEPLOYED
        if self.ours:
            return DEPLOYED if digest == self.applied or not self.applied else UNAPPLIED
        return f"deployed {self.origin(this_file, short=True)} — not this design"

    def detail(self) -> str:
        """The label's tooltip: everything recorded of the last apply."""
        if not self.deployed or self.recorded is None or not self.recorded.words():
            return ""
        return f"Last applied {self.recorded.words(host=True)}"

    def origin(self, this_file: str, *, short: bool = False) -> str:
        """"from /x.yaml by bob at 12:03": where the deployment came from, as far as the
        backend recorded it, else as far as this designer knows."""
        recorded = self.recorded
        if recorded is not None and recorded.file:
            shown = _short_path(recorded.file) if short else recorded.file
            return Provenance(shown, recorded.user, recorded.host, recorded.time).words()
        known = f"from {self.whose(this_file)}"
        if recorded is not None and recorded.user:
            known += f" ({recorded.words()})"
        return known

    def whose(self, this_file: str) -> str:
        """Where the deployment came from, as far as this designer knows."""
        if self.source and self.source != this_file:
            return Path(self.source).name
        if self.source:
            return "an earlier version of this file"
        return "another design"

    def caution(self, name: str, this_file: str) -> str:
        """The sentence the plan dialog shows before Apply replaces someone's deployment."""
        return (f"'{name}' is deployed {self.origin(this_file)}, not from this design:"
                " Apply replaces that deployment with this one.")


def _short_path(path: str) -> str:
    """A long path with its middle left out, for the status bar (the tooltip has it all)."""
    if len(path) <= _LABEL_PATH_CHARS:
        return path
    name = Path(path).name
    head = path[: max(1, _LABEL_PATH_CHARS - len(name) - 2)]
    return f"{head}…/{name}"
