"""How a sentence names the host a backend acts on: "this machine" or "the lab host".

A backend manages one target, the real machine ("host") or an emulated one ("lab": a user's
lab, or a netwrightd started with ``--target lab``). Every sentence that names it (the
engine's "not deployed on …", a plan's "… which this machine does not have", the CLI's "no
topology is deployed on …", the permission an apply needs) takes it from here, from the
target the backend really has, never from how the client reached it.
"""

from __future__ import annotations

from typing import Literal

TargetKind = Literal["host", "lab"]
"""What ``--json`` (``"target"``) and the D-Bus ``Target`` property call the two targets."""


def target_words(target: str) -> str:
    """The target in a sentence: "this machine" (``host``), "the lab host" (``lab``).

    >>> f"topology seed is not deployed on {target_words('lab')}"
    'topology seed is not deployed on the lab host'
    """
    return "the lab host" if target == "lab" else "this machine"

