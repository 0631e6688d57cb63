"""The designer's words for the nftables rules a check's reason quotes.

The explainer names the rule that decided as nft lists it: "'meta l4proto tcp tcp dport 22
accept' in table inet netwright-web, chain input in a", or "'drop (the port's policy)' in
table bridge netwright-os, chain to-tap-vm2 in host". That is what a command-line user finds
with ``nft list ruleset``, and the CLI keeps it. Someone drawing sees chains and numbered
rules in the Inspector's Firewall tab and a bridge port's Port firewall, so the Checks dock
says "a's input chain (rule 1: accept tcp dport 22)" or "tap-vm2's to-port policy drop",
and keeps the nft table and chain after it so the rule stays findable in the kernel.
Tables of another topology (or not Netwright's) are not the design's: they stay as written.
Pure text: no Qt.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError

from netwright.backend.nft.ruleset import TABLE_PREFIX, rule_text
from netwright.backend.topology.firewall import Rule
from netwright.gui.model.rule_rows import HOOKS, RULE_COLUMNS, rule_cells
from netwright.gui.model.snapshot import take_snapshot

Getter = Callable[[Sequence[Any]], Any]

_NAME = r"[\w.@:+-]+"
_MENTION = re.compile(
    r"(?:(?:(?<=by )|^|(?<=; ))'(?P<rule>[^\n]*?)' in|the (?P<policy>accept|drop) policy of)"
    r" table (?P<family>inet|ip6?|bridge)"
    rf" {re.escape(TABLE_PREFIX)}(?P<topology>{_NAME}), chain (?P<chain>{_NAME})"
    rf"(?: in (?P<place>{_NAME}))?")
_PORT_POLICY = "drop (the port's policy)"
_STATEFUL = "ct state established,related accept"


def designer_chains(text: str, get: Getter) -> str:
    """``text`` with each mention of a chain of this design's tables in the designer's words
    (what ``get``, the document's reader, holds); other mentions stay as they are."""
    design = get(("name",))
    return _MENTION.sub(lambda found: _words(found, get) if found["topology"] == design
                        else found[0], text)


def _words(found: re.Match[str], get: Getter) -> str:
    nft = f"nft: table {found['family']} {TABLE_PREFIX}{found['topology']}, chain {found['chain']}"
    chain = found["chain"]
    port_side = next((side for side in ("to", "from") if chain.startswith(f"{side}-")), None)
    place = found["place"]
    if port_side is not None:
        port = chain.removeprefix(f"{port_side}-")
        owner, side = f"{port}'s", f"{port_side}-port"
        key, place = _port_of(port, side, found, get)
        rules: Any = get(("interfaces", key, "port-firewall", side, "rules")) if key else None
    elif chain in HOOKS:
        place = place or _place_of(found["rule"], chain, get)
        owner = "the host's" if place == "host" else f"{place}'s" if place else "the"
        side = f"{chain} chain"
        rules = get((*_firewall_path(place), chain, "rules")) if place else None
    else:  # a bridge hook's jump, or a chain the design does not name
        return found[0]
    # a port's chain says its place (an interface name is per namespace)
    after = f" in {place}" if port_side is not None and place else ""
    if found["policy"] is not None or found["rule"] == _PORT_POLICY:
        policy = found["policy"] or "drop"
        return f"{owner} {side} policy {policy} ({nft}){after}"
    number = _number(found["rule"], rules)
    what = (f"rule {number}: {_rule_words(rules[number - 1])}" if number else
            "its stateful accept of replies" if found["rule"] == _STATEFUL else
            f"the port firewall's own rule '{found['rule']}'" if port_side is not None else
            f"its rule '{found['rule']}'")  # ARP, neighbour discovery, anti-spoofing above
    return f"{owner} {side} ({what}; {nft}){after}"


def _firewall_path(place: str) -> tuple[Any, ...]:
    return ("host", "firewall") if place == "host" else ("namespaces", place, "firewall")


def _port_of(port: str, side: str, found: re.Match[str],
             get: Getter) -> tuple[str | None, str | None]:
    """(key, place) of the bridge port the kernel knows as ``port`` in the reason's place.
    A reason naming the accepting rule says no place: then the one port of that name, or
    the one of several whose ``side`` holds that rule. No key when that is not one."""
    snapshot = take_snapshot({"namespaces": get(("namespaces",)),
                              "interfaces": get(("interfaces",))})
    places = [found["place"]] if found["place"] else ["host", *snapshot.namespaces]
    keys = {place: key for place in places
            if (key := snapshot.key_named(port, None if place == "host" else place))}
    if len(keys) > 1:
        held = _one_holding(found["rule"], {place: get(("interfaces", key, "port-firewall",
                                                         side, "rules"))
                                             for place, key in keys.items()})
        keys = {held: keys[held]} if held else {}
    if len(keys) != 1:
        return None, found["place"]
    [(place, key)] = keys.items()
    return key, place


def _place_of(rule: str | None, chain: str, get: Getter) -> str | None:
    """The one place whose ``chain`` holds a rule reading ``rule`` (a reason that names the
    accepting rule does not say where it is); None when none or several do."""
    namespaces = get(("namespaces",))
    places = ["host", *(namespaces if isinstance(namespaces, dict) else ())]
    return _one_holding(rule, {place: get((*_firewall_path(place), chain, "rules"))
                               for place in places})


def _one_holding(rule: str | None, rules_of: dict[str, Any]) -> str | None:
    """The one owner whose rules hold the rule nft prints as ``rule``; None when none or
    several do."""
    holding = [owner for owner, rules in rules_of.items() if _number(rule, rules)]
    return holding[0] if len(holding) == 1 else None


def _number(text: str | None, rules: Any) -> int | None:
    """The 1-based number of the design's rule nft prints as ``text``."""
    if text is None or not isinstance(rules, list):
        return None
    for number, rule in enumerate(rules, 1):
        try:
            if isinstance(rule, dict) and rule_text(Rule.model_validate(rule)) == text:
                return number
        except ValidationError:
            continue
    return None


def _rule_words(rule: Any) -> str:
    """``accept tcp dport 22 from 10.0.0.0/24``: the rule's cells, by their column names."""
    return " ".join(value if column in ("action", "proto") else f"{column} {value}"
                    for column, value in zip(RULE_COLUMNS, rule_cells(rule), strict=True)
                    if value and column != "comment")
