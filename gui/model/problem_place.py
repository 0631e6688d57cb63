"""Where in the designer a problem is changed, read from its path into the model.

A problem's path (``interfaces.br1.addresses[0]``, ``namespaces.n1.routes[0].via``,
``host.nics.eth1.gateway``) says which object and which of its fields is wrong; the designer
names the same place as the person reaches it: "select br1, Inspector › Addresses". Read
from the path, never from the sentence, so it holds for every problem code, present and
future. Pure: no Qt.
"""

from __future__ import annotations

from netwright.backend.topology.problems import ModelPath
from netwright.gui.model.field_words import FIELD_LABELS

_PACKETS = "Forwarding, NAT and firewall"
_PLACE_SECTIONS = {"routes": "Routes", "forwarding": _PACKETS, "nat": _PACKETS,
                   "firewall": _PACKETS}
_NIC_LABELS = {"addresses": "Addresses", "gateway": "Gateway", "mac": "MAC"}


def where_to_change(path: ModelPath) -> str | None:
    """"select br1, Inspector › Addresses" for a field the Inspector edits; None for a
    path that names no such field (a whole object, a kind, a key the file alone has)."""
    parts = [p for p in path if isinstance(p, str)]
    if parts[:1] == ["host"] and len(parts) > 1 and parts[1] in _PLACE_SECTIONS:
        return f"select nothing, Inspector › {_PACKETS}"
    if len(parts) < 3:
        return None
    section, key, field = parts[0], parts[1], parts[2]
    if section == "interfaces":
        if field == "port-firewall":
            label: str | None = "Port firewall"
        elif field == "impairment":
            label = FIELD_LABELS.get(parts[3]) if len(parts) > 3 else None
        else:
            label = FIELD_LABELS.get(field)
    elif section == "namespaces":
        label = _PLACE_SECTIONS.get(field)
    elif section == "host" and key == "nics" and len(parts) > 3:
        key, label = parts[2], _NIC_LABELS.get(parts[3])
    else:
        return None
    return f"select {key}, Inspector › {label}" if label else None
