"""Where in the designer a problem is changed, read from its path into the model.

A problem's path (``interfaces.br1.addresses[0]``, ``namespaces.n1.routes[0].via``,
``host.nics.eth1.gateway``) says which object and which of its fields is wrong; the designer
names the same place as the person reaches it: "select br1, Inspector › Addresses". Read
from the path, never from the sentence, so it holds for every problem code, present and
future. Pure: no Qt.
"""

from __future__ import annotations

from collections.abc import Callable

from netwright.backend.topology.problems import ModelPath
from netwright.gui.model.field_words import FIELD_LABELS, TOPOLOGY_LABELS

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


# a list's entries, one by one: "route 2", "address 1", "NAT entry 1"
_ENTRY = {"routes": "route", "addresses": "address", "rules": "rule", "nat": "NAT entry",
          "nics": "NIC", "members": "member", "ips": "address"}
# parts that are no Inspector field of their own
_PART_WORDS = {"routes": "routes", "forwarding": "forwarding", "nat": "NAT",
               "firewall": "firewall", "port-firewall": "port firewall",
               "impairment": "impairment", "to-port": "to-port chain",
               "from-port": "from-port chain", "input": "input chain",
               "output": "output chain", "forward": "forward chain",
               "anti-spoofing": "anti-spoofing", "nics": "NICs", "sysctls": "sysctls"}


def place_words(path: ModelPath, kind_of: Callable[[str], str] | None = None) -> str:
    """Where a problem is, in the designer's words: ``namespaces.net1`` → "namespace net1",
    ``interfaces.macvlan1.parent`` → "macvlan1's parent", ``namespaces.n1.routes[0].via`` →
    "n1's route 1 › via", ``host.nics.eth1.gateway`` → "eth1's gateway". ``kind_of`` names
    a whole interface by its kind ("veth v2"). The model path itself is the file's word
    (the tooltip shows it)."""
    parts = list(path)
    if not parts:
        return "the design"
    head = parts[0]
    if isinstance(head, str) and head in TOPOLOGY_LABELS and len(parts) == 1:
        return TOPOLOGY_LABELS[head]
    if head == "netwright":
        return "the file's format version"
    if head == "host":
        if len(parts) >= 3 and parts[1] == "nics":
            nic = str(parts[2])
            return f"NIC {nic}" if len(parts) == 3 else f"{nic}'s {_field_words(parts[3:])}"
        return "the host" if len(parts) == 1 else f"the host's {_field_words(parts[1:])}"
    if head in ("namespaces", "interfaces") and len(parts) >= 2:
        key = str(parts[1])
        if len(parts) > 2:
            return f"{key}'s {_field_words(parts[2:])}"
        if head == "namespaces":
            return f"namespace {key}"
        kind = kind_of(key) if kind_of is not None else ""
        return f"{kind} {key}" if kind and kind != "?" else f"interface {key}"
    return _field_words(parts)


def _field_words(parts: list[str | int]) -> str:
    """``routes[0].via`` → "route 1 › via"; a field by the Inspector's label, lower-cased
    unless it is an abbreviation ("MTU", "VLAN id")."""
    words: list[str] = []
    for index, part in enumerate(parts):
        if isinstance(part, int):
            before = parts[index - 1] if index else ""
            entry = _ENTRY.get(str(before))
            if entry is not None and words:
                words[-1] = f"{entry} {part + 1}"
            else:
                words.append(f"entry {part + 1}")
            continue
        label = _PART_WORDS.get(part) or FIELD_LABELS.get(part) or part
        if len(label) > 1 and label[1].islower():
            label = label[0].lower() + label[1:]
        words.append(label)
    return " › ".join(words)
