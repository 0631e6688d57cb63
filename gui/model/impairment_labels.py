"""What the designer writes on a wire for link impairment ("40 ms ±5 · 1 % loss · 10 Mbit/s").

An interface's impairment shapes what it sends, so it is written on the wire that carries
its packets out: a veth end's on its pair, a sub-interface's (ipvlan, macvlan, vlan) on the
wire to its parent, a vxlan's on its underlay. A veth pair impaired at both ends gets one
line per end, named. The text is ``Impairment.summary()``; a value the model refuses gives
no label (the problem is shown where problems are). Pure: reads the snapshot only.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from netwright.backend.topology.impairment import Impairment
from netwright.gui.model.snapshot import Snapshot

HOME_RELATIONS = ("peer", "parent", "dev")


def impairment_summary(link: dict[str, Any]) -> str | None:
    """The summary of an interface's impairment; None when it has none or it is invalid."""
    spec = link.get("impairment")
    if not isinstance(spec, dict) or not spec:
        return None
    try:
        return Impairment.model_validate(spec).summary() or None
    except ValidationError:
        return None


def wire_label(snapshot: Snapshot, relation: str, a: str, b: str) -> str | None:
    """The label of wire ``(relation, a, b)``, or None."""
    if relation not in HOME_RELATIONS:
        return None
    ends = (a, b) if relation == "peer" else (a,)  # a child's wire starts at the child
    found = [(key, text) for key in ends
             if (text := impairment_summary(snapshot.interfaces.get(key, {})))]
    if len(found) == 1:
        return found[0][1]
    return "\n".join(f"{snapshot.label_of(key)}: {text}" for key, text in found) or None
