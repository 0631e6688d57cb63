"""Walk one packet through the nftables chains of one place: which rule decides, and how.

The chains are libnftables JSON, the same whether they come from a design (``place_tables``)
or from the kernel's listing of a table Netwright does not own: one evaluator serves both, so
a foreign rule is judged exactly like ours. It understands base chains with their hook,
priority and policy, regular chains reached by jump/goto, and the matches a firewall usually
holds (iifname/oifname, l4proto, IPv4/IPv6 prefixes, TCP/UDP ports, conntrack state, Ethernet
source). Anything else raises ``UnreadableRuleError`` naming the rule, so a prediction says
it cannot read a rule instead of guessing. Pure: no kernel access.
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass, field, replace
from typing import Any

from netwright.backend.checks.network import IpAddr

IGNORED_STATEMENTS = ("counter", "log", "comment", "limit", "notrack", "mangle", "meta")
NAT_STATEMENTS = ("dnat", "snat", "masquerade", "redirect")
L4_NAMES = {"tcp": "tcp", "udp": "udp", "icmp": "icmp", "icmpv6": "ipv6-icmp",
            "ipv6-icmp": "ipv6-icmp", 6: "tcp", 17: "udp", 1: "icmp", 58: "ipv6-icmp"}


class UnreadableRuleError(Exception):
    """A rule holds something this evaluator does not model; the message names it."""


@dataclass(frozen=True)
class Packet:
    """What the rules look at. ``proto`` is tcp, udp, icmp or ipv6-icmp; ``state`` the
    conntrack state a rule would see (new for a request, established for its reply)."""

    src: IpAddr
    dst: IpAddr
    proto: str
    sport: int | None = None
    dport: int | None = None
    iif: str | None = None
    oif: str | None = None
    state: str = "new"
    mac: str | None = None  # the source MAC, when the design fixes it
    icmp_type: str | None = None  # None: an echo request, or its reply when established

    def at(self, iif: str | None, oif: str | None) -> Packet:
        return replace(self, iif=iif, oif=oif)


@dataclass
class BaseChain:
    """A chain as the kernel holds it: ``rules`` are (expressions, text) pairs."""

    family: str
    table: str
    name: str
    hook: str | None = None
    kind: str = "filter"
    priority: int = 0
    policy: str = "accept"
    rules: list[tuple[list[dict[str, Any]], str]] = field(default_factory=list)
    foreign: bool = False
    owner: str | None = None  # foreign but Netwright's: the topology whose table it is

    @property
    def where(self) -> str:
        return f"table {self.family} {self.table}, chain {self.name}"


@dataclass(frozen=True)
class Decision:
    """The outcome of a hook: accepted, dropped or rejected, by which rule (text) where;
    ``nat`` is the translation statement of the rule that matched in a NAT chain."""

    verdict: str  # accept, drop, reject
    chain: BaseChain | None = None
    rule: str | None = None  # None: the chain's policy decided (or no chain at all)
    nat: dict[str, Any] | None = None
    nat_kind: str | None = None

    @property
    def passes(self) -> bool:
        return self.verdict == "accept"

    def text(self) -> str:
        if self.chain is None:
            return "no chain"
        if self.rule is None:
            return f"the {self.chain.policy} policy of {self.chain.where}"
        return f"'{self.rule}' in {self.chain.where}"


class Ruleset:
    """The chains of one place (all its tables), indexed by name."""

    def __init__(self) -> None:
        self.chains: dict[tuple[str, str, str], BaseChain] = {}
        self.sets: dict[tuple[str, str, str], list[Any]] = {}  # named sets, by table
        self.foreign_tables: list[str] = []

    def add(self, chain: BaseChain) -> None:
        self.chains[(chain.family, chain.table, chain.name)] = chain

    def base(self, families: tuple[str, ...], hook: str, kind: str) -> list[BaseChain]:
        found = [c for c in self.chains.values()
                 if c.family in families and c.hook == hook and c.kind == kind]
        return sorted(found, key=lambda c: c.priority)

    def __bool__(self) -> bool:
        return bool(self.chains)

    def add_listing(self, items: list[dict[str, Any]], texts: list[str] | None = None,
                    foreign: bool = False, owned_by: str | None = None) -> None:
        """Chains and rules in libnftables JSON (``add`` commands or a listing's items);
        ``texts``: one text per rule in order, else each rule's text is rendered here;
        ``owned_by``: the other topology a foreign table belongs to."""
        rules = []
        owner = "netwright-owner"  # the marker chain of our tables: never hooked, not in texts
        for item in items:
            body = item.get("add", item)
            if "chain" in body:
                c = body["chain"]
                self.add(BaseChain(c["family"], c["table"], c["name"], c.get("hook"),
                                   c.get("type", "filter"), _priority(c.get("prio", 0)),
                                   c.get("policy", "accept"), foreign=foreign,
                                   owner=owned_by))
            elif "set" in body and isinstance(body["set"], dict):
                named = body["set"]
                self.sets[(named["family"], named["table"], named["name"])] = [
                    e["elem"]["val"] if isinstance(e, dict) and "elem" in e else e
                    for e in named.get("elem", [])]
            elif "rule" in body and body["rule"]["chain"] != owner:
                rules.append(body["rule"])
        for index, rule in enumerate(rules):
            chain = self.chains.get((rule["family"], rule["table"], rule["chain"]))
            if chain is None:
                continue
            text = (texts[index].split(": ", 1)[-1] if texts and index < len(texts)
                    else _text_of(rule["expr"]))
            chain.rules.append((rule["expr"], text))


def _priority(value: Any) -> int:
    names = {"raw": -300, "mangle": -150, "dstnat": -100, "filter": 0, "security": 50,
             "srcnat": 100, "out": 100}
    if isinstance(value, int):
        return value
    return names.get(str(value), 0)


def families_for(packet: Packet, bridge: bool = False) -> tuple[str, ...]:
    if bridge:
        return ("bridge",)
    return ("inet", "ip") if packet.src.version == 4 else ("inet", "ip6")


def run_hook(ruleset: Ruleset, hook: str, packet: Packet, kind: str = "filter", *,
             bridge: bool = False, unsure: list[str] | None = None) -> Decision:
    """Every base chain of ``hook`` in priority order: a drop or reject anywhere is final,
    an accept moves on to the next chain; in NAT chains the first translation decides."""
    last = Decision("accept")
    for chain in ruleset.base(families_for(packet, bridge), hook, kind):
        decision = run_chain(ruleset, chain, packet, unsure=unsure)
        if not decision.passes or decision.nat is not None:
            return decision
        last = decision if decision.chain is not None else last
    return last


def run_chain(ruleset: Ruleset, chain: BaseChain, packet: Packet, depth: int = 0,
              unsure: list[str] | None = None) -> Decision:
    """The verdict of one chain; a regular chain ends with 'return' (policy None).
    A rule whose only doubt is a match the evaluator cannot read is taken as not matching,
    and said in ``unsure`` (without a list, the doubt raises UnreadableRuleError)."""
    if depth > 16:
        raise UnreadableRuleError(f"jumps nest deeper than 16 chains in {chain.where}")
    for expr, text in chain.rules:
        outcome = _rule(ruleset, chain, expr, text, packet=packet, depth=depth, unsure=unsure)
        if outcome == "continue":
            continue
        if outcome == "return":
            break
        assert isinstance(outcome, Decision)
        return outcome
    if chain.hook is None:
        return Decision("return", chain)
    return Decision(chain.policy, chain)


def _rule(ruleset: Ruleset, chain: BaseChain, expr: list[dict[str, Any]], text: str, *,
          packet: Packet, depth: int, unsure: list[str] | None) -> Decision | str:
    doubt = None
    for statement in expr:
        (key, value), = statement.items()
        if key == "match" or (key == "xt" and (value or {}).get("type") == "match"):
            if key == "xt":
                doubt = doubt or f"'{text}' in {chain.where}: the iptables match" \
                    f" '{value.get('name')}' is not modelled"
                continue
            right = value.get("right")
            if isinstance(right, str) and right.startswith("@"):
                members = ruleset.sets.get((chain.family, chain.table, right[1:]))
                if members is not None:
                    value = {**value, "right": {"set": members}}
            try:
                if not match(value, packet):
                    return "continue"
            except UnreadableRuleError as exc:
                doubt = f"'{text}' in {chain.where}: {exc}"
            continue
        if doubt is not None:
            if unsure is None:
                raise UnreadableRuleError(doubt)
            unsure.append(f"{doubt} — taken as not matching")
            return "continue"
        if key in ("accept", "drop"):
            return Decision(key, chain, text)
        elif key == "reject":
            return Decision("reject", chain, text)
        elif key == "return":
            return "return"
        elif key in ("jump", "goto"):
            target = ruleset.chains.get((chain.family, chain.table, value["target"]))
            if target is None:
                raise UnreadableRuleError(f"'{text}' jumps to a chain that is not listed")
            decision = run_chain(ruleset, target, packet, depth + 1, unsure)
            if decision.verdict != "return":
                return decision
            if key == "goto":
                return "return"
        elif key in NAT_STATEMENTS:
            return Decision("accept", chain, text, value or {}, key)
        elif key not in IGNORED_STATEMENTS:  # iptables-nft's xt matches, queue, …
            doubt = doubt or f"'{text}' in {chain.where}: '{key}' is not modelled"
    if doubt is not None:
        if unsure is None:
            raise UnreadableRuleError(doubt)
        unsure.append(f"{doubt} — taken as not matching")
    return "continue"


def match(spec: dict[str, Any], packet: Packet) -> bool:
    """One match expression against the packet (raises UnreadableRuleError for unknown ones)."""
    left, right, op = spec["left"], spec["right"], spec.get("op", "==")
    present, value = _value(left, packet)
    if not present:
        return False  # e.g. a TCP port match on an ICMP packet: the kernel skips the rule
    if op == "in" or (isinstance(right, dict) and "set" in right) or isinstance(right, list):
        members = right.get("set") if isinstance(right, dict) else right
        found = any(_equal(value, member) for member in (members or []))
        return found if op in ("in", "==") else not found
    if op in ("==", "!="):
        equal = _equal(value, right)
        return equal if op == "==" else not equal
    raise UnreadableRuleError(f"the operator '{op}' is not modelled")


def _value(left: dict[str, Any], packet: Packet) -> tuple[bool, Any]:
    if "meta" in left:
        key = left["meta"]["key"]
        if key == "iifname":
            return True, packet.iif or ""
        if key == "oifname":
            return True, packet.oif or ""
        if key == "l4proto":
            return True, packet.proto
        if key in ("nfproto", "protocol"):
            return True, "ipv4" if packet.src.version == 4 else "ipv6"
        raise UnreadableRuleError(f"meta {key} is not modelled")
    if "ct" in left:
        if left["ct"].get("key") == "state":
            return True, packet.state
        raise UnreadableRuleError(f"ct {left['ct'].get('key')} is not modelled")
    if "payload" in left:
        protocol, name = left["payload"].get("protocol"), left["payload"].get("field")
        if protocol in ("ip", "ip6"):
            if (protocol == "ip") != (packet.src.version == 4):
                return False, None
            if name in ("saddr", "daddr"):
                return True, packet.src if name == "saddr" else packet.dst
        elif protocol in ("tcp", "udp", "th"):
            if packet.proto not in (("tcp", "udp") if protocol == "th" else (protocol,)):
                return False, None
            if name in ("sport", "dport"):
                return True, packet.sport if name == "sport" else packet.dport
        elif protocol == "arp":
            return False, None  # the packet is IP, never ARP
        elif protocol == "ether" and name == "saddr":
            if packet.mac is None:
                raise UnreadableRuleError("the source MAC is not fixed in the design")
            return True, packet.mac.lower()
        elif protocol in ("icmp", "icmpv6") and name == "type":
            wanted = "icmp" if protocol == "icmp" else "ipv6-icmp"
            kind = packet.icmp_type or ("echo-reply" if packet.state == "established"
                                        else "echo-request")
            return packet.proto == wanted, kind
        raise UnreadableRuleError(f"{protocol} {name} is not modelled")
    raise UnreadableRuleError(f"the match on {next(iter(left), left)} is not modelled")


def _equal(value: Any, right: Any) -> bool:
    if isinstance(right, dict):
        if "prefix" in right:
            if not isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address):
                return False
            network = ipaddress.ip_network(f"{right['prefix']['addr']}/{right['prefix']['len']}",
                                           strict=False)
            return value.version == network.version and value in network
        if "range" in right:
            low, high = right["range"]
            if isinstance(value, int) and isinstance(low, int):
                return bool(low <= value <= high)
            try:
                return bool(ipaddress.ip_address(low) <= value <= ipaddress.ip_address(high))
            except (TypeError, ValueError):
                return False
        raise UnreadableRuleError(f"the value {right} is not modelled")
    if isinstance(right, str) and right.startswith("@"):
        raise UnreadableRuleError(f"the named set {right} is not read")
    if isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address):
        try:
            return value == ipaddress.ip_address(right)
        except ValueError:
            return False
    if isinstance(value, str) and isinstance(right, str):
        if right.endswith("*"):  # iifname "veth*"
            return value.startswith(right[:-1])
        return L4_NAMES.get(value, value) == L4_NAMES.get(right, right) or value == right.lower()
    if isinstance(right, int) and isinstance(value, str) and value in L4_NAMES:
        return L4_NAMES.get(right) == L4_NAMES[value]
    return bool(value == right)


def _text_of(expr: list[dict[str, Any]]) -> str:
    """``expr_text``, or the raw JSON when a listed rule has a shape it does not know."""
    try:
        return expr_text(expr)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return json.dumps(expr, separators=(",", ":"))[:200]


def expr_text(expr: list[dict[str, Any]]) -> str:
    """A listed rule in nft's own words, roughly (for the foreign rules a reason quotes)."""
    parts = []
    for statement in expr:
        (key, value), = statement.items()
        if key == "match":
            quoted = value["left"].get("meta", {}).get("key") in ("iifname", "oifname")
            parts.append(f"{_left_text(value['left'])} "
                         f"{'' if value.get('op', '==') == '==' else value['op'] + ' '}"
                         f"{_right_text(value['right'], quoted)}")
        elif key in ("jump", "goto"):
            parts.append(f"{key} {value['target']}")
        elif key == "counter":
            continue
        elif value in (None, {}):
            parts.append(key)
        else:
            parts.append(f"{key} {_right_text(value)}")
    return " ".join(parts)


def _left_text(left: dict[str, Any]) -> str:
    if "meta" in left:
        return f"meta {left['meta']['key']}"
    if "payload" in left:
        return f"{left['payload'].get('protocol')} {left['payload'].get('field')}"
    if "ct" in left:
        return f"ct {left['ct'].get('key')}"
    return str(left)


def _right_text(right: Any, quoted: bool = False) -> str:
    if isinstance(right, dict):
        if "prefix" in right:
            return f"{right['prefix']['addr']}/{right['prefix']['len']}"
        if "range" in right:
            return f"{right['range'][0]}-{right['range'][1]}"
        if "set" in right:
            return "{ " + ", ".join(_right_text(v) for v in right["set"]) + " }"
        if "addr" in right:
            port = f":{right['port']}" if "port" in right else ""
            return f"to {right['addr']}{port}"
        return str(right)
    if isinstance(right, list):
        return ",".join(_right_text(v) for v in right)
    if quoted and isinstance(right, str):
        return f'"{right}"'
    return str(right)
