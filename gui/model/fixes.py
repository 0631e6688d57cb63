"""Fixes that are edits: a problem or a check cell's fix, as one undoable change.

The Problems and Checks docks offer "Apply fix" where the fix is something the design can
do by itself, in the designer's words rather than YAML: use macvlan bridge where the kernel
has no ipvlan, use ipvlan l2 on a Wi-Fi parent, add the default route via the parent's
gateway, bring a link up, turn forwarding on where a namespace routes or translates, give
a child the kind of its siblings, use another parent for a sub-interface whose parent is
missing or unusable (a choice when several would do). A fix that needs a decision the
design cannot make (which router, which subnet) is only described, never guessed.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from netwright.backend.topology.problems import Problem
from netwright.gui.model.document import Edit
from netwright.gui.model.host_facts import HostFacts
from netwright.gui.model.host_warnings import KERNEL_LACKS_KIND, MACVLAN_ON_WIFI
from netwright.gui.model.kind_change import kind_change_edits
from netwright.gui.model.parent_fixes import PARENT_CODES, parent_candidates, parent_edits
from netwright.gui.model.rule_fixes import rule_fix, stateless_reply_fix
from netwright.gui.model.snapshot import Snapshot
from netwright.gui.model.value_fixes import VALUE_CODES, value_options

Getter = Callable[[tuple[Any, ...]], Any]
#: the router of the design a no-route sentence names: validation's, then the explainer's
ROUTER_NAMED = re.compile(r"via: (?P<via>[^}\s]+)\}\]' to use (?P<router>.+?), which forwards"
                          r"|\(default via (?P<via2>[^)\s]+)\): (?P<router2>.+?) forwards")
STATE_UP = re.compile(r"set 'state: up' on (\S+)")
FORWARDING_OFF = re.compile(r"'sysctls: \{net\.ipv(?P<family>[46])\.[\w.]*forward\w*: 1\}' on"
                            r" namespace (?P<namespace>\S+)|^enable net\.ipv(?P<host>[46])\.\S*"
                            r"forward\S* on the host|^set 'forwarding: \{ipv(?P<design>[46]):"
                            r" true\}' on the host")
FORWARDING_SYSCTL = {"4": "net.ipv4.ip_forward", "6": "net.ipv6.conf.all.forwarding"}
DOWN_CODES = ("route-link-down", "gateway-link-down")


@dataclass(frozen=True)
class Fix:
    """What the button says, and the edits it makes (one undo step). A fix with
    ``choices`` makes no edit itself: the person picks one of them (a small menu)."""

    label: str
    edits: tuple[Edit, ...]
    choices: tuple[Fix, ...] = ()


def problem_fix(snapshot: Snapshot, get: Getter, problem: Problem) -> Fix | None:
    """The edit that resolves ``problem``, when the design can make it by itself."""
    key = str(problem.path[1]) if len(problem.path) > 1 else ""
    if problem.code == KERNEL_LACKS_KIND and snapshot.kind_of(key) == "ipvlan":
        return _kind_fix(get, key, "macvlan")
    if problem.code == MACVLAN_ON_WIFI and snapshot.kind_of(key) == "macvlan":
        return _kind_fix(get, key, "ipvlan")
    if problem.code == "no-default-route" and key in snapshot.namespaces:
        return default_route_fix(snapshot, get, key, problem.message)
    if problem.code == "parent-mixed-kinds" and key in snapshot.interfaces:
        parent = snapshot.interfaces[key].get("parent")
        kind = snapshot.kind_of(key)
        sibling = next((snapshot.kind_of(k) for k, link in snapshot.interfaces.items()
                        if k != key and link.get("parent") == parent
                        and snapshot.kind_of(k) in ("ipvlan", "macvlan")
                        and snapshot.kind_of(k) != kind), None)
        if sibling is not None:  # one kind for all children of the parent: its first one's
            return _kind_fix(get, key, sibling)
    if problem.code in PARENT_CODES and key in snapshot.interfaces:
        return another_parent_fix(snapshot, key)
    if problem.code in DOWN_CODES:  # the route goes out of (or via) a link that is down
        return up_fix(snapshot, STATE_UP.search(problem.message))
    if problem.code == "nat-without-forwarding" and problem.path[-1:] == ("nat",):
        base = problem.path[:-1]
        where = str(base[1]) if base[:1] == ("namespaces",) else "the host"
        return forwarding_fix(get, base, where, "4")
    if problem.code in VALUE_CODES:
        return _one_or_choice(value_options(snapshot, problem.message))
    return None


def _one_or_choice(options: list[tuple[str, tuple[Edit, ...]]]) -> Fix | None:
    """One option as it is; several as a choice ("Set MTU 1500 on mv, or …")."""
    fixes = tuple(Fix(label, edits) for label, edits in options)
    if len(fixes) <= 1:
        return fixes[0] if fixes else None
    return Fix(", or ".join([fixes[0].label, *(f.label[0].lower() + f.label[1:]
                                                for f in fixes[1:])]), (), fixes)


def up_fix(snapshot: Snapshot, found: re.Match[str] | None) -> Fix | None:
    """"Bring e1 up": the interface a sentence says to set up, when the design has it."""
    key = found.group(1).rstrip(".,;") if found else ""
    if key not in snapshot.interfaces:
        return None
    return Fix(f"Bring {key} up", (Edit(("interfaces", key, "state"), "up"),))


def forwarding_fix(get: Getter, base: tuple[Any, ...], where: str, family: str) -> Fix:
    """Forwarding on for one address family of a namespace (``base``) or the host, as the
    Inspector's "IPv4 forwarding" field sets it; where the file sets the sysctl itself, that
    sysctl (setting the field too would contradict it: forwarding-conflict)."""
    key = FORWARDING_SYSCTL[family]
    at = "for the host" if base == ("host",) else f"in {where}"
    sysctls = get((*base, "sysctls"))
    if isinstance(sysctls, dict) and key in sysctls:
        return Fix(f"Turn IPv{family} forwarding on {at} (its sysctl {key} to 1)",
                   (Edit((*base, "sysctls", key), "1"),))
    return Fix(f"Turn IPv{family} forwarding on {at}",
               (Edit((*base, "forwarding", f"ipv{family}"), True),))


def another_parent_fix(snapshot: Snapshot, key: str) -> Fix | None:
    """"Use wlp2s0 as the parent of ipvlan1", or a choice of the parents that would do."""
    options = tuple(Fix(f"Use {parent} as the parent of {key}", parent_edits(key, parent))
                    for parent in parent_candidates(snapshot, key))
    if len(options) <= 1:
        return options[0] if options else None
    return Fix(f"Use another parent for {key} ({len(options)} would do)", (), options)


def pair_fix(snapshot: Snapshot, get: Getter, pair: dict[str, Any],
             facts: HostFacts | None = None) -> Fix | None:
    """The edit a check cell's fix asks for (no route: the default route; a link down:
    bring it up; an MTU or a VXLAN end's value; forwarding off: on; a firewall's rule), for
    the design as it is now and, where the backend's ``facts`` say so, its kernel."""
    predicted = pair.get("predicted") or {}
    disposition = predicted.get("disposition")
    source = str(pair.get("source") or "")
    if disposition == "no_route" and source in snapshot.namespaces:
        return default_route_fix(snapshot, get, source, str(predicted.get("fix") or ""))
    text = str(predicted.get("fix") or "")
    if disposition == "link_down":
        return up_fix(snapshot, STATE_UP.search(text))
    values = value_options(snapshot, text)  # an MTU on the path, a VXLAN end's VNI or port
    if values:
        return Fix(*values[0])
    off = FORWARDING_OFF.search(text) if disposition == "not_forwarded" else None
    if off and (off["host"] or off["design"]):
        return forwarding_fix(get, ("host",), "the host", off["host"] or off["design"])
    if off and off["namespace"] in snapshot.namespaces:
        return forwarding_fix(get, ("namespaces", off["namespace"]), off["namespace"],
                              off["family"])
    # a firewall that denies the echo or a probed port: the rule to add or the chain to change
    no_bridge_conntrack = facts is not None and facts.lacks_feature("bridge-conntrack")
    peer = str(pair.get("target") or "")
    echo = "icmpv6" if ":" in peer else "icmp"
    for service in ({"proto": echo, "predicted": predicted}, *(pair.get("services") or ())):
        prediction = (service or {}).get("predicted") or {}
        if prediction.get("disposition") != "denied" or not prediction.get("fix"):
            continue
        sentence = str(prediction["fix"])
        edit = stateless_reply_fix(get, sentence, str(service.get("proto")),
                                   service.get("port"), peer) if no_bridge_conntrack else None
        edit = edit or rule_fix(get, sentence)
        if edit is not None:
            return Fix(*edit)
    return None


def default_route_fix(snapshot: Snapshot, get: Getter, namespace: str,
                      said: str = "") -> Fix | None:
    """A default route in ``namespace`` via the host NIC's gateway on one of its subnets,
    else via the router of the design that ``said`` (the warning, or the check's fix) names:
    "… via: 10.0.1.1}]' to use namespace gateway, which forwards …" (validation), "… (default
    via 10.2.0.1): r forwards …" (the explainer)."""
    routes = get(("namespaces", namespace, "routes")) or []
    if any(isinstance(r, dict) and r.get("to") == "default" for r in routes):
        return None
    for key in snapshot.interfaces_in(namespace):
        for address in snapshot.addresses_of(key):
            try:
                network = ipaddress.ip_interface(str(address)).network
            except ValueError:
                continue
            for nic, entry in snapshot.nics.items():
                gateway = str(entry.get("gateway") or "")
                try:
                    on_link = gateway and ipaddress.ip_address(gateway) in network
                except ValueError:
                    on_link = False
                if on_link:
                    route = {"to": "default", "via": gateway}
                    return Fix(f"Add a default route in {namespace} via {gateway} ({nic}'s"
                               " gateway)",
                               (Edit(("namespaces", namespace, "routes"),
                                     [*[dict(r) for r in routes], route]),))
    named = ROUTER_NAMED.search(said)
    if named is None:
        return None
    via, router = named["via"] or named["via2"], named["router"] or named["router2"]
    try:
        ipaddress.ip_address(via)
    except ValueError:
        return None
    return Fix(f"Add a default route in {namespace} via {via} ({router} forwards)",
               (Edit(("namespaces", namespace, "routes"),
                     [*[dict(r) for r in routes], {"to": "default", "via": via}]),))


def _kind_fix(get: Getter, key: str, kind: str) -> Fix:
    edits = kind_change_edits(get, key, kind)
    return Fix(f"Use {kind} {edits[1].value} for {key} (addresses and parent stay)",
               tuple(edits))
