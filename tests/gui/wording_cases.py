"""Every problem code validation can produce, a design that triggers each, and what counts as
YAML-speak in a sentence the designer shows.

The codes are read from the source (backend/topology and the designer's own host warnings),
so a new code fails tests/gui/test_wording_complete.py until it has a triggering design here
(or in a tests/topology CASES table) and a sentence in the designer's terms.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from netwright.backend.topology.model import model_json_schema
from netwright.backend.topology.problems import Problem
from netwright.backend.topology.validate_limits import MAX_BRIDGE_PORTS
from netwright.gui.model import host_warnings
from netwright.gui.model.host_facts import parse_facts
from netwright.gui.model.snapshot import Snapshot
from tests.topology import test_existing_rules, test_link_rules, test_packet_rules, test_rules
from tests.topology.rule_cases import problems
from tests.topology.test_limit_rules import star

REPO = Path(__file__).resolve().parents[2]
_EMITTED = re.compile(r'(?:_error|_warning|_problem|input_problem|PydanticCustomError|Problem)'
                      r'\(\s*(?:"(?:error|warning)",\s*)?"([a-z][a-z0-9-]+)"')

# Codes only a file can raise: its text cannot be read as a topology (syntax, encoding, size,
# version, keys the format does not have, a kind the palette does not offer). The designer
# never makes them; it shows them when a file fails to open, about that file's text.
FILE_ONLY = {"yaml-syntax", "too-deep", "too-large", "unreadable", "unknown-key",
             "unknown-kind", "missing-field", "missing-version", "unknown-version"}

# designs for the codes no tests/topology CASES row triggers (bodies after the header)
EXTRA = {
    "impairment-needs-delay": """
        namespaces: {a: {}}
        interfaces:
          a0: {kind: veth, namespace: a, peer: a1, impairment: {jitter: 5ms}}
          a1: {kind: veth, peer: a0}
        """,
    "impairment-jitter-reorders": """
        namespaces: {a: {}}
        interfaces:
          a0: {kind: veth, namespace: a, peer: a1, impairment: {delay: 5ms, jitter: 20ms}}
          a1: {kind: veth, peer: a0}
        """,
    "invalid-impairment": """
        interfaces:
          a0: {kind: veth, peer: a1, impairment: {loss: 150%}}
          a1: {kind: veth, peer: a0}
        """,
    "nodad-not-persisted": """
        interfaces:
          br0: {kind: bridge, persist: true, addresses: ["fd00::1/64 nodad"]}
        """,
    "route-link-down": """
        namespaces:
          n1: {routes: [{to: 10.9.0.0/16, dev: e1}]}
        interfaces:
          e1: {kind: veth, peer: e2, namespace: n1, addresses: [10.0.0.2/24], state: down}
          e2: {kind: veth, peer: e1}
        """,
    "gateway-link-down": """
        namespaces:
          n1: {routes: [{to: default, via: 10.0.0.1}]}
        interfaces:
          e1: {kind: veth, peer: e2, namespace: n1, addresses: [10.0.0.2/24], state: down}
          e2: {kind: veth, peer: e1, addresses: [10.0.0.1/24]}
        """,
    "invalid-port": """
        namespaces:
          n1: {firewall: {input: {rules: [{action: accept, proto: tcp, dport: 70000}]}}}
        """,
    "no-default-route, with no host gateway on its subnets": """
        host: {nics: {wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}}}
        namespaces: {r: {}}
        interfaces:
          a: {kind: veth, peer: b, namespace: r, addresses: [10.8.0.1/24]}
          b: {kind: veth, peer: a}
        """,
    "wrong-type": """
        interfaces:
          br0: {kind: bridge, mtu: abc}
        """,
}


def emitted_codes() -> set[str]:
    """Every code the contract's validation (and the designer's host warnings) can emit."""
    sources = [p.read_text() for p in (REPO / "backend" / "topology").glob("*.py")]
    codes = set(_EMITTED.findall("\n".join(sources))) - {"error", "warning"}
    codes |= {host_warnings.KERNEL_LACKS_KIND, host_warnings.MACVLAN_ON_WIFI}
    return codes


def problem_samples() -> dict[str, list[Problem]]:
    """code → the distinct problems the known designs produce (CASES rows and EXTRA)."""
    found: dict[str, dict[str, Problem]] = {}
    bodies = [case[1] for module in (test_rules, test_link_rules, test_packet_rules,
                                     test_existing_rules) for case in module.CASES]
    for body in [*bodies, *EXTRA.values()]:
        for problem in problems(body):
            found.setdefault(problem.code, {}).setdefault(problem.message, problem)
    return {code: list(by_message.values()) for code, by_message in found.items()}


def host_warning_samples() -> list[Problem]:
    """The designer's own problems (a kind or a feature the backend's kernel lacks, a macvlan
    on Wi-Fi), made from host facts as Inspect reports them."""
    snapshot = Snapshot(interfaces={
        "ipvlan1": {"kind": "ipvlan", "parent": "wlp2s0"},
        "mv1": {"kind": "macvlan", "parent": "wlp2s0", "impairment": {"loss": "1%"}},
        "tap1": {"kind": "veth", "peer": "x", "master": "br0", "port-firewall": {
            "to-port": {"stateful": True, "rules": [{"action": "reject"}]}}}})
    facts = parse_facts({"nics": [{"name": "wlp2s0", "wifi": True}], "kinds": {"ipvlan": False},
                         "features": {"netem": False, "bridge-conntrack": False,
                                      "bridge-reject": False}})
    return host_warnings.facts_problems(snapshot, facts)


def _keys(schema: Any) -> Iterator[str]:
    if isinstance(schema, dict):
        for name, value in schema.items():
            if name == "properties" and isinstance(value, dict):
                yield from value
            yield from _keys(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _keys(value)


FILE_KEYS = frozenset(_keys(model_json_schema()))
_QUOTED = re.compile(r"'([a-z][\w-]*)(?::[^']*)?'")
_SETTING = re.compile(r"\b([a-z][\w-]*): (true|false|up|down|\d+)\b")
_YAML = [
    (re.compile(r"`"), "backticks"),
    (re.compile(r"\b(?:interfaces|namespaces|host|nics)\.[\w\[\"-]"), "a model path"),
    (re.compile(r": \[|\{[a-z][\w-]*:|\[\{"), "a YAML list or mapping"),
    (re.compile(r"'[a-z][\w-]*: "), "a quoted 'key: value'"),
]


def yaml_speak(text: str) -> list[str]:
    """What in ``text`` is the file's syntax rather than the designer's terms (empty: none)."""
    said = [what for pattern, what in _YAML if pattern.search(text)]
    said += [f"the file key '{key}'" for key in _QUOTED.findall(text) if key in FILE_KEYS]
    said += [f"the file's '{key}: {value}'" for key, value in _SETTING.findall(text)
             if key in FILE_KEYS]
    return said


# Designs whose predictions carry each kind of fix the explainer writes in the file's terms
# (a route list, a state, a sysctl, a firewall chain's path and rule, an MTU, nodad), and
# the explainer's source lines that write them: a new such line fails
# test_every_yaml_fix_of_the_explainer_is_known until it is added here with a design.
CHECK_DESIGNS = {
    "no default route": """
        host: {nics: {wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}}}
        namespaces: {net1: {}}
        interfaces:
          ipvlan1: {kind: ipvlan, parent: wlp2s0, mode: l2, namespace: net1,
                    addresses: [192.168.31.5/24]}
        """,
    "no default route in a namespace named gateway (the checks say 'namespace gateway')": """
        host: {nics: {wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}}}
        namespaces: {gateway: {}}
        interfaces:
          ipvlan1: {kind: ipvlan, parent: wlp2s0, mode: l2, namespace: gateway,
                    addresses: [192.168.31.5/24]}
        """,
    "a link down, the other end of a veth down": """
        namespaces: {a: {}, b: {}}
        interfaces:
          ea: {kind: veth, peer: eb, namespace: a, addresses: [10.0.0.1/24]}
          eb: {kind: veth, peer: ea, namespace: b, addresses: [10.0.0.2/24], state: down}
        """,
    "a bridge port down": """
        namespaces: {a: {}, b: {}}
        interfaces:
          br0: {kind: bridge}
          va: {kind: veth, peer: ea, master: br0, state: down}
          ea: {kind: veth, peer: va, namespace: a, addresses: [10.0.0.1/24]}
          vb: {kind: veth, peer: eb, master: br0}
          eb: {kind: veth, peer: vb, namespace: b, addresses: [10.0.0.2/24]}
        """,
    "a route out of a down link": """
        namespaces:
          a: {routes: [{to: 10.9.0.0/16, dev: ea2}]}
          b: {}
        interfaces:
          ea: {kind: veth, peer: eb, namespace: a, addresses: [10.0.0.1/24]}
          eb: {kind: veth, peer: ea, namespace: b, addresses: [10.0.0.2/24, 10.9.0.1/16]}
          ea2: {kind: veth, peer: eb2, namespace: a, addresses: [10.8.0.1/24], state: down}
          eb2: {kind: veth, peer: ea2, namespace: b}
        """,
    "a router without forwarding": """
        namespaces:
          a: {routes: [{to: default, via: 10.0.0.1}]}
          r: {}
          b: {routes: [{to: default, via: 10.1.0.1}]}
        interfaces:
          ea: {kind: veth, peer: ra, namespace: a, addresses: [10.0.0.2/24]}
          ra: {kind: veth, peer: ea, namespace: r, addresses: [10.0.0.1/24]}
          eb: {kind: veth, peer: rb, namespace: b, addresses: [10.1.0.2/24]}
          rb: {kind: veth, peer: eb, namespace: r, addresses: [10.1.0.1/24]}
        """,
    "an IPv6 router without forwarding": """
        namespaces:
          a: {routes: [{to: default, via: "fd00:a::1"}]}
          r: {}
          b: {routes: [{to: default, via: "fd00:b::1"}]}
        interfaces:
          ea: {kind: veth, peer: ra, namespace: a, addresses: ["fd00:a::2/64 nodad"]}
          ra: {kind: veth, peer: ea, namespace: r, addresses: ["fd00:a::1/64 nodad"]}
          eb: {kind: veth, peer: rb, namespace: b, addresses: ["fd00:b::2/64 nodad"]}
          rb: {kind: veth, peer: eb, namespace: r, addresses: ["fd00:b::1/64 nodad"]}
        """,
    "a rule that drops before the one that would accept": """
        namespaces:
          a: {}
          b: {firewall: {input: {rules: [{action: drop, proto: icmp}]}}}
        interfaces:
          ea: {kind: veth, peer: eb, namespace: a, addresses: [10.0.0.1/24]}
          eb: {kind: veth, peer: ea, namespace: b, addresses: [10.0.0.2/24]}
        """,
    "the host as a router, forwarding not in the design": """
        namespaces:
          a: {routes: [{to: default, via: 10.1.0.1}]}
          b: {routes: [{to: default, via: 10.2.0.1}]}
        interfaces:
          pa: {kind: veth, peer: ea, addresses: [10.1.0.1/24]}
          ea: {kind: veth, peer: pa, namespace: a, addresses: [10.1.0.2/24]}
          pb: {kind: veth, peer: eb, addresses: [10.2.0.1/24]}
          eb: {kind: veth, peer: pb, namespace: b, addresses: [10.2.0.2/24]}
        """,
    "routers whose design turns forwarding off, by the field and by a sysctl": """
        namespaces:
          a: {routes: [{to: default, via: 10.0.0.1}]}
          r: {forwarding: {ipv4: false}}
          s: {sysctls: {net.ipv4.ip_forward: "0"}}
          b: {routes: [{to: default, via: 10.1.0.1}]}
          c: {routes: [{to: default, via: 10.2.0.1}]}
        interfaces:
          ea: {kind: veth, peer: ra, namespace: a, addresses: [10.0.0.2/24]}
          ra: {kind: veth, peer: ea, namespace: r, addresses: [10.0.0.1/24]}
          eb: {kind: veth, peer: rb, namespace: b, addresses: [10.1.0.2/24]}
          rb: {kind: veth, peer: eb, namespace: r, addresses: [10.1.0.1/24]}
          ec: {kind: veth, peer: sc, namespace: c, addresses: [10.2.0.2/24]}
          sc: {kind: veth, peer: ec, namespace: s, addresses: [10.2.0.1/24]}
          sa: {kind: veth, peer: as, namespace: s, addresses: [10.3.0.1/24]}
          as: {kind: veth, peer: sa, namespace: a, addresses: [10.3.0.2/24],}
        """,
    "two subnets on one bridge": """
        namespaces: {a: {}, b: {}}
        interfaces:
          br0: {kind: bridge}
          va: {kind: veth, peer: ea, master: br0}
          ea: {kind: veth, peer: va, namespace: a, addresses: [10.0.0.1/24]}
          vb: {kind: veth, peer: eb, master: br0}
          eb: {kind: veth, peer: vb, namespace: b, addresses: [10.0.1.1/24]}
        """,
    "a firewall that denies, and one that drops replies": """
        namespaces:
          a: {}
          b:
            firewall:
              input: {policy: drop, rules: [{action: accept, proto: tcp, dport: 22}]}
          c:
            firewall:
              input: {policy: drop, stateful: false,
                      rules: [{action: accept, proto: icmp, from: 10.0.0.0/24}]}
              output: {policy: drop, stateful: false}
        interfaces:
          br0: {kind: bridge}
          va: {kind: veth, peer: ea, master: br0}
          ea: {kind: veth, peer: va, namespace: a, addresses: [10.0.0.1/24]}
          vb: {kind: veth, peer: eb, master: br0}
          eb: {kind: veth, peer: vb, namespace: b, addresses: [10.0.0.2/24]}
          vc: {kind: veth, peer: ec, master: br0}
          ec: {kind: veth, peer: vc, namespace: c, addresses: [10.0.0.3/24]}
        """,
    "a port firewall": """
        namespaces: {a: {}, b: {}}
        interfaces:
          br0: {kind: bridge}
          va: {kind: veth, peer: ea, master: br0}
          ea: {kind: veth, peer: va, namespace: a, addresses: [10.0.0.1/24]}
          vb:
            kind: veth
            peer: eb
            master: br0
            port-firewall:
              to-port: {policy: drop, rules: [{action: drop, proto: tcp}]}
          eb: {kind: veth, peer: vb, namespace: b, addresses: [10.0.0.2/24]}
        """,
    "an MTU smaller on the way": """
        namespaces: {a: {}, b: {}}
        interfaces:
          br0: {kind: bridge}
          va: {kind: veth, peer: ea, master: br0, mtu: 1400}
          ea: {kind: veth, peer: va, namespace: a, addresses: [10.0.0.1/24], mtu: 1400}
          vb: {kind: veth, peer: eb, master: br0}
          eb: {kind: veth, peer: vb, namespace: b, addresses: [10.0.0.2/24]}
        """,
    "an IPv6 duplicate": """
        namespaces: {a: {}, b: {}, c: {}}
        interfaces:
          br0: {kind: bridge}
          va: {kind: veth, peer: ea, master: br0}
          ea: {kind: veth, peer: va, namespace: a, addresses: [fd00::1/64]}
          vb: {kind: veth, peer: eb, master: br0}
          eb: {kind: veth, peer: vb, namespace: b, addresses: [fd00::1/64]}
          vc: {kind: veth, peer: ec, master: br0}
          ec: {kind: veth, peer: vc, namespace: c, addresses: [fd00::3/64]}
        """,
}
EXTRA["duplicate-address-dad"] = CHECK_DESIGNS["an IPv6 duplicate"]
# a bridge with one port more than the kernel takes (generated: 1,024 namespaces)
EXTRA["too-many-ports"] = star(MAX_BRIDGE_PORTS + 1)
