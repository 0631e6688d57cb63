"""The design's host forwarding, NAT and firewall against the live host's.

The imported file of the host leaves the host's own settings out (in a file they would be
Netwright's to own), so the backend hands them beside it: the host's IPv4/IPv6 forwarding
and the names of its nftables tables (``hostimport.host_state``). A design owns forwarding
it names (``host.forwarding``: absent is "left as it is", never compared), and its host NAT
and firewall live in the table ``inet netwright-<design>`` (a host port firewall in
``bridge netwright-<design>``). A matched namespace's forwarding is in its entry of the
file, and compared where the design says it. What cannot be compared is said as a note,
so the Compare dock never says "matches" about what nobody looked at.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netwright.backend.nft.ruleset import TABLE_PREFIX, table_name
from netwright.backend.topology.fields import FORWARDING_SYSCTLS
from netwright.gui.model.snapshot import Snapshot

HOST_KEY = ""  # a host setting has no object in the picture
_VERSIONS = (("ipv4", "IPv4"), ("ipv6", "IPv6"))


def _on_off(value: bool) -> str:
    return "on" if value else "off"


def _namespace_forwarding(entry: Mapping[str, Any], version: str) -> bool | None:
    """A namespace's forwarding as a file says it: ``forwarding:`` first, then its sysctl
    (None: not said)."""
    forwarding = entry.get("forwarding")
    if isinstance(forwarding, dict) and isinstance(forwarding.get(version), bool):
        return bool(forwarding[version])
    sysctls = entry.get("sysctls")
    value = sysctls.get(FORWARDING_SYSCTLS[version]) if isinstance(sysctls, dict) else None
    return None if value is None else str(value).strip() not in ("0", "false", "False")


def namespace_forwarding_drift(want: Mapping[str, Any], have: Mapping[str, Any]) -> list[str]:
    """How a matched namespace's forwarding differs ("IPv4 forwarding off → on"), where the
    design says it. The import writes a namespace's forwarding sysctls only when on, so an
    observed namespace without them does not forward."""
    out = []
    for version, label in _VERSIONS:
        wanted = _namespace_forwarding(want, version)
        seen = bool(_namespace_forwarding(have, version))
        if wanted is not None and wanted != seen:
            out.append(f"{label} forwarding {_on_off(wanted)} → {_on_off(seen)}")
    return out


def _forwarding(design: Snapshot, live: Mapping[str, Any]
                ) -> tuple[list[tuple[str, str]], list[str]]:
    wanted = design.host.get("forwarding")
    wanted = wanted if isinstance(wanted, dict) else {}
    seen = live.get("forwarding")
    seen = seen if isinstance(seen, dict) else {}
    rows: list[tuple[str, str]] = []
    notes: list[str] = []
    for key, label in _VERSIONS:
        want = wanted.get(key)
        if not isinstance(want, bool):
            continue  # the design leaves it as it is
        have = seen.get(key)
        if not isinstance(have, bool):
            notes.append(f"the host's {label} forwarding (not read)")
        elif want != have:
            rows.append(("drifted", f"the host's {label} forwarding: {_on_off(want)} →"
                                    f" {_on_off(have)}"))
    return rows, notes


def _wanted_tables(design: Snapshot) -> dict[str, str]:
    """The host tables the design makes, "family name" → what they hold."""
    name = table_name(design.name)
    out = {}
    if design.host.get("nat") or design.host.get("firewall"):
        out[f"inet {name}"] = "its NAT and firewall"
    if any(entry.get("port-firewall") for key, entry in design.interfaces.items()
           if design.namespace_of(key) is None):
        out[f"bridge {name}"] = "its port firewall"
    return out


def host_state_differences(design: Snapshot, live: Mapping[str, Any]
                           ) -> tuple[list[tuple[str, str]], list[str]]:
    """(kind, sentence) of each difference in the host's forwarding and Netwright's
    tables on the host, and notes naming what was not compared."""
    if not live:
        return [], ["the host's forwarding, NAT and firewall (this backend does not report"
                    " them)"]
    rows, notes = _forwarding(design, live)
    wanted = _wanted_tables(design)
    if "nftables-unread" in live:
        return rows, [*notes, f"the host's NAT and firewall (its nftables tables could not be"
                              f" read: {live['nftables-unread']})"]
    tables = [str(t) for t in live.get("nftables") or []]
    ours = [t for t in tables if t.partition(" ")[2].startswith(TABLE_PREFIX)]
    for table, holds in wanted.items():
        if table not in tables:
            rows.append(("missing", f"the host's table {table} ({holds}): in the design,"
                                    " not on the host"))
    for table in ours:
        if table not in wanted:
            rows.append(("extra", f"the host's table {table} (NAT or firewall): on the host,"
                                  " not in the design"))
    if any(t in tables for t in wanted):
        notes.append("the rules inside the host's NAT and firewall tables")
    inside = any(entry.get("nat") or entry.get("firewall")
                 for entry in design.namespaces.values()) or any(
        entry.get("port-firewall") for key, entry in design.interfaces.items()
        if design.namespace_of(key) is not None)
    if inside:
        notes.append("the NAT and firewalls inside namespaces")
    others = [t for t in tables if t not in ours]
    if others:
        notes.append(f"the host's other nftables tables ({', '.join(others)})")
    return rows, notes
