"""Firewall chains and NAT entries as table rows, and each table gesture as ``Edit``s.

The inspector shows a chain's rules and a place's NAT entries as tables; this module says
what a cell means in the file (``dport`` "22" is the number 22, ``state`` "new, established"
a list) and which edits a gesture makes: a cell is one field of one entry, so the rest of the
entry (and any comment on it) stays; a moved row is the very node taken out and put back, so
its comments travel with it. Pure: no Qt, tested without a window.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any

from pydantic import TypeAdapter, ValidationError

from netwright.gui.model.document import DELETE, Edit
from netwright.gui.model.snapshot import Snapshot

Path = tuple[Any, ...]
Getter = Callable[[Path], Any]

RULE_COLUMNS = ("action", "proto", "dport", "sport", "from", "to", "in", "out", "state",
                "comment")
RULE_CHOICES = {"action": ("accept", "drop", "reject"),
                "proto": ("", "tcp", "udp", "icmp", "icmpv6")}
NAT_KINDS = ("masquerade", "snat", "publish")
NAT_COLUMNS = ("type", "from", "out", "to", "proto", "port", "in", "address", "to-port")
NAT_FIELDS = {"masquerade": ("from", "out"), "snat": ("from", "out", "to"),
              "publish": ("proto", "port", "in", "address", "to", "to-port")}
HOOKS = ("input", "forward", "output")
PORT_SIDES = ("to-port", "from-port")
_NUMBERS = {"dport", "sport", "port", "to-port"}


def cell_value(column: str, text: str) -> Any:
    """What a typed cell means in the file; DELETE for an empty cell."""
    text = text.strip()
    if not text:
        return DELETE
    if column == "state":
        return [part for part in re.split(r"[,\s]+", text) if part]
    if column in _NUMBERS and text.isdigit():
        return int(text)
    return text


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def rule_cells(rule: Any) -> list[str]:
    entry = rule if isinstance(rule, dict) else {}
    return [cell_text(entry.get(column)) for column in RULE_COLUMNS]


def nat_kind(entry: Any) -> str:
    """The kind of a NAT entry as written (``masquerade``, ``snat``, ``publish``; "" if none)."""
    if isinstance(entry, dict):
        return next((k for k in entry if k in NAT_KINDS), "")
    return ""


def nat_cells(entry: Any) -> list[str]:
    kind = nat_kind(entry)
    spec = entry.get(kind) if kind else None
    spec = spec if isinstance(spec, dict) else {}
    return [kind, *(cell_text(spec.get(c)) if c in NAT_FIELDS.get(kind, ()) else ""
                    for c in NAT_COLUMNS[1:])]


# -- chains -----------------------------------------------------------------------------------


def rule_cell_edits(get: Getter, chain: Path, row: int, column: str, text: str) -> list[Edit]:
    """One cell typed: that field of that rule (nothing when it already says so)."""
    path = (*chain, "rules", row, column)
    value = cell_value(column, text)
    if cell_text(get(path)) == cell_text(None if value is DELETE else value):
        return []
    return [Edit(path, value)]


PORT_WAITS_FOR_PROTOCOL = frozenset({"rule-port-without-protocol"})
"""The error of a rule with a port and no tcp/udp: what a port typed first waits for."""


def protocol_wanted(rules: list[Any]) -> str:
    """What the rules with a port and no protocol still need, in a sentence ("" if none):
    "Rule 2 has dport 443 but no protocol yet: choose tcp or udp in its proto column"."""
    waiting = []
    for row, rule in enumerate(rules):
        if not isinstance(rule, dict) or rule.get("proto") in ("tcp", "udp"):
            continue
        ports = [f"{c} {rule[c]}" for c in ("dport", "sport") if rule.get(c) is not None]
        if ports:
            waiting.append(f"Rule {row + 1} has {' and '.join(ports)}")
    if not waiting:
        return ""
    its = "its" if len(waiting) == 1 else "their"
    return (f"{'; '.join(waiting)} but no protocol yet: choose tcp or udp in {its} proto"
            " column (only TCP and UDP have ports).")


def add_rule_edits(get: Getter, chain: Path, after: int | None) -> tuple[list[Edit], int]:
    """A new ``accept`` rule after row ``after`` (at the end when None); returns its row."""
    rules = get((*chain, "rules"))
    if not isinstance(rules, list):
        return [Edit((*chain, "rules"), [{"action": "accept"}])], 0
    row = len(rules) if after is None else min(after + 1, len(rules))
    return [Edit((*chain, "rules", row), {"action": "accept"}, row)], row


def remove_row_edits(get: Getter, table: Path, row: int) -> list[Edit]:
    """Take row ``row`` out of the list at ``table``; the list goes when it empties, and
    the sections it leaves empty with it (``removal_edits``)."""
    rows = get(table)
    if not isinstance(rows, list) or not 0 <= row < len(rows):
        return []
    return removal_edits(get, (*table, row))


def move_row_edits(get: Getter, table: Path, row: int, step: int) -> list[Edit]:
    """Row ``row`` one place up (step -1) or down (+1): the same node, comments and all."""
    rows = get(table)
    target = row + step
    if not isinstance(rows, list) or not (0 <= row < len(rows) and 0 <= target < len(rows)):
        return []
    return [Edit((*table, row), DELETE), Edit((*table, target), rows[row], target)]


def policy_edits(get: Getter, chain: Path, policy: str) -> list[Edit]:
    """The chain's policy set to ``policy``; nothing when it already is (an absent chain's
    is accept): picking the policy shown made a chain ``{policy: accept}`` out of none, a
    firewall on the host that Apply then put on trial."""
    current = get((*chain, "policy")) or "accept"
    if current == policy:
        return []
    if policy == "accept" and _says_nothing_without(get, chain, "policy"):
        return removal_edits(get, chain)
    return [Edit((*chain, "policy"), policy)]


def stateful_edits(get: Getter, chain: Path, on: bool) -> list[Edit]:
    if bool(get((*chain, "stateful"))) == on:
        return []
    if not on and _says_nothing_without(get, chain, "stateful"):
        return removal_edits(get, chain)
    return [Edit((*chain, "stateful"), True if on else DELETE)]


def remove_rule_edits(get: Getter, chain: Path, row: int) -> list[Edit]:
    """Take rule ``row`` out of ``chain``. The last rule of a chain that says nothing else
    (policy accept, not stateful) takes the chain along, and the firewall section when that
    was its last chain: adding a rule and removing it left ``input: {}``, a firewall that
    Apply made (on trial, on the host) though it filters nothing."""
    rules = (*chain, "rules")
    edits = remove_row_edits(get, rules, row)
    if edits == [Edit(rules, DELETE)] and _says_nothing_without(get, chain, "rules"):
        return removal_edits(get, chain)
    return edits


def _says_nothing_without(get: Getter, chain: Path, key: str) -> bool:
    """Whether ``chain`` without ``key`` accepts everything: no rules, policy accept, not
    stateful, nothing else written in it."""
    entry = get(chain)
    if not isinstance(entry, dict):
        return False
    rest = {k: v for k, v in entry.items() if k != key}
    return set(rest) <= {"policy", "stateful", "rules"} and \
        (rest.get("policy") or "accept") == "accept" and not rest.get("stateful") and \
        not rest.get("rules")


def removal_edits(get: Getter, path: Path) -> list[Edit]:
    """``path`` removed, and each holder it leaves empty up to the place: the ``firewall``,
    ``nat`` or ``forwarding`` of the host or a namespace, a port's ``port-firewall``, and
    ``host`` itself. Removing the host's last chain left ``host: {}`` in a file that had no
    ``host:`` before the chain was added. A namespace or an interface is never removed (an
    empty namespace is still one)."""
    while _may_go(path[:-1]):
        holder = get(path[:-1])
        if isinstance(holder, dict):
            others = [k for k in holder if k != path[-1]]
        elif isinstance(holder, list):
            others = holder[1:]  # the one left would be ``path``'s own (or none)
        else:
            break
        if others:
            break
        path = path[:-1]
    return [Edit(path, DELETE)]


def as_written(edits: list[Edit], get: Getter,
               written_empty: Callable[[Path], bool]) -> list[Edit]:
    """``edits`` with each removal of a section the file writes empty (``host: {}``) made
    an emptying instead: the removals above climb to the highest holder left empty, and a
    file's explicit ``host: {}`` went with the host's last chain, an edit of something else."""
    out = []
    for edit in edits:
        current = get(edit.path)
        if edit.value is DELETE and _may_go(edit.path) and written_empty(edit.path) and \
                isinstance(current, dict | list):
            out.append(Edit(edit.path, {} if isinstance(current, dict) else []))
        else:
            out.append(edit)
    return out


def _may_go(section: Path) -> bool:
    """Whether an emptied ``section`` says nothing and may leave the file: the host's
    sections (``host`` too), and those inside a namespace's or an interface's entry."""
    if not section:
        return False
    if section[0] == "host":
        return True
    return section[0] in ("namespaces", "interfaces") and len(section) >= 3


# -- NAT --------------------------------------------------------------------------------------


def nat_cell_edits(get: Getter, nat: Path, row: int, column: str, text: str, *,
                   snapshot: Snapshot | None = None, namespace: str | None = None
                   ) -> list[Edit]:
    """One NAT cell typed; the type column turns the entry into another kind, keeping the
    fields both kinds have and (given the design's ``snapshot``) filling those the new kind
    needs as Add… does: masquerade → snat was refused ("snat needs 'to'"), and a
    masquerade has no 'to' cell to fill first, so the type column could never make one."""
    entry = get((*nat, row))
    kind = nat_kind(entry)
    if column == "type":
        wanted = text.strip()
        if wanted == kind or wanted not in NAT_KINDS:
            return []
        old = entry.get(kind) if kind and isinstance(entry.get(kind), dict) else {}
        # masquerade and snat share 'from' and 'out'; a publish's 'to' is where packets
        # go, an snat's the source they get: nothing of one means the same in the other
        same = {kind, wanted} <= {"masquerade", "snat"}
        kept = {k: v for k, v in old.items() if same and k in NAT_FIELDS[wanted]}
        if snapshot is not None:
            others = [e for i, e in enumerate(get(nat) or []) if i != row]
            kept = {**_new_spec(snapshot, wanted, namespace, others), **kept}
        return [Edit((*nat, row), {wanted: kept})]
    if column not in NAT_FIELDS.get(kind, ()):
        return []
    path = (*nat, row, kind, column)
    value = cell_value(column, text)
    if cell_text(get(path)) == cell_text(None if value is DELETE else value):
        return []
    return [Edit(path, value)]


def add_nat_edits(snapshot: Snapshot, get: Getter, nat: Path, kind: str,
                  namespace: str | None) -> list[Edit]:
    """A new NAT entry of ``kind``, filled from the design so that it is valid at once:
    out of (or published on) the place's first uplink, for the first subnet behind it."""
    entries = get(nat)
    entry = {kind: _new_spec(snapshot, kind, namespace,
                             entries if isinstance(entries, list) else [])}
    if not isinstance(entries, list):
        return [Edit(nat, [entry])]
    return [Edit((*nat, len(entries)), entry, len(entries))]


def _new_spec(snapshot: Snapshot, kind: str, namespace: str | None,
              entries: list[Any]) -> dict[str, Any]:
    """The fields of a new ``kind`` entry beside ``entries``, guessed from the design (what
    it cannot guess is left out)."""
    uplink, inside, target = _guesses(snapshot, namespace)
    spec: dict[str, Any]
    if kind == "publish":
        spec = {"proto": "tcp", "port": _free_port(entries)}
        if uplink:
            spec["in"] = uplink
        spec.update({"to": target or "", "to-port": 80})
    else:
        spec = {"from": inside or "", "out": uplink or ""}
        if kind == "snat":
            spec["to"] = _first_address(snapshot, namespace, uplink) or ""
    return {k: v for k, v in spec.items() if v != ""}


def _free_port(entries: list[Any]) -> int:
    """8080, or the first port above it no published tcp entry of the place takes: a second
    publish of the same port never matches (the first one takes every such packet)."""
    taken = {spec.get("port") for spec in (e.get("publish") for e in entries
                                           if nat_kind(e) == "publish")
             if isinstance(spec, dict) and spec.get("proto", "tcp") == "tcp"}
    port = 8080
    while port in taken or str(port) in taken:
        port += 1
    return port


def nat_add_refusal(snapshot: Snapshot, kind: str, namespace: str | None) -> str | None:
    """Why Add… › ``kind`` cannot make a valid entry here yet, in the designer's terms: what
    to add first (the fields ``add_nat_edits`` fills from the design, and the design has
    nothing to fill them from); None when it can. The file's "masquerade needs 'out'" names a
    key the designer never shows."""
    uplink, inside, target = _guesses(snapshot, namespace)
    addressed = "an address (select it, Inspector › Addresses)"
    steps: list[str] = []
    if kind != "publish" and not uplink:
        steps.append("add a NIC of this machine (Host dock, double-click it) or an interface"
                     " in the host" if namespace is None else
                     f"add an interface to {namespace} (drag one from the palette into it)")
    if kind != "publish" and not inside:
        steps.append(f"give an interface {addressed}")
    if kind == "snat" and uplink and not _first_address(snapshot, namespace, uplink):
        steps.append(f"give {uplink} {addressed}")
    if kind == "publish" and not target:
        elsewhere = "a namespace" if namespace is None else f"a namespace other than {namespace}"
        steps.append(f"give an interface in {elsewhere} {addressed}")
    if not steps:
        return None
    return f"{_NAT_PURPOSE[kind]}: first {', and '.join(steps)}."


_NAT_PURPOSE = {
    "masquerade": "A masquerade rewrites the packets of a subnet as they leave by an interface",
    "snat": "SNAT rewrites the packets of a subnet to an address of the interface they leave by",
    "publish": "A published port forwards connections to an address in a namespace"}


def _guesses(snapshot: Snapshot, namespace: str | None) -> tuple[str, str, str]:
    """(the place's uplink, a subnet of another interface, an address in a namespace)."""
    if namespace is None:
        uplinks = [*snapshot.nics] or snapshot.interfaces_in(None)
    else:
        uplinks = snapshot.interfaces_in(namespace)
    uplink = uplinks[0] if uplinks else ""
    name = str(snapshot.interfaces.get(uplink, {}).get("name") or uplink)
    inside = target = ""
    for key in snapshot.interfaces:
        if key == uplink:
            continue
        for address in snapshot.addresses_of(key):
            try:
                interface = ipaddress.ip_interface(address)
            except ValueError:
                continue
            inside = inside or str(interface.network)
            if snapshot.namespace_of(key) not in (None, namespace):
                target = target or str(interface.ip)
    return name, inside, target


def _first_address(snapshot: Snapshot, namespace: str | None, name: str) -> str:
    """The first fixed address of the place's interface the kernel knows as ``name``."""
    key = snapshot.key_named(name, namespace)
    addresses = snapshot.addresses_of(key) if key is not None else []
    return next((a.split("/", 1)[0] for a in addresses if a != "dhcp"), "")


# -- forwarding and anti-spoofing -------------------------------------------------------------


def forwarding_value(value: Any) -> bool | None:
    """A forwarding setting as the model reads what the file says (``yes``, ``on`` and ``1``
    are true, as for pydantic); None when absent or not a setting at all (the Problems list
    says so). The Inspector's combo box showed only ``true``/``false`` and failed on the rest."""
    if value is None:
        return None
    try:
        return TypeAdapter(bool).validate_python(value)
    except ValidationError:
        return None


def forwarding_edits(get: Getter, base: Path, family: str, wanted: bool | None) -> list[Edit]:
    """``wanted`` None leaves the host's setting alone (the key goes; so does an empty
    ``forwarding``, and an empty ``host``)."""
    path = (*base, "forwarding", family)
    current = get(path)
    if forwarding_value(current) is wanted and (current is None) == (wanted is None):
        return []  # already so (``yes`` is on: it stays as written)
    if wanted is not None:
        return [Edit(path, wanted)]
    return removal_edits(get, path)


def spoofing_edits(get: Getter, spoofing: Path, field: str, value: Any) -> list[Edit]:
    """Anti-spoofing's ``field`` (``mac``, ``ips``) set, or removed when empty; emptied of
    both, the anti-spoofing goes too: ``anti-spoofing: {}`` stayed, and still made the
    port's from-port chain."""
    edits = field_edits(get, (*spoofing, field), value)
    entry = get(spoofing)
    if edits and value is DELETE and isinstance(entry, dict) and set(entry) <= {field}:
        return removal_edits(get, spoofing)
    return edits


def field_edits(get: Getter, path: Path, value: Any) -> list[Edit]:
    """A plain field (anti-spoofing's MAC or IPs): set, or removed when empty."""
    current = get(path)
    if cell_text(current) == cell_text(None if value is DELETE else value):
        return []
    return [Edit(path, value)]
