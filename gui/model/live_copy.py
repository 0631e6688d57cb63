"""Observed objects of the live host brought into a design as existing objects.

What is selected comes with what it needs to validate: an interface with its namespace, a
veth with its peer, a sub-interface with its parent, a port with its bridge, a vxlan with its
underlay; a namespace with its interfaces. Objects the design already has (matched as the
kernel knows them, see ``live_compare``) are referenced, not copied again; a key the design
uses for something else is renamed (the kernel name stays in ``name:``). Everything copied
keeps ``existing: true`` from the import, so applying the design never creates, changes or
deletes it. The copy is placed to the right of the design, arranged as on the host.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from netwright.gui.model.commands import NOTHING, EditsCommand, Selection
from netwright.gui.model.document import Edit, TopologyDocument
from netwright.gui.model.edits import position
from netwright.gui.model.live_compare import REFERENCES, compare
from netwright.gui.model.snapshot import Snapshot

GAP = 200.0  # between the design's right edge and the copy


class CopyFromHostCommand(EditsCommand):
    """"Copy from host obsvh1, obs-red …": one undo step. As a paste: what it adds is
    selected in the design; undone, what the design had selected before (``before``)."""

    def __init__(self, document: TopologyDocument, keys: list[str], edits: list[Edit],
                 before: Selection = NOTHING) -> None:
        shown = ", ".join(keys[:3]) + (f" and {len(keys) - 3} more" if len(keys) > 3 else "")
        super().__init__(document, f"Copy from host {shown}", edits)
        self.keys = keys
        self.selected_after_redo = (keys, [])
        self.selected_after_undo = before


def needed(live: Snapshot, selected: Iterable[str]) -> list[str]:
    """``selected`` and everything it leans on, in the live snapshot's keys."""
    todo = list(selected)
    out: list[str] = []
    while todo:
        key = todo.pop(0)
        if key in out or not (key in live.namespaces or key in live.interfaces
                              or key in live.nics):
            continue
        out.append(key)
        if key in live.namespaces:
            todo.extend(live.interfaces_in(key))
            continue
        entry = live.interfaces.get(key, {})
        namespace = live.namespace_of(key)
        if namespace:
            todo.append(namespace)
        todo.extend(str(entry[ref]) for ref in REFERENCES if isinstance(entry.get(ref), str))
    return out


def _free(design: Snapshot, key: str, used: set[str]) -> str:
    taken = used | set(design.namespaces) | set(design.interfaces) | set(design.nics)
    if key not in taken:
        return key
    n = 2
    while f"{key[:12]}-{n}" in taken:
        n += 1
    return f"{key[:12]}-{n}"


def copy_edits(design: Snapshot, live: Snapshot, selected: Iterable[str]
               ) -> tuple[list[Edit], list[str]]:
    """The edits that add the selected live objects (and what they need) to ``design``, and
    the design keys they were given (empty: all of them are already in the design)."""
    matched = compare(design, live).live_to_design
    wanted = needed(live, selected)
    names: dict[str, str] = {}
    used: set[str] = set()
    for key in wanted:
        if key in matched:
            names[key] = matched[key]
        elif key in live.namespaces or key in live.nics:
            names[key] = key  # the kernel's name: a key in use is the same object (matched)
        else:
            names[key] = _free(design, key, used)
        used.add(names[key])
    fresh = [k for k in wanted if k not in matched]
    edits: list[Edit] = []
    for key in fresh:
        new = names[key]
        if key in live.namespaces:
            edits.append(Edit(("namespaces", new), copy.deepcopy(live.namespaces[key])))
        elif key in live.nics:
            edits.append(Edit(("host", "nics", new), copy.deepcopy(live.nics[key])))
        else:
            entry: dict[str, Any] = copy.deepcopy(live.interfaces[key])
            if new != key and "name" not in entry:
                entry = {"kind": entry.pop("kind", "?"), "name": key, **entry}
            for ref in ("namespace", *REFERENCES):
                if isinstance(entry.get(ref), str):
                    entry[ref] = names.get(entry[ref], entry[ref])
            edits.append(Edit(("interfaces", new), entry))
    edits.extend(_placed(design, live, fresh, names))
    return edits, [names[k] for k in fresh]


def _placed(design: Snapshot, live: Snapshot, fresh: list[str], names: dict[str, str]
            ) -> list[Edit]:
    """Layout entries for the copied objects: as on the host, right of the design."""
    spots = {k: live.layout[k] for k in fresh if k in live.layout}
    if not spots:
        return []
    right = max((x for x, _y in design.layout.values()), default=-GAP) + GAP
    top = min((y for _x, y in design.layout.values()), default=0.0)
    left = min(x for x, _y in spots.values())
    high = min(y for _x, y in spots.values())
    return [Edit(("layout", names[k]), position(x - left + right, y - high + top))
            for k, (x, y) in spots.items()]
