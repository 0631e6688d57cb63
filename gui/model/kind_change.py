"""Change an ipvlan child into a macvlan one, or back, keeping its addresses and parent.

The right-click "Change to macvlan" and the fix for a kernel without ipvlan ("use macvlan
bridge") make the same edits: the kind, the mode mapped to the closest one of the other kind
(ipvlan l2 ↔ macvlan bridge: both let the children reach each other; ipvlan l3/l3s have no
macvlan counterpart and become bridge), and ipvlan's ``flag`` removed. Everything else stays.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from netwright.gui.model.document import DELETE, Edit

SWAPPABLE = ("ipvlan", "macvlan")
MODE_FOR = {
    "macvlan": {"l2": "bridge", "l3": "bridge", "l3s": "bridge"},
    "ipvlan": {"bridge": "l2", "vepa": "l2", "private": "l2", "passthru": "l2", "source": "l2"},
}
DEFAULT_MODE = {"macvlan": "bridge", "ipvlan": "l2"}


def other_kind(kind: str) -> str | None:
    """The kind an interface of ``kind`` can be changed into (None: none)."""
    if kind not in SWAPPABLE:
        return None
    return "macvlan" if kind == "ipvlan" else "ipvlan"


def kind_change_edits(get: Callable[[tuple[Any, ...]], Any], key: str,
                      kind: str) -> list[Edit]:
    """Edits that make interface ``key`` a ``kind`` (ipvlan or macvlan) child."""
    entry = get(("interfaces", key)) or {}
    old_mode = entry.get("mode")
    mode = MODE_FOR[kind].get(str(old_mode), DEFAULT_MODE[kind])
    edits = [Edit(("interfaces", key, "kind"), kind), Edit(("interfaces", key, "mode"), mode)]
    if kind == "macvlan" and "flag" in entry:
        edits.append(Edit(("interfaces", key, "flag"), DELETE))
    return edits
