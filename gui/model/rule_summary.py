"""What a place's packet rules say, in a line each: for badges, tooltips and uplink labels.

The canvas marks a namespace, a bridge port or the host that has forwarding, NAT or filter
rules, and its tooltip reads "input: drop by default, 3 rules; NAT: masquerade
172.17.0.0/16 out wlp2s0". NAT and published ports are also written next to the interface
they leave or arrive through (the uplink), which is where a reader of the drawing looks for
them. Reads the plain data of the file, so a half-typed design still gets its summary.
"""

from __future__ import annotations

from typing import Any

from netwright.backend.count_words import counted
from netwright.gui.model.rule_rows import HOOKS, PORT_SIDES, forwarding_value, nat_kind
from netwright.gui.model.snapshot import Snapshot


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def chain_line(name: str, chain: Any) -> str | None:
    """``input: drop by default, 3 rules, replies accepted``."""
    if not isinstance(chain, dict):
        return None
    rules = chain.get("rules")
    count = len(rules) if isinstance(rules, list) else 0
    parts = [f"{chain.get('policy') or 'accept'} by default",
             counted(count, "rule")]
    if chain.get("stateful"):
        parts.append("replies accepted (stateful)")
    return f"{name}: {', '.join(parts)}"


def nat_text(entry: Any) -> str:
    """``masquerade 172.17.0.0/16 out wlp2s0``, ``publish tcp 8080 on wlp2s0 → 172.17.0.2:80``."""
    kind = nat_kind(entry)
    spec = _mapping(entry.get(kind)) if kind else {}
    if kind == "masquerade":
        return f"masquerade {spec.get('from', '?')} out {spec.get('out', '?')}"
    if kind == "snat":
        return f"snat {spec.get('from', '?')} out {spec.get('out', '?')} to {spec.get('to', '?')}"
    if kind == "publish":
        on = spec.get("address") or spec.get("in")
        return f"publish {publish_text(spec)}" if not on else \
            f"publish {publish_text(spec).replace(' →', f' on {on} →', 1)}"
    return "unreadable NAT entry"


def publish_text(spec: dict[str, Any]) -> str:
    """``tcp 8080 → 172.17.0.2:80``."""
    port = spec.get("port", "?")
    return f"{spec.get('proto') or 'tcp'} {port} → {spec.get('to', '?')}:" \
           f"{spec.get('to-port') or port}"


def place_lines(place: Any) -> list[str]:
    """Forwarding, each filter hook and each NAT entry of the host or a namespace."""
    spec = _mapping(place)
    lines = []
    forwarding = _mapping(spec.get("forwarding"))
    settings = {family: forwarding_value(forwarding.get(family)) for family in ("ipv4", "ipv6")}
    said = [f"{family.replace('ipv', 'IPv')} {'on' if on else 'off'}"
            for family, on in settings.items() if on is not None]  # ``yes`` is on, too
    if said:
        lines.append("forwarding: " + ", ".join(said))
    firewall = _mapping(spec.get("firewall"))
    lines += [line for hook in HOOKS if (line := chain_line(hook, firewall.get(hook)))]
    nat = spec.get("nat")
    if isinstance(nat, list):
        lines += [f"NAT: {nat_text(entry)}" for entry in nat]
    return lines


def port_lines(link: Any) -> list[str]:
    """The port firewall of a bridge port."""
    spec = _mapping(_mapping(link).get("port-firewall"))
    lines = [line for side in PORT_SIDES if (line := chain_line(side, spec.get(side)))]
    spoofing = _mapping(spec.get("anti-spoofing"))
    if spoofing:
        owned = [str(spoofing["mac"])] if spoofing.get("mac") else []
        ips = spoofing.get("ips")
        owned += [str(ip) for ip in ips] if isinstance(ips, list) else []
        lines.append("anti-spoofing: only " + (", ".join(owned) or "nothing"))
    return lines


def uplink_labels(snapshot: Snapshot) -> dict[str, list[str]]:
    """Canvas key → the NAT lines drawn beside it: masquerade/SNAT on the interface named
    as ``out``, published ports on the one named as ``in``."""
    labels: dict[str, list[str]] = {}
    places: list[tuple[str | None, Any]] = [(None, snapshot.host)]
    places += list(snapshot.namespaces.items())
    for namespace, place in places:
        nat = _mapping(place).get("nat")
        for entry in nat if isinstance(nat, list) else []:
            kind = nat_kind(entry)
            spec = _mapping(entry.get(kind)) if kind else {}
            name = spec.get("in") if kind == "publish" else spec.get("out")
            key = snapshot.key_named(str(name), namespace) if name else None
            if key is None:
                continue
            if kind == "publish":
                text = publish_text(spec)
            elif kind == "snat":
                text = f"snat {spec.get('from', '?')} → {spec.get('to', '?')}"
            else:
                text = f"masquerade {spec.get('from', '?')}"
            labels.setdefault(key, []).append(text)
    return labels



def port_rules_gone(snapshot: Snapshot, edits: list[Any]) -> str:
    """The status bar's note when an edit takes ports out of their bridge with their port
    firewall, short enough for a 1024 px window ("veth-c1 left docker0, its port firewall
    with it (Undo brings both back)"); "" when no port firewall went. ``snapshot``: the
    design before the edit."""
    left: dict[str, list[str]] = {}
    for edit in edits:
        path = tuple(getattr(edit, "path", ()))
        if len(path) != 3 or path[0] != "interfaces" or path[2] != "port-firewall":
            continue
        bridge = snapshot.interfaces.get(str(path[1]), {}).get("master")
        left.setdefault(str(bridge) if isinstance(bridge, str) else "its bridge",
                        []).append(str(path[1]))
    if not left:
        return ""
    ports = sum(len(keys) for keys in left.values())
    gone = "; ".join(f"{', '.join(keys)} left {bridge}" for bridge, keys in left.items())
    if ports == 1:
        return f"{gone}, its port firewall with it (Undo brings both back)"
    return f"{gone}, their port firewalls with them (Undo brings them back)"
