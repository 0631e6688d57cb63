"""The open design against the observed live host: what is missing, extra or drifted.

Both sides are snapshots (plain data). Objects are matched as the kernel knows them, not by
file key: a namespace by its name (the key, as the engine names it on disk), an interface by
its namespace and kernel name (``name:`` or the key), a host NIC by name. A matched pair
differs ("drifted") when the kind, the static addresses, the MTU the design sets, the state or
what it leans on (peer, parent, master, vxlan dev) differ. Nothing here reads the kernel.

``overlay`` gives the live host's data with the design's missing objects added (under their
design keys, or ``KEY (design)`` where the host uses that key for something else), so the
canvas can draw all three kinds of difference in one picture.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from netwright.gui.model.live_host_state import (
    HOST_KEY,
    host_state_differences,
    namespace_forwarding_drift,
)
from netwright.gui.model.snapshot import Snapshot

MISSING, EXTRA, DRIFTED = "missing", "extra", "drifted"
REFERENCES = ("peer", "parent", "master", "dev")


@dataclass(frozen=True)
class Difference:
    """One row of the comparison: ``key`` is the object's key in the overlay picture."""

    kind: str  # MISSING (in the design, not on the host), EXTRA (on the host only), DRIFTED
    key: str
    design_key: str | None
    live_key: str | None
    text: str


@dataclass
class Comparison:
    differences: list[Difference] = field(default_factory=list)
    design_to_live: dict[str, str] = field(default_factory=dict)
    live_to_design: dict[str, str] = field(default_factory=dict)
    overlay_keys: dict[str, str] = field(default_factory=dict)  # design key → overlay key
    not_compared: list[str] = field(default_factory=list)  # what nobody looked at, said

    def counts(self) -> dict[str, int]:
        out = {MISSING: 0, EXTRA: 0, DRIFTED: 0}
        for item in self.differences:
            out[item.kind] += 1
        return out

    def summary(self) -> str:
        counts = self.counts()
        if not any(counts.values()):
            said = "the host matches the design"
        else:
            said = (f"{counts[MISSING]} missing on the host, {counts[EXTRA]} extra on the host,"
                    f" {counts[DRIFTED]} drifted")
        if self.not_compared:
            said += f"; not compared: {'; '.join(self.not_compared)}"
        return said


def has_existing(snapshot: Snapshot) -> bool:
    """True when the design references objects someone else made (``existing: true``)."""
    return any(entry.get("existing") is True for entry in (
        *snapshot.namespaces.values(), *snapshot.interfaces.values()))


def _identity(snapshot: Snapshot, key: str) -> tuple[str, str | None, str] | None:
    """How the kernel knows ``key``: (section, namespace, name)."""
    if key in snapshot.namespaces:
        return ("namespace", None, key)
    if key in snapshot.nics:
        return ("link", None, key)
    if key in snapshot.interfaces:
        entry = snapshot.interfaces[key]
        return ("link", snapshot.namespace_of(key), str(entry.get("name") or key))
    return None


def _where(namespace: str | None) -> str:
    return f"namespace {namespace}" if namespace else "the host"


def _what(snapshot: Snapshot, key: str) -> str:
    """"veth obsvh1 in the host", "namespace obs-red", "NIC wlp2s0"."""
    ident = _identity(snapshot, key)
    if ident is None:
        return key
    if ident[0] == "namespace":
        return f"namespace {key}"
    if key in snapshot.nics:
        return f"NIC {key}"
    return f"{snapshot.kind_of(key)} {ident[2]} in {_where(ident[1])}"


def _statics(entry: dict[str, Any]) -> tuple[set[str], bool]:
    addresses = entry.get("addresses")
    if not isinstance(addresses, list):
        return set(), False
    statics = {str(a) for a in addresses if isinstance(a, str) and a != "dhcp"}
    return statics, len(statics) < len(addresses)


def _entry(snapshot: Snapshot, key: str) -> dict[str, Any]:
    return snapshot.interfaces.get(key) or snapshot.nics.get(key) or {}


def drift(design: Snapshot, live: Snapshot, design_key: str, live_key: str,
          design_to_live: dict[str, str]) -> list[str]:
    """What differs between a matched pair, one short phrase each ("MTU 1500 → 1400")."""
    if design_key in design.namespaces:
        return namespace_forwarding_drift(design.namespaces[design_key],
                                          live.namespaces.get(live_key, {}))
    want, have = _entry(design, design_key), _entry(live, live_key)
    out: list[str] = []
    if design_key in design.interfaces and live_key in live.interfaces \
            and design.kind_of(design_key) != live.kind_of(live_key):
        out.append(f"kind {design.kind_of(design_key)} → {live.kind_of(live_key)}")
    statics, dynamic = _statics(want)
    observed = set(live.addresses_of(live_key))
    if (statics - observed) or (not dynamic and "addresses" in want and observed - statics):
        shown = ", ".join(sorted(statics)) or "none"
        out.append(f"addresses {shown} → {', '.join(sorted(observed)) or 'none'}")
    if "mtu" in want and "mtu" in have and str(want["mtu"]) != str(have["mtu"]):
        out.append(f"MTU {want['mtu']} → {have['mtu']}")
    if design_key in design.interfaces:
        wanted_state = str(want.get("state", "up"))
        state = str(have.get("state", "up"))
        if wanted_state != state:
            out.append(f"state {wanted_state} → {state}")
    for ref in REFERENCES:
        wanted_ref, observed_ref = want.get(ref), have.get(ref)
        if wanted_ref is None and observed_ref is None:
            continue
        if wanted_ref is None or design_to_live.get(str(wanted_ref)) != observed_ref:
            out.append(f"{ref} {wanted_ref or 'none'} → {observed_ref or 'none'}")
    return out


def compare(design: Snapshot, live: Snapshot,
            host: Mapping[str, Any] | None = None) -> Comparison:
    """Match ``design`` against ``live`` and list every difference (missing, extra, drifted),
    in the design's order, then the host's, then the host's forwarding, NAT and firewall
    against ``host`` (what the backend read of them beside the file; None or empty: not
    read, and the comparison says they were not compared)."""
    result = Comparison()
    by_identity: dict[tuple[str, str | None, str], str] = {}
    for key in (*live.namespaces, *live.nics, *live.interfaces):
        ident = _identity(live, key)
        if ident is not None:
            by_identity.setdefault(ident, key)
    design_keys = [*design.namespaces, *design.nics, *design.interfaces]
    for key in design_keys:
        ident = _identity(design, key)
        hit = by_identity.get(ident) if ident is not None else None
        if hit is not None and hit not in result.live_to_design:
            result.design_to_live[key] = hit
            result.live_to_design[hit] = key
    taken = set(live.namespaces) | set(live.nics) | set(live.interfaces)
    for key in design_keys:
        live_key = result.design_to_live.get(key)
        if live_key is None:
            overlay_key = key if key not in taken else f"{key} (design)"
            taken.add(overlay_key)
            result.overlay_keys[key] = overlay_key
            result.differences.append(Difference(
                MISSING, overlay_key, key, None,
                f"{_what(design, key)}: in the design, not on the host"))
            continue
        result.overlay_keys[key] = live_key
        changes = drift(design, live, key, live_key, result.design_to_live)
        if changes:
            result.differences.append(Difference(
                DRIFTED, live_key, key, live_key,
                f"{_what(live, live_key)}: {'; '.join(changes)}"))
    for key in (*live.namespaces, *live.nics, *live.interfaces):
        if key not in result.live_to_design:
            result.differences.append(Difference(
                EXTRA, key, None, key, f"{_what(live, key)}: on the host, not in the design"))
    rows, result.not_compared = host_state_differences(design, host or {})
    result.differences += [Difference(kind, HOST_KEY, None, None, text) for kind, text in rows]
    # the observation has no qdiscs: a designed impairment is said unchecked, not matched
    impaired = [key for key in design.interfaces if design.interfaces[key].get("impairment")]
    if impaired:
        result.not_compared.append(f"the impairment of {', '.join(impaired)} (delay, loss,"
                                   " rate …: Plan compares it with the kernel's)")
    return result


def overlay(live_data: dict[str, Any], design: Snapshot, result: Comparison) -> dict[str, Any]:
    """The live host's topology data plus the design's missing objects, references mapped
    to what they are called in the picture (a matched object: the host's key)."""
    data = copy.deepcopy(live_data)
    names = result.overlay_keys
    missing = [d.design_key for d in result.differences if d.kind == MISSING and d.design_key]
    for key in missing:
        overlay_key = names[key]
        if key in design.namespaces:
            data.setdefault("namespaces", {})[overlay_key] = {}
        elif key in design.nics:
            data.setdefault("host", {}).setdefault("nics", {})[overlay_key] = {
                k: v for k, v in design.nics[key].items() if k in ("addresses", "mac")}
        else:
            entry = {k: copy.deepcopy(v) for k, v in design.interfaces[key].items()
                     if k in ("kind", "name", "namespace", "addresses", "mtu", "state",
                              "mode", "vni", *REFERENCES)}
            if overlay_key != key and "name" not in entry:
                entry["name"] = key
            for ref in ("namespace", *REFERENCES):
                if isinstance(entry.get(ref), str):
                    entry[ref] = names.get(entry[ref], entry[ref])
            data.setdefault("interfaces", {})[overlay_key] = entry
    return data
