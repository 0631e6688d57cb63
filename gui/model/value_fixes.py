"""Fixes that set one field to the value the sentence names: "MTU 1500 on mv", "VNI 42 on
u2-vx", "Remote 10.50.0.1 on u2-vx".

Validation's MTU and VXLAN findings end with the value that would make both ends agree
(``'mtu: 1500' on mv, or 'mtu: 9000' on br0``), and the explainer's MTU fix names the MTU of
the rest of the path. Each such value on an interface of the design is an edit the designer
can make by itself: one option when the sentence names one, a choice when it names several.
Read from the contract's sentence (its quoted ``'key: value' on KEY``), for the fields the
Inspector edits. Pure: no Qt.
"""

from __future__ import annotations

import re
from typing import Any

from netwright.gui.model.document import Edit
from netwright.gui.model.field_words import FIELD_LABELS
from netwright.gui.model.snapshot import Snapshot

VALUE_CODES = frozenset({"mtu-mismatch", "vxlan-mtu-overhead", "vxlan-vni-mismatch",
                         "vxlan-port-mismatch", "vxlan-remote-unmatched"})
_FIELDS = ("mtu", "vni", "port", "remote")
_ON = re.compile(r"'(?P<field>[a-z]+): (?P<value>[^'\s]+)' on (?P<key>[^\s,;)]+)")
_PATH_MTU = re.compile(r"^give (?P<key>\S+) the MTU of the rest of its path \('mtu:"
                       r" (?P<value>\d+)'\)")

Option = tuple[str, tuple[Edit, ...]]


def value_options(snapshot: Snapshot, sentence: str) -> list[Option]:
    """("Set MTU 1500 on mv", its edit) for each field value the sentence asks for."""
    found = [(m["field"], m["value"], m["key"]) for m in _ON.finditer(sentence)]
    path_mtu = _PATH_MTU.search(sentence)
    if path_mtu:
        found.insert(0, ("mtu", path_mtu["value"], path_mtu["key"]))
    options: list[Option] = []
    for field, value, key in found:
        if field in _FIELDS and key in snapshot.interfaces:
            typed: Any = int(value) if value.isdigit() else value
            options.append((f"Set {FIELD_LABELS[field]} {value} on {key}",
                            (Edit(("interfaces", key, field), typed),)))
    return options
