"""The designer's words for problems and fixes, where the contract speaks YAML.

Validation and the explainer write one sentence for everyone, and the command line shows it
as is: "add 'routes: [{to: default, via: 192.168.31.1}]' to use wlp2s0's gateway" is what a
file's author needs. Someone drawing in the designer never sees a route list, but the
Inspector's Routes field; never ``host.nics``, but the Host dock. This module rewrites those
sentences for the Problems and Checks docks: per problem code where the sentence needs it,
then the YAML phrases any sentence may hold (``set 'state: up' on X``, ``'mtu: 1400'``).
The contract's sentence stays available (the tooltip), and the CLI's is never touched.
Pure text: no Qt.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from netwright.backend.topology.problems import Problem
from netwright.gui.model.field_words import TOPOLOGY_LABELS, labelled_values
from netwright.gui.model.problem_place import where_to_change

_Rewrite = Callable[[Problem, re.Match[str]], str]


def _no_default_route(problem: Problem, found: re.Match[str]) -> str:
    return (f"{found['named']} has addresses but no default route, so anything outside its"
            f" subnets is unreachable. Add a default route via {found['gw']} in"
            f" {found['named']} ({found['nic']}'s gateway; select {found['ns']}, Inspector ›"
            " Routes)")


def _via_router(problem: Problem, found: re.Match[str]) -> str:
    return (f"{found['named']} has addresses but no default route, so anything outside its"
            f" subnets is unreachable. Add a default route via {found['gw']} in"
            f" {found['named']} ({found['router']} forwards, on {found['net']}; select"
            f" {found['ns']}, Inspector › Routes)")


def _no_near_gateway(problem: Problem, found: re.Match[str]) -> str:
    return (f"{found['named']} has addresses but no default route, so anything outside its"
            " subnets is unreachable. Add a default route via a router on one of its subnets"
            f" (select {found['ns']}, Inspector › Routes); no host NIC's gateway is on them")


def _parent_absent(problem: Problem, found: re.Match[str]) -> str:
    return (f"{found['kind']} {found['key']} has no parent: connect it to the NIC or"
            f" interface it is built on (Inspector › Parent); a NIC of this machine is added"
            " from the Host dock")


def _parent_unknown(problem: Problem, found: re.Match[str]) -> str:
    return (f"The parent '{found['parent']}' of {found['key']} is not in the design: add that"
            " NIC from the Host dock (double-click it), or use another parent (Inspector ›"
            " Parent)")


def _parent_elsewhere(problem: Problem, found: re.Match[str]) -> str:
    return (f"{found['key']} is in {found['here']} but its parent {found['parent']} is in"
            f" {found['there']}: a sub-interface is built on a parent in the host or in its own"
            " namespace. Use another parent (Inspector › Parent), or move one of them")


def _state_down(problem: Problem, found: re.Match[str]) -> str:
    return (f"{found['head']}: set {found['key']}'s State to up (Inspector › State), or"
            " remove the route (Inspector › Routes)")


def _peer(problem: Problem, found: re.Match[str]) -> str:
    return (f"The other end '{found['peer']}' of veth {found['key']} is not in the design:"
            " draw the pair again from the palette (it adds both ends)")


def _vxlan_remote(problem: Problem, found: re.Match[str]) -> str:
    return (f"vxlan {found['key']} does not know where to send: give it a Remote (the other"
            " tunnel end) or a multicast Group in the Inspector")


def _unknown_namespace(problem: Problem, found: re.Match[str]) -> str:
    return (f"{found['key']} is placed in namespace '{found['ns']}', which is not in the"
            " design: add a namespace from the palette, or drag the interface into one")


def _place(problem: Problem) -> tuple[str, str]:
    """(who, how to select it) for a problem under ``namespaces.X`` or ``host``."""
    if problem.path[:1] == ("namespaces",) and len(problem.path) > 1:
        return str(problem.path[1]), f"select {problem.path[1]}, {_RULES_PANEL}"
    return "the host", f"select nothing, {_RULES_PANEL}"


def _nat_forwarding(problem: Problem, found: re.Match[str]) -> str:
    who, where = _place(problem)
    return f"{found['head']}; turn IPv4 forwarding on in {who} ({where})"


def _forwarding_conflict(problem: Problem, found: re.Match[str]) -> str:
    who, where = _place(problem)
    return (f"{found['family'].replace('ipv', 'IPv')} forwarding is {found['on']} in {who}"
            f" ({where}), but the design file also sets the sysctl {found['key']} to"
            f" {found['value']}: keep one of them (the sysctl is only in the file)")


def _peer_absent(problem: Problem, found: re.Match[str]) -> str:
    return (f"veth {found['key']} has no other end: name it (Inspector › Peer), or draw the"
            " pair again from the palette (it adds both ends)")


def _reserved_name(problem: Problem, found: re.Match[str]) -> str:
    return (f"namespace {found['key']} {found['rest']}; rename it (select {found['key']},"
            f" Inspector › Name, e.g. {found['new']})")


#: a namespace as the contract's sentences name it: "net1", or "namespace gateway" for a key
#: that is a word they use (topology.sentence_names); ``ns`` is the key to select
_NAMED = r"(?P<named>(?:namespace )?(?P<ns>\S+))"

_BY_CODE: dict[str, list[tuple[re.Pattern[str], _Rewrite]]] = {
    "reserved-name": [(re.compile(
        r"^namespace '(?P<key>[^']+)' (?P<rest>has the name .+); rename it"
        r" \(e\.g\. (?P<new>[^)]+)\)$"), _reserved_name)],
    "nat-without-forwarding": [(re.compile(
        r"^(?P<head>.+ are not forwarded); add 'forwarding: \{ipv4: true\}'$"),
        _nat_forwarding)],
    "forwarding-conflict": [(re.compile(
        r"^forwarding (?P<family>ipv[46]) is (?P<on>on|off) but sysctl (?P<key>\S+) is"
        r" (?P<value>\S+): keep one of them$"), _forwarding_conflict)],
    "no-default-route": [(re.compile(
        rf"^{_NAMED} has addresses but no default route.* via a router on one of its"
        r" subnets"), _no_near_gateway), (re.compile(
        rf"^{_NAMED} has addresses but no default route.*via: (?P<gw>[^}}\s]+)}}\]' to use"
        r" (?P<nic>\S+)'s gateway$"), _no_default_route), (re.compile(
        rf"^{_NAMED} has addresses but no default route.*via: (?P<gw>[^}}\s]+)}}\]' to use"
        r" (?P<router>.+), which forwards and is on (?P<net>\S+)$"), _via_router)],
    "missing-parent": [
        (re.compile(r"^(?P<kind>\w+) (?P<key>\S+) needs a parent"), _parent_absent),
        (re.compile(r"^the parent '(?P<parent>[^']+)' of (?P<key>\S+) does not exist"),
         _parent_unknown)],
    "parent-other-namespace": [(re.compile(
        r"^(?P<key>\S+) is in (?P<here>.+?) but its parent (?P<parent>\S+) is in"
        r" (?P<there>.+?): "), _parent_elsewhere)],
    "route-link-down": [(re.compile(
        r"^(?P<head>route to .+? goes out \S+, which is down) .*set 'state: up' on"
        r" (?P<key>\S+), or remove the route$"), _state_down)],
    "gateway-link-down": [(re.compile(
        r"^(?P<head>next hop .+?, which is down) .*set 'state: up' on (?P<key>\S+), or remove"
        r" the route$"), _state_down)],
    "veth-peer-missing": [
        (re.compile(r"^the peer '(?P<peer>[^']+)' of veth (?P<key>\S+) does not exist"), _peer),
        (re.compile(r"^veth (?P<key>\S+) needs 'peer:'"), _peer_absent)],
    "vxlan-no-remote": [(re.compile(r"^vxlan (?P<key>\S+) needs 'remote'"), _vxlan_remote)],
    "unknown-reference": [(re.compile(
        r"^(?P<key>\S+) is placed in namespace '(?P<ns>[^']+)', which the topology does not"
        r" define"), _unknown_namespace)],
}

# what the designer calls each change the backend may refuse while it stops (the trial's
# Revert and Confirm are its dialog's Restore now and Keep buttons)
_DESIGNER_ACTIONS = {"apply": "Apply", "destroy": "Destroy", "revert": "Restore now",
                     "confirm": "Keep", "adopt": "Adopt"}

_CHAIN = (r"(?P<chain>(?:namespaces\.[^.\s]+|host)\.firewall\.\w+"
          r"|interfaces\.[^.\s]+\.port-firewall\.[\w-]+)")
_RULE = r"\{(?P<rule>[^}]*)\}"
_RULES_PANEL = "Inspector › Forwarding, NAT and firewall"
_PHRASES: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    # the explainer's fixes (Checks dock) and any sentence that borrows them
    # "in namespace gateway": the checks say so of a namespace whose key is a word they use
    (re.compile(r"add a default route in ((?:namespace )?(\S+)): 'routes: \[\{to: default,"
                r" via: ([^}\s]+)\}\]' \(default via [^)]+\)"),
     r"add a default route via \3 in \1 (select \2, Inspector › Routes)"),
    (re.compile(r"add 'routes: \[\{to: default, via: ([^}\s]+)\}\]'"),
     r"add a default route via \1 (Inspector › Routes)"),
    (re.compile(r"set 'state: up' on (\S+?), the other end of (\S+)"),
     r"set \1's State to up (it is the other end of \2; Inspector › State)"),
    (re.compile(r"set 'state: up' on ([^\s,;]+)"), r"set \1's State to up (Inspector › State)"),
    (re.compile(r"set 'sysctls: \{net\.ipv4\.ip_forward: 1\}' on namespace (\S+)"),
     r"turn IPv4 forwarding on in \1 (select \1, Inspector › Forwarding, NAT and firewall)"),
    (re.compile(r"set 'sysctls: \{net\.ipv6\.conf\.all\.forwarding: 1\}' on namespace (\S+)"),
     r"turn IPv6 forwarding on in \1 (select \1, Inspector › Forwarding, NAT and firewall)"),
    (re.compile(r"\('mtu: (\d+)'\)"), r"(MTU \1 in the Inspector)"),
    (re.compile(r"add 'to: (\S+), dev: (\S+)' in (\S+)"),
     r"add a route to \1 through \2 in \3 (Inspector › Routes)"),
    (re.compile(rf"add to {_CHAIN}\.rules: {_RULE}"),
     lambda m: f"add the rule {_rule(m['rule'])} to {_chain(m['chain'])}"),
    (re.compile(rf"in {_CHAIN}, put {_RULE} before"),
     lambda m: f"in {_chain(m['chain'])}, put the rule {_rule(m['rule'])} before"),
    (re.compile(r" before '([^']+)' \(or narrow that rule\)"),
     r" above the rule that drops it (nftables reads it as \1), or narrow that rule"),
    (re.compile(rf"set 'stateful: true' on {_CHAIN}"),
     lambda m: f"tick “Accept replies (stateful)” on {_chain(m['chain'])}"),
    (re.compile(r"e\.g\. 'parent: (\S+)' \(list that NIC under host\.nics\)"),
     r"e.g. \1 (Inspector › Parent; add the NIC from the Host dock)"),
    (re.compile(r"under host\.nics"), "from the Host dock"),
    (re.compile(r"; set '\{dhcp: \{client-id: …\}\}' to choose it"),
     "; another client id can only be chosen in the design file"),
    (re.compile(r"keep one 'dhcp' entry"), "keep one dhcp in Addresses (Inspector › Addresses)"),
    (re.compile(r"needs 'via' \(a next hop\) or 'dev'"),
     "needs a via (a next hop) or a dev (Inspector › Routes)"),
    (re.compile(r"\(no 'master:' bridge\)"), "(its Bridge (master) is empty in the Inspector)"),
    (re.compile(r"\(netwright adopt\)"), "(select it, File › Adopt…)"),
    (re.compile(r"or write '(\S+) nodad' on both"),
     r"or add nodad after \1 in both Addresses fields"),
    (re.compile(r"or write '(\S+)/… nodad' in its addresses"),
     r"or add nodad after \1 in its Addresses (Inspector › Addresses)"),
    (re.compile(r"or write 'nodad' after it on every holder"),
     "or add nodad after it in every holder's Addresses"),
    (re.compile(r"cannot say 'nodad'"), "cannot say nodad"),
    (re.compile(r" \(state: down\)"), " (State down)"),
    (re.compile(r"`check` reads"), "Check reads"),
    (re.compile(r"\(net\.ipv4\.ip_forward is (on|off)"), r"(IPv4 forwarding is \1"),
    (re.compile(r"or set host\.forwarding\)"),
     f"or set the host's forwarding: select nothing, {_RULES_PANEL})"),
    (re.compile(r"the design's (?:namespaces\.(\S+?)|host)\.forwarding\.ipv[46]"),
     lambda m: (f"{m[1]}'s own setting (select {m[1]}, {_RULES_PANEL})" if m[1] else
                f"the host's own setting (select nothing, {_RULES_PANEL})")),
    (re.compile(r"the design's sysctl (\S+) in namespaces\.([^\s)]+)"),
     r"the design's sysctl \1 in \2, only in the file"),
    (re.compile(r"enable net\.ipv(4)\.ip_forward on the host \(Netwright does not change it\)"
                r"|enable net\.ipv(6)\.conf\.all\.forwarding on the host \(Netwright does not"
                r" change it\)|set 'forwarding: \{ipv([46]): true\}' on the host"
                r" \(host\.forwarding\)"),
     lambda m: (f"turn IPv{m[1] or m[2] or m[3]} forwarding on for the host (select nothing,"
                f" {_RULES_PANEL})")),
    (re.compile(r"\(net\.ipv6\.conf\.all\.forwarding is (on|off)"), r"(IPv6 forwarding is \1"),
    (re.compile(r"; add the bridge under interfaces$"),
     "; add a bridge from the palette, or pick one (Inspector › Bridge (master))"),
    (re.compile(r"an address \(addresses: \[[^\]]*\]\)"),
     "an address (select it, Inspector › Addresses)"),
    (re.compile(r"deploy it and netwright check \S+ probes"), "Apply it, then Check probes"),
    # a stopping netwrightd refused a change (backend/client/restart.py): the command line's
    # "run the command again" is, in the designer, the button that made the change
    (re.compile(r"refused the (?P<what>apply|destroy|revert|confirm|adopt) before doing"
                r" anything(?P<middle>.*?); (?P<then>no new one took over within \d+ s: |a new"
                r" one runs now: |the bus starts a new one for the next )(?:command: )?run (?:the"
                r" command|it) again"),
     lambda m: (f"refused the {m['what']} before doing anything{m['middle']};"
                f" {m['then'].replace('next ', 'next call: ')}press {_DESIGNER_ACTIONS[m['what']]}"
                " again")),
    # a backend without NetworkManager (the lab) refusing a persistent object
    (re.compile(r"(\w+ (\S+) is marked persist[^']*?)remove 'persist: true'"),
     lambda m: f"{m[1]}untick Persist (NetworkManager) (select {m[2]}, Inspector)"),
]



def _chain(path: str) -> str:
    """``namespaces.b.firewall.input`` → "b's input chain (select b, Inspector › …)"."""
    parts = path.split(".")
    if parts[0] == "interfaces":
        return (f"{parts[1]}'s {parts[3]} rules (select {parts[1]}, Inspector › Port"
                " firewall)")
    if parts[0] == "host":
        return f"the host's {parts[2]} chain (select nothing, {_RULES_PANEL})"
    return f"{parts[1]}'s {parts[3]} chain (select {parts[1]}, {_RULES_PANEL})"


def _rule(text: str) -> str:
    """``action: accept, proto: tcp, dport: 22`` → "“accept tcp dport 22”"."""
    words = []
    for part in text.split(","):
        name, _, value = part.strip().partition(": ")
        words.append(value if name in ("action", "proto") else f"{name} {value}")
    return f"“{' '.join(words)}”"


def designer_message(problem: Problem, where: bool = True) -> str:
    """The problem's sentence in the designer's terms (the contract's when none apply);
    ``where``: add where to change it when the sentence does not say (the Inspector's own
    refusal, shown under the field, needs no such hint)."""
    text = next((rewrite(problem, found) for pattern, rewrite in _BY_CODE.get(problem.code, ())
                 if (found := pattern.search(problem.message)) is not None), None)
    message = problem.message
    if len(problem.path) == 1 and problem.path[0] in TOPOLOGY_LABELS:  # not a kernel name
        key = problem.path[0]
        message = message.replace(f"'{key}'", TOPOLOGY_LABELS[key])
    text = text if text is not None else designer_fix(message, _columns(problem.path))
    place = where_to_change(problem.path) if where and problem.code not in _ELSEWHERE else None
    if place and not any(word in text for word in _SAYS_WHERE):
        text += f" — {place}" if text.endswith(")") else f" ({place})"
    return text


_SAYS_WHERE = ("Inspector", "palette", "Host dock", "File ›")
# problems whose path points at the cause, not at what to change (the host's own ipvlan to
# add, the kind to change: the sentence and the Apply fix say it)
_ELSEWHERE = frozenset({"parent-ip-unreachable", "macvlan-on-wifi", "kernel-lacks-kind"})


def designer_fix(text: str, columns: frozenset[str] = frozenset()) -> str:
    """A fix sentence (the explainer's, or any problem's) with its YAML phrases in the
    designer's terms; what matches none stays as written. ``columns``: keys it means as a
    rules or NAT table's columns (``labelled_values``)."""
    for pattern, words in _PHRASES:
        text = pattern.sub(words, text)
    return labelled_values(text, columns)


_TABLES = frozenset({"nat", "firewall", "port-firewall"})
# the rules and NAT tables' columns that share a key with an Inspector field of an interface
_SHARED_COLUMNS = frozenset({"port", "state"})


def _columns(path: tuple[object, ...]) -> frozenset[str]:
    """In a NAT entry or a firewall rule, a key is the table's column, not the interface
    field of that name: "'port' must be a whole number" read "UDP port must be…" (the VXLAN
    field's label) for a published TCP port, and a rule's 'state' read "State"."""
    parts = {part for part in path if isinstance(part, str)}
    return _SHARED_COLUMNS & parts if _TABLES & parts else frozenset()


def placed_message(problem: Problem) -> str:
    """The problem as a message box or the status bar says it: where in the file (when
    known) and the designer's sentence, without the code and path the command line's
    ``FILE:LINE:COL: error CODE: sentence`` carries for editors and scripts.

    "line 4, column 1: not valid YAML: …"
    """
    where = f"line {problem.line}, column {problem.column}: " if problem.line and \
        problem.column else f"line {problem.line}: " if problem.line else ""
    return where + designer_message(problem)
