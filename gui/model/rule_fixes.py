"""A check's firewall fix as one edit of the design: the rule to add, or the chain to change.

The explainer (``backend/checks/flow.py``) words a denied flow's fix with the file's own
path and a rule in the file's own syntax: "add to namespaces.c1.firewall.input.rules:
{action: accept, proto: tcp, dport: 22, from: 10.0.0.1}", "in host.firewall.forward, put
{…} before 'ip saddr 10.0.0.0/24 drop' (or narrow that rule)", or "set 'stateful: true' on
interfaces.tap1.port-firewall.to-port". This module reads those sentences back into edits,
against the design as it is now; a sentence it cannot place (the quoted rule is gone, the
chain moved) gives no fix rather than a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from netwright.backend.nft.ruleset import rule_text
from netwright.backend.topology.firewall import Rule
from netwright.gui.model.document import Edit

Getter = Callable[[tuple[Any, ...]], Any]
RuleEdit = tuple[str, tuple[Edit, ...]]  # what the button says, and its edits
_STATEFUL = re.compile(r"^set 'stateful: true' on (\S+) ")
_BEFORE = re.compile(r"^in (\S+), put (\{.*\}) before '(.*)' \(or narrow that rule\)$")
_ADD = re.compile(r"^add to (\S+)\.rules: (\{.*\})$")


def rule_fix(get: Getter, sentence: str) -> RuleEdit | None:
    """The edit a firewall fix sentence asks for, or None when it is not one."""
    if found := _STATEFUL.match(sentence):
        chain = chain_path(found[1])
        if chain is None or get(chain) is None:
            return None
        return (f"Accept replies in {where(chain)} (stateful)",
                   (Edit((*chain, "stateful"), True),))
    before = _BEFORE.match(sentence)
    added = before or _ADD.match(sentence)
    if added is None:
        return None
    chain, rule = chain_path(added[1]), parse_rule(added[2])
    if chain is None or rule is None:
        return None
    rules = get((*chain, "rules"))
    rules = rules if isinstance(rules, list) else []
    row = len(rules)
    if before is not None:
        found_row = _row_of(rules, before[3])
        if found_row is None:
            return None
        row = found_row
    label = f"Accept {_what(rule)} in {where(chain)}" + (
        f" (as rule {row + 1}, above “{_what(rules[row], True)}”)" if before is not None
        else "")
    if not rules:
        return (label, (Edit((*chain, "rules"), [rule]),))
    return (label, (Edit((*chain, "rules", row), rule, row),))


def stateless_reply_fix(get: Getter, sentence: str, proto: str, port: int | None,
                        peer: str) -> RuleEdit | None:
    """For a kernel without bridge connection tracking: a fix sentence that asks for
    'stateful: true' on a bridge port's chain (which such a kernel cannot apply: the plan
    refuses it, and the Problems list already asks to untick it) as the rule the replies
    need instead: ``proto`` from ``peer``, the probed address that answers, and from its
    ``port`` for a TCP/UDP port. None for any other sentence."""
    found = _STATEFUL.match(sentence)
    chain = chain_path(found[1]) if found else None
    if chain is None or chain[0] != "interfaces" or get(chain) is None:
        return None
    rule: dict[str, Any] = {"action": "accept", "proto": proto}
    if port is not None:
        rule["sport"] = port
    rule["from"] = peer
    label = (f"Accept {_what(rule)} in {where(chain)} (its replies: this kernel has no"
             " bridge connection tracking for “Accept replies”)")
    rules = get((*chain, "rules"))
    if not isinstance(rules, list) or not rules:
        return (label, (Edit((*chain, "rules"), [rule]),))
    return (label, (Edit((*chain, "rules", len(rules)), rule, len(rules)),))


def _what(rule: Any, action: bool = False) -> str:
    """``icmp to 10.0.0.1``, or with its action ``drop tcp port 22``: a rule as the
    designer's rules table reads, not nftables' own syntax."""
    words = {"proto": "{}", "dport": "port {}", "sport": "source port {}", "from": "from {}",
             "to": "to {}"}
    parts = [str(rule.get("action", ""))] if action else []
    parts += [words.get(k, k + " {}").format(v) for k, v in dict(rule).items() if k != "action"]
    return " ".join(parts)


def chain_path(text: str) -> tuple[str, ...] | None:
    """``namespaces.c1.firewall.input`` → its path (keys may hold dots: ``eth0.10``)."""
    if text.startswith("host.firewall."):
        return ("host", "firewall", text.rsplit(".", 1)[1])
    for section, middle in (("namespaces", "firewall"), ("interfaces", "port-firewall")):
        if text.startswith(section + "."):
            key, found, hook = text[len(section) + 1:].rpartition(f".{middle}.")
            if found and key and hook:
                return (section, key, middle, hook)
    return None


def where(chain: tuple[str, ...]) -> str:
    """``c1's input chain``, ``the host's forward chain``, ``tap1's to-port chain``."""
    owner = "the host" if chain[0] == "host" else chain[1]
    return f"{owner}'s {chain[-1]} chain"


def parse_rule(text: str) -> dict[str, Any] | None:
    """``{action: accept, proto: tcp, dport: 22, from: fd00::1}`` → the rule's mapping."""
    rule: dict[str, Any] = {}
    for part in text.strip("{}").split(", "):
        key, sep, value = part.partition(": ")
        if not sep:
            return None
        rule[key] = int(value) if value.isdigit() else value
    try:
        Rule.model_validate(rule)
    except ValidationError:
        return None
    return rule


def _row_of(rules: list[Any], text: str) -> int | None:
    for row, entry in enumerate(rules):
        try:
            if rule_text(Rule.model_validate(dict(entry))) == text:
                return row
        except (ValidationError, TypeError, ValueError):
            continue
    return None
