"""What a Kubernetes export leaves out, in the designer's words.

The export names each loss by its place in the file (``host.nat[0]``,
``interfaces.br0.stp``): the command line's reader has the file open. Someone drawing
reads "the host's NAT entry 1 (masquerade 172.17.0.0/16 out wlp2s0)" or "br0's STP", as
the Problems dock names places; the file's path stays in the tooltip. Pure: no Qt.
"""

from __future__ import annotations

import re
from typing import Any

from netwright.backend.export.multus import NotCarried
from netwright.backend.topology.model import Topology
from netwright.backend.topology.problems import ModelPath, PathPart
from netwright.gui.model.problem_place import place_words
from netwright.gui.model.rule_summary import nat_text

# the designer's own control for what the command line's --nic does
RENAME_HINT = 'rename it in the designer\'s Export for Kubernetes, "{nic} on the nodes"'
MADE_BY = "the designer's File › Export for Kubernetes"

_INDEX = re.compile(r"\[(\d+)\]")


def model_path(where: str, topology: Topology) -> ModelPath:
    """``interfaces.eth0.100.mtu`` → ("interfaces", "eth0.100", "mtu"): a key may hold a
    dot (a VLAN's), so the design's own keys decide where it ends."""
    section, _, rest = where.partition(".")
    parts: list[PathPart] = [section]
    keys: dict[str, Any] = (topology.interfaces if section == "interfaces" else
                            topology.namespaces if section == "namespaces" else {})
    key = max((k for k in keys if rest == k or rest.startswith((f"{k}.", f"{k}["))),
              key=len, default=None)
    if key is not None:
        parts.append(key)
        rest = rest[len(key):].lstrip(".")
    for part in filter(None, rest.split(".")):
        name = _INDEX.split(part)
        parts += [int(piece) if index % 2 else piece for index, piece in enumerate(name)
                  if piece]
    return tuple(parts)


def not_carried_words(note: NotCarried, topology: Topology) -> str:
    """"the host's NAT entry 1 (masquerade 172.17.0.0/16 out wlp2s0): the node's
    masquerade: no reference CNI plugin writes the design's NAT on the node"."""
    path = model_path(note.where, topology)
    place = place_words(path)
    entry = _nat_entry(path, topology)
    if entry is not None:
        place += f" ({nat_text(entry)})"
    return f"{place}: {note.reason}"


def _nat_entry(path: ModelPath, topology: Topology) -> dict[str, Any] | None:
    """The plain NAT entry a ``…nat[i]`` path names, for its one-line summary."""
    if len(path) < 2 or path[-2] != "nat" or not isinstance(path[-1], int):
        return None
    spec = topology.host if path[0] == "host" else topology.namespaces.get(str(path[1]))
    nat = getattr(spec, "nat", None) or []
    index = path[-1]
    if index >= len(nat):
        return None
    dumped: dict[str, Any] = nat[index].model_dump(by_alias=True, exclude_none=True)
    return dumped
