"""Whose deployment the design's name has, and whether the design still matches it.

The backend knows deployments by topology name only. Opening a file whose name is deployed
from another design used to say "deployed", and Apply replaced that deployment without a
word. The window now learns, once per document, whether what is deployed is this design (its
plan against the kernel is empty) and remembers the design's meaning (its content without the
canvas layout) as last applied or matched, so it can say "deployed — the design has unapplied
changes" after an edit, and name the file a deployment came from when this window applied it.
Pure data: no Qt, no backend.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEPLOYED = "deployed"
UNAPPLIED = "deployed — the design has unapplied changes"


def meaning_digest(tree: Any) -> str:
    """A digest of the design's network meaning: everything but the canvas layout (moving a
    box changes nothing in the kernel)."""
    plain = {k: v for k, v in dict(tree or {}).items() if k != "layout"}
    text = json.dumps(plain, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class DeploymentView:
    """What the window knows of the deployment under the design's name.

    ``ours``: None until learnt; True when the deployment is this design (as applied from
    here, or found equal when opened); False when it is another design's. ``applied`` is
    the meaning digest the deployment has (when ours). ``source`` is the file the deployment
    was last applied from by this designer, when known.
    """

    deployed: bool = False
    ours: bool | None = None
    applied: str = ""
    source: str = ""

    def forget(self) -> None:
        """Another document, or another name: nothing is known any more."""
        self.deployed, self.ours, self.applied, self.source = False, None, "", ""

    def matched(self, digest: str) -> None:
        """The deployment is this design, as ``digest`` says (an Apply, or an empty plan)."""
        self.deployed, self.ours, self.applied = True, True, digest

    def is_foreign(self) -> bool:
        return self.deployed and self.ours is False

    def words(self, digest: str, this_file: str) -> str:
        """The status bar's words for the deployment, given the design's digest now."""
        if not self.deployed:
            return "not deployed"
        if self.ours is None:
            return DEPLOYED
        if self.ours:
            return DEPLOYED if digest == self.applied else UNAPPLIED
        return f"deployed from {self.whose(this_file)} — not this design"

    def whose(self, this_file: str) -> str:
        """Where the deployment came from, as far as this designer knows."""
        if self.source and self.source != this_file:
            return Path(self.source).name
        if self.source:
            return "an earlier version of this file"
        return "another design"

    def caution(self, name: str, this_file: str) -> str:
        """The sentence the plan dialog shows before Apply replaces someone's deployment."""
        return (f"'{name}' is deployed from {self.whose(this_file)}, not from this design:"
                " Apply replaces that deployment with this one.")
