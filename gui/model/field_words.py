"""The Inspector's name for each key of the file, and the rewrite of quoted ``'key: value'``.

Validation and the explainer quote the file (``'mtu: 1400' on mv``, ``'port: 4789'``,
``'vni: 42'``); the designer shows the same value as a labelled Inspector field ("MTU 1400 on
mv"). One table, kept equal to the Inspector's own labels by a test
(tests/gui/test_wording_complete.py), so a renamed field cannot leave a sentence pointing at
a label that no longer exists. Keys with no Inspector field of their own (a firewall rule's
``proto``, a route's ``via``) are table columns named as in the file: they lose only their
quotes and colon. Pure text: no Qt.
"""

from __future__ import annotations

import re

# file key → the Inspector's label (gui/docks/inspector.py FieldSpec labels)
FIELD_LABELS: dict[str, str] = {
    "name": "Kernel name", "namespace": "Namespace", "addresses": "Addresses", "mtu": "MTU",
    "mac": "MAC", "state": "State", "master": "Bridge (master)",
    "persist": "Persist (NetworkManager)", "stp": "STP", "vlan-filtering": "VLAN filtering",
    "peer": "Peer", "parent": "Parent", "mode": "Mode", "flag": "Flag", "id": "VLAN id",
    "protocol": "Protocol", "vni": "VNI", "remote": "Remote", "group": "Group",
    "local": "Local", "port": "UDP port", "dev": "Underlay (dev)", "gateway": "Gateway",
    "delay": "Delay", "jitter": "Jitter", "loss": "Loss", "duplicate": "Duplication",
    "reorder": "Reordering", "corrupt": "Corruption", "rate": "Rate limit",
}

# the top of the file: its own fields (the Inspector with nothing selected); there ``name`` is
# the topology's, not an interface's kernel name
TOPOLOGY_LABELS: dict[str, str] = {"name": "Topology name", "description": "Description"}

_PAIR = re.compile(r"'(?P<key>[a-z][\w-]*): (?P<value>[^'{}\[\]]+)'")
_BARE = re.compile(r"'(?P<key>[a-z][\w-]*):?'")


def labelled_values(text: str, columns: frozenset[str] = frozenset()) -> str:
    """``'mtu: 1400' on mv`` → "MTU 1400 on mv (Inspector › MTU)": every quoted ``key: value``
    of a known field by its label, and where to change it said once at the end; a quoted
    key alone (``for 'mode'``) by its label; other quoted pairs (``'proto: tcp'``, a rules
    column) without quotes. ``columns``: keys the sentence means as a rules or NAT table's
    column, named as its header is (a published 'port' is no VXLAN "UDP port")."""
    used: list[str] = []

    def label_of(key: str) -> str | None:
        return None if key in columns else FIELD_LABELS.get(key)

    def pair(found: re.Match[str]) -> str:
        label = label_of(found["key"])
        if label is None:
            return f"{found['key']} {found['value']}"
        if label not in used:
            used.append(label)
        return f"{label} {found['value']}"

    def bare(found: re.Match[str]) -> str:
        return label_of(found["key"]) or found[0]

    text = _BARE.sub(bare, _PAIR.sub(pair, text))
    if used and "Inspector" not in text:
        where = f"Inspector › {', '.join(used)}"
        # "(MTU 1400 on v1, or MTU 1500 on v2; Inspector › MTU)": one parenthesis, not two
        text = f"{text[:-1]}; {where})" if text.endswith(")") else f"{text} ({where})"
    return text
