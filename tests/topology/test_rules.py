"""Every validation rule, triggered by a small file, asserting code, path, line and column."""

from __future__ import annotations

import textwrap

import pytest

from netwright.backend.checks.explain import explain
from netwright.backend.topology import Document, TopologyError, parse_topology
from tests.topology.rule_cases import HEAD, check_case, problems

# (id, body, code, severity, path, line, column) — lines count the two header lines.
CASES = [
    ("name-too-long", """
        interfaces:
          averyveryverylongname: {kind: bridge}
        """, "invalid-name", "error", "interfaces.averyveryverylongname", 4, 3),
    ("name-slash", """
        interfaces:
          br0:
            kind: bridge
            name: "br/0"
        """, "invalid-name", "error", "interfaces.br0.name", 6, 11),
    ("name-colon", """
        interfaces:
          br0: {kind: bridge, name: "br:0"}
        """, "invalid-name", "error", "interfaces.br0.name", 4, 29),
    ("name-space", """
        interfaces:
          br0: {kind: bridge, name: "br 0"}
        """, "invalid-name", "error", "interfaces.br0.name", 4, 29),
    ("name-dotdot", """
        interfaces:
          br0: {kind: bridge, name: ".."}
        """, "invalid-name", "error", "interfaces.br0.name", 4, 29),
    ("namespace-name", """
        namespaces:
          "bad/ns": {}
        """, "invalid-name", "error", "namespaces[\"bad/ns\"]", 4, 3),
    # the names checks, reasons and the designer give the host and the outside address
    ("reserved-name-host", """
        namespaces:
          host: {}
        """, "reserved-name", "error", "namespaces.host", 4, 3),
    ("reserved-name-outside", """
        namespaces:
          c1: {}
          outside: {}
        """, "reserved-name", "error", "namespaces.outside", 5, 3),
    ("duplicate-name", """
        namespaces: {c1: {}}
        interfaces:
          a: {kind: bridge, namespace: c1, name: eth0}
          b:
            kind: bridge
            namespace: c1
            name: eth0
        """, "duplicate-name", "error", "interfaces.b.name", 9, 11),
    ("duplicate-name-host-nic", """
        host: {nics: {eth1: {}}}
        interfaces:
          eth1: {kind: bridge}
        """, "duplicate-name", "error", "interfaces.eth1", 5, 3),
    ("duplicate-address", """
        interfaces:
          br0: {kind: bridge, addresses: [10.0.0.1/24]}
          br1: {kind: bridge, addresses: [10.0.0.1/24]}
        """, "duplicate-address", "error", "interfaces.br1.addresses[0]", 5, 35),
    ("address-off-subnet", """
        host:
          nics:
            eth1: {addresses: [192.168.31.240/24]}
        namespaces: {n1: {}}
        interfaces:
          mv1:
            kind: macvlan
            parent: eth1
            namespace: n1
            addresses:
              - 10.9.9.9/24
        """, "address-off-subnet", "error", "interfaces.mv1.addresses[0]", 13, 9),
    ("gateway-off-link-host", """
        host:
          nics:
            eth1:
              addresses: [192.168.31.240/24]
              gateway: 192.168.32.1
        """, "gateway-off-link", "error", "host.nics.eth1.gateway", 7, 16),
    ("gateway-off-link-route", """
        namespaces:
          n1:
            routes:
              - to: default
                via: 10.1.1.1
        interfaces:
          br0: {kind: bridge, namespace: n1, addresses: [10.0.0.1/24]}
        """, "gateway-off-link", "error", "namespaces.n1.routes[0].via", 7, 14),
    ("gateway-link-down", """
        namespaces:
          n1:
            routes:
              - to: default
                via: 10.0.0.9
        interfaces:
          br0: {kind: bridge, namespace: n1, addresses: [10.0.0.1/24], state: down}
        """, "gateway-link-down", "error", "namespaces.n1.routes[0].via", 7, 14),
    ("route-link-down", """
        namespaces:
          n1:
            routes:
              - to: 10.9.0.0/16
                dev: br0
        interfaces:
          br0: {kind: bridge, namespace: n1, addresses: [10.0.0.1/24], state: down}
        """, "route-link-down", "error", "namespaces.n1.routes[0].dev", 7, 14),
    ("duplicate-dhcp", """
        interfaces:
          br0:
            kind: bridge
            addresses:
              - dhcp
              - {dhcp: {client-id: two}}
        """, "duplicate-dhcp", "error", "interfaces.br0.addresses[1]", 8, 9),
    ("missing-parent", """
        interfaces:
          mv1: {kind: macvlan}
        """, "missing-parent", "error", "interfaces.mv1", 4, 3),
    ("missing-parent-unknown", """
        interfaces:
          mv1: {kind: macvlan, parent: eth9}
        """, "missing-parent", "error", "interfaces.mv1.parent", 4, 32),
    ("parent-other-namespace", """
        namespaces: {n1: {}, n2: {}}
        interfaces:
          p: {kind: veth, namespace: n2, peer: q}
          q: {kind: veth, peer: p}
          mv1:
            kind: macvlan
            namespace: n1
            parent: p
        """, "parent-other-namespace", "error", "interfaces.mv1.parent", 10, 13),
    ("parent-is-bridge-port", """
        interfaces:
          br0: {kind: bridge}
          p: {kind: veth, peer: q, master: br0}
          q: {kind: veth, peer: p}
          mv1: {kind: macvlan, parent: p}
        """, "parent-is-bridge-port", "error", "interfaces.mv1.parent", 7, 32),
    ("parent-wrong-kind", """
        host: {nics: {eth1: {}}}
        interfaces:
          mv1: {kind: macvlan, parent: eth1}
          mv2: {kind: macvlan, parent: mv1}
        """, "parent-wrong-kind", "error", "interfaces.mv2.parent", 6, 32),
    ("ipvlan-mixed-modes", """
        host: {nics: {eth1: {}}}
        interfaces:
          i1: {kind: ipvlan, parent: eth1, mode: l2}
          i2:
            kind: ipvlan
            parent: eth1
            mode: l3
        """, "ipvlan-mixed-modes", "error", "interfaces.i2.mode", 9, 11),
    ("ipvlan-mixed-default-mode", """
        host: {nics: {eth1: {}}}
        interfaces:
          i1: {kind: ipvlan, parent: eth1, mode: l2}
          i2: {kind: ipvlan, parent: eth1}
        """, "ipvlan-mixed-modes", "error", "interfaces.i2.mode", 6, 3),
    ("ipvlan-mixed-flags", """
        host: {nics: {eth1: {}}}
        interfaces:
          i1: {kind: ipvlan, parent: eth1, mode: l2}
          i2: {kind: ipvlan, parent: eth1, mode: l2, flag: private}
        """, "ipvlan-mixed-modes", "error", "interfaces.i2.flag", 6, 52),
    ("parent-mixed-kinds", """
        host: {nics: {eth1: {}}}
        interfaces:
          i1: {kind: ipvlan, parent: eth1, mode: l2}
          m1: {kind: macvlan, parent: eth1, mode: bridge}
        """, "parent-mixed-kinds", "error", "interfaces.m1.parent", 6, 31),
    ("macvlan-passthru-shared", """
        host: {nics: {eth1: {}}}
        interfaces:
          m1: {kind: macvlan, parent: eth1, mode: passthru}
          m2: {kind: macvlan, parent: eth1, mode: bridge}
        """, "macvlan-passthru-shared", "error", "interfaces.m1.mode", 5, 43),
    ("veth-peer-missing", """
        interfaces:
          v1: {kind: veth, peer: v2}
        """, "veth-peer-missing", "error", "interfaces.v1.peer", 4, 26),
    ("veth-no-peer", """
        interfaces:
          v1: {kind: veth}
        """, "veth-peer-missing", "error", "interfaces.v1", 4, 3),
    ("veth-peer-one-way", """
        interfaces:
          v1: {kind: veth, peer: v2}
          v2: {kind: veth, peer: v3}
          v3: {kind: veth, peer: v2}
        """, "veth-peer-missing", "error", "interfaces.v1.peer", 4, 26),
    ("loop-bridge-in-bridge", """
        interfaces:
          br0: {kind: bridge}
          br1: {kind: bridge, master: br0}
        """, "loop", "error", "interfaces.br1.master", 5, 31),
    ("loop-parents", """
        interfaces:
          v1: {kind: vlan, id: 5, parent: v2}
          v2: {kind: vlan, id: 6, parent: v1}
        """, "loop", "error", "interfaces.v1.parent", 4, 35),
    ("master-not-bridge", """
        interfaces:
          v1: {kind: veth, peer: v2, master: v2}
          v2: {kind: veth, peer: v1}
        """, "master-not-bridge", "error", "interfaces.v1.master", 4, 38),
    ("master-other-namespace", """
        namespaces: {n1: {}}
        interfaces:
          br0: {kind: bridge}
          v1: {kind: veth, peer: v2, master: br0, namespace: n1}
          v2: {kind: veth, peer: v1}
        """, "master-other-namespace", "error", "interfaces.v1.master", 6, 38),
    ("vxlan-no-remote", """
        interfaces:
          vx: {kind: vxlan, vni: 7}
        """, "vxlan-no-remote", "error", "interfaces.vx", 4, 3),
    ("unknown-reference-namespace", """
        interfaces:
          br0: {kind: bridge, namespace: nowhere}
        """, "unknown-reference", "error", "interfaces.br0.namespace", 4, 34),
    ("unknown-reference-master", """
        interfaces:
          v1: {kind: veth, peer: v2, master: br9}
          v2: {kind: veth, peer: v1}
        """, "unknown-reference", "error", "interfaces.v1.master", 4, 38),
    ("unknown-reference-route-dev", """
        namespaces:
          n1:
            routes:
              - {to: default, dev: eth7}
        """, "unknown-reference", "error", "namespaces.n1.routes[0].dev", 6, 28),
    ("duplicate-vlan", """
        host: {nics: {eth1: {}}}
        interfaces:
          a: {kind: vlan, parent: eth1, id: 10}
          b: {kind: vlan, parent: eth1, id: 10}
        """, "duplicate-vlan", "error", "interfaces.b.id", 6, 37),
    ("duplicate-route", """
        namespaces:
          n1:
            routes:
              - {to: default, via: 10.0.0.1}
              - {to: default, via: 10.0.0.2}
        interfaces:
          br0: {kind: bridge, namespace: n1, addresses: [10.0.0.5/24]}
        """, "duplicate-route", "error", "namespaces.n1.routes[1]", 7, 9),
    ("invalid-route", """
        namespaces:
          n1:
            routes:
              - {to: 10.0.0.0/8}
        """, "invalid-route", "error", "namespaces.n1.routes[0]", 6, 9),
    ("persist-in-namespace", """
        namespaces: {n1: {}}
        interfaces:
          br0: {kind: bridge, namespace: n1, persist: true}
        """, "persist-in-namespace", "error", "interfaces.br0.persist", 5, 47),
    ("mtu-above-parent", """
        interfaces:
          br0: {kind: bridge, mtu: 1500}
          mv: {kind: macvlan, parent: br0, mtu: 9000}
        """, "mtu-above-parent", "error", "interfaces.mv.mtu", 5, 41),
    ("invalid-address", """
        interfaces:
          br0: {kind: bridge, addresses: [999.1.1.1/99]}
        """, "invalid-address", "error", "interfaces.br0.addresses[0]", 4, 35),
    ("invalid-address-no-prefix", """
        interfaces:
          br0:
            kind: bridge
            addresses:
              - 10.0.0.1
        """, "invalid-address", "error", "interfaces.br0.addresses[0]", 7, 9),
    ("invalid-mac", """
        interfaces:
          br0: {kind: bridge, mac: "01:00:5e:00:00:01"}
        """, "invalid-mac", "error", "interfaces.br0.mac", 4, 28),
    ("invalid-sysctl", """
        namespaces:
          n1:
            sysctls:
              kernel.panic: 1
        """, "invalid-sysctl", "error", 'namespaces.n1.sysctls["kernel.panic"]', 6, 7),
    ("unknown-kind", """
        interfaces:
          x: {kind: tunnel}
        """, "unknown-kind", "error", "interfaces.x.kind", 4, 13),
    ("missing-kind", """
        interfaces:
          x: {name: x}
        """, "missing-field", "error", "interfaces.x", 4, 3),
    ("invalid-mode", """
        host: {nics: {eth1: {}}}
        interfaces:
          i1:
            kind: ipvlan
            parent: eth1
            mode: l4
        """, "invalid-value", "error", "interfaces.i1.mode", 8, 11),
    ("out-of-range", """
        host: {nics: {eth1: {}}}
        interfaces:
          v: {kind: vlan, parent: eth1, id: 5000}
        """, "out-of-range", "error", "interfaces.v.id", 5, 37),
    ("unknown-key", """
        interfaces:
          br0:
            kind: bridge
            colour: blue
        """, "unknown-key", "error", "interfaces.br0.colour", 6, 5),
    ("wrong-type", """
        interfaces:
          br0: {kind: bridge, mtu: [1500]}
        """, "wrong-type", "error", "interfaces.br0.mtu", 4, 23),
    ("parent-ip-unreachable", """
        host:
          nics:
            wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}
        namespaces:
          net1: {routes: [{to: default, via: 192.168.31.1}]}
        interfaces:
          ipvlan1:
            kind: ipvlan
            parent: wlp2s0
            mode: l2
            namespace: net1
            addresses: [192.168.31.5/24]
        """, "parent-ip-unreachable", "warning", "interfaces.ipvlan1.parent", 11, 13),
    ("no-default-route", """
        host:
          nics:
            wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}
        namespaces:
          net1: {}
        interfaces:
          ipvlan1: {kind: ipvlan, parent: wlp2s0, mode: l2, namespace: net1,
                    addresses: [192.168.31.5/24]}
        """, "no-default-route", "warning", "namespaces.net1", 7, 3),
    # no host gateway, but a router of the design on the namespace's link (client's line 4)
    ("no-default-route-via-router", """
        namespaces: {client: {}, r: {forwarding: {ipv4: true}}}
        interfaces:
          c0: {kind: veth, peer: r0, namespace: client, addresses: [10.0.1.2/24]}
          r0: {kind: veth, peer: c0, namespace: r, addresses: [10.0.1.1/24]}
        """, "no-default-route", "warning", "namespaces.client", 3, 14),
    ("ipvlan-dhcp-no-client-id", """
        host: {nics: {wlp2s0: {}}}
        namespaces: {net1: {}}
        interfaces:
          ipvlan1:
            kind: ipvlan
            parent: wlp2s0
            namespace: net1
            addresses: [dhcp]
        """, "ipvlan-dhcp-no-client-id", "warning", "interfaces.ipvlan1.addresses[0]", 10, 17),
]


@pytest.mark.parametrize(
    ("body", "code", "severity", "path", "line", "column"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_rule(  # noqa: PLR0917 - one parameter per column of CASES
    body: str, code: str, severity: str, path: str, line: int, column: int
) -> None:
    check_case(body, code, severity, path, line, column)


def test_every_code_in_the_rules_is_exercised() -> None:
    """A new rule without a test here fails this test."""
    import inspect
    import re

    from netwright.backend.topology import validate

    source = inspect.getsource(validate)
    codes = set(re.findall(r'_(?:error|warning)\(\s*"([a-z-]+)"', source))
    tested = {case[2] for case in CASES}
    assert codes - tested == set()


def test_a_list_items_value_is_named_by_its_list() -> None:
    """A rule's state 'bogus' read "'bogus' is not allowed for '0'": the list item's index,
    where the sentence names the field."""
    found = [p for p in problems("""
        namespaces:
          n1:
            firewall:
              input: {rules: [{action: accept, state: [new, bogus]}]}
        """) if p.code == "invalid-value"]
    assert [p.message.split(";")[0] for p in found] == ["'bogus' is not allowed for 'state'"]
    assert found[0].path_text == "namespaces.n1.firewall.input.rules[0].state[1]"


def test_a_namespace_named_host_or_outside_is_refused_with_why() -> None:
    """Checks name the host's own place "host" and the probed outside address "outside": a
    namespace of either name would make every pair and reason of it ambiguous."""
    found = {p.path_text: p.message for p in problems("""
        namespaces: {host: {}, outside: {}, hosts: {}, Host: {}}
        """) if p.code == "reserved-name"}
    assert found == {
        "namespaces.host": "namespace 'host' has the name checks, reasons and the designer give"
                           " the host's own namespace, so its results would read as that;"
                           " rename it (e.g. host1)",
        "namespaces.outside": "namespace 'outside' has the name checks, reasons and the"
                              " designer give the address beyond the gateway a check probes"
                              " (--target-outside), so its results would read as that;"
                              " rename it (e.g. outside1)"}


def test_an_interface_name_with_dots_in_a_sysctl_key_is_written_with_slashes() -> None:
    """sysctl(8)'s convention: net.ipv4.conf.eth0/100.rp_filter is the file
    /proc/sys/net/ipv4/conf/eth0.100/rp_filter; the dots as dots name a file that does not
    exist, and the sentence gives the key to write instead."""
    assert problems("""
        namespaces:
          n1: {sysctls: {net.ipv4.conf.eth0/100.rp_filter: 2, net.ipv6.neigh.a/b/c.retrans_time: 9}}
        interfaces:
          v1: {kind: veth, peer: v2, name: eth0.100, namespace: n1}
          v2: {kind: veth, peer: v1}
        """) == []
    found = problems("""
        namespaces:
          n1: {sysctls: {net.ipv4.conf.eth0.100.rp_filter: 2, net.ipv4.conf.a/.x: 1,
                         net.ipv4.conf.eth0/1234567890ab.rp_filter: 1, net.ipv4/x.forwarding: 1}}
        """)
    assert [(p.code, p.path_text, p.message) for p in found] == [
        ("invalid-sysctl", 'namespaces.n1.sysctls["net.ipv4.conf.eth0.100.rp_filter"]',
         "'net.ipv4.conf.eth0.100.rp_filter' has an interface name with dots: write each dot of"
         " the name as '/', as sysctl(8) does: net.ipv4.conf.eth0/100.rp_filter"),
        ("invalid-sysctl", 'namespaces.n1.sysctls["net.ipv4.conf.a/.x"]',
         "'net.ipv4.conf.a/.x' is not a network sysctl this tool can set: use a name under net.,"
         " such as net.ipv4.ip_forward"),
        ("invalid-sysctl", 'namespaces.n1.sysctls["net.ipv4.conf.eth0/1234567890ab.rp_filter"]',
         "'net.ipv4.conf.eth0/1234567890ab.rp_filter' names interface eth0.1234567890ab, longer"
         " than the 15 bytes Linux allows"),
        ("invalid-sysctl", 'namespaces.n1.sysctls["net.ipv4/x.forwarding"]',
         "'net.ipv4/x.forwarding' is not a network sysctl this tool can set: use a name under"
         " net., such as net.ipv4.ip_forward")]


def test_clean_file_has_no_problems() -> None:
    assert problems("""
        namespaces: {n1: {}}
        interfaces:
          br0: {kind: bridge, addresses: [10.0.0.1/24]}
          v1: {kind: veth, peer: v2, master: br0}
          v2: {kind: veth, peer: v1, namespace: n1, addresses: [10.0.0.2/24]}
        """) == []


def test_ipv6_and_dhcp_with_client_id_are_accepted() -> None:
    found = problems("""
        host: {nics: {eth1: {addresses: ["fd00::1/64"]}}}
        namespaces: {n1: {routes: [{to: default, via: "fd00::1"}]}}
        interfaces:
          i1:
            kind: ipvlan
            parent: eth1
            mode: l2
            namespace: n1
            addresses: ["fd00::5/64", {dhcp: {client-id: net1-i1}}]
        """)
    assert [p.code for p in found] == ["parent-ip-unreachable"]


def test_ipv4_and_ipv6_defaults_are_not_duplicates() -> None:
    found = problems("""
        namespaces:
          n1:
            routes:
              - {to: default, via: 10.0.0.1}
              - {to: default, via: "fd00::1"}
        interfaces:
          br0: {kind: bridge, namespace: n1, addresses: [10.0.0.5/24, "fd00::5/64"]}
        """)
    assert found == []


def test_yaml_syntax_error_has_line_and_column() -> None:
    with pytest.raises(TopologyError) as caught:
        Document.from_text("netwright: 1\nname: [unclosed\n", "bad.yaml")
    problem = caught.value.problems[0]
    assert (problem.code, problem.file, problem.line) == ("yaml-syntax", "bad.yaml", 3)
    assert problem.column >= 1


@pytest.mark.parametrize(("text", "code"), [
    ("name: t\n", "missing-version"),
    ("netwright: 2\nname: t\n", "unknown-version"),
    ("netwright: one\nname: t\n", "unknown-version"),
])
def test_version_key(text: str, code: str) -> None:
    found = Document.from_text(text, "v.yaml").problems()
    assert [p.code for p in found] == [code]
    assert found[0].line == 1


def test_duplicate_keys_are_a_syntax_error() -> None:
    with pytest.raises(TopologyError) as caught:
        Document.from_text("netwright: 1\nname: a\nname: b\n")
    assert caught.value.problems[0].code == "yaml-syntax"
    assert caught.value.problems[0].line == 3


def test_topology_raises_with_every_error() -> None:
    document = Document.from_text(HEAD + "interfaces:\n  a: {kind: veth}\n  b: {kind: macvlan}\n")
    with pytest.raises(TopologyError) as caught:
        document.topology()
    assert {p.code for p in caught.value.problems} == {"veth-peer-missing", "missing-parent"}
    assert "(and 1 more)" in str(caught.value)


def test_no_default_route_names_a_namespace_called_gateway_as_the_checks_do() -> None:
    """"gateway has addresses but no default route" read as the route's gateway having
    none; the checks already said "namespace gateway", and validation now says it too."""
    body = """
        host: {nics: {wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}}}
        namespaces: {gateway: {}, net1: {}}
        interfaces:
          a: {kind: ipvlan, parent: wlp2s0, mode: l2, namespace: gateway,
             addresses: [192.168.31.5/24]}
          b: {kind: ipvlan, parent: wlp2s0, mode: l2, namespace: net1,
             addresses: [192.168.31.6/24]}
        """
    said = {p.path[1]: p.message for p in problems(body) if p.code == "no-default-route"}
    assert said["gateway"].startswith("namespace gateway has addresses but no default route,")
    assert said["net1"].startswith("net1 has addresses but no default route,"), said
    topology = parse_topology(HEAD + textwrap.dedent(body).lstrip("\n"))
    fixes = {p.predicted.fix for p in explain(topology, outside="192.0.2.1")
             if p.source == "gateway" and p.target.label == "outside"}
    assert fixes == {"add a default route in namespace gateway: 'routes: [{to: default, via:"
                     " 192.168.31.1}]' (default via 192.168.31.1)"}, fixes


ROUTED_LAB = """
        namespaces:
          client: {}
          gateway: {forwarding: {ipv4: true}}
          server: {}
          router6: {sysctls: {net.ipv6.conf.all.forwarding: 1}}
          pair-a: {}
          pair-b: {}
          routed: {routes: [{to: 10.0.0.0/8, via: 10.0.2.1}]}
        interfaces:
          c0: {kind: veth, peer: r0, namespace: client, addresses: [10.0.1.2/24, "fd01::2/64"]}
          r0: {kind: veth, peer: c0, namespace: gateway, addresses: [10.0.1.1/24]}
          br0: {kind: bridge, namespace: gateway, addresses: [10.0.2.1/24]}
          r1: {kind: veth, peer: s0, namespace: gateway, master: br0}
          s0: {kind: veth, peer: r1, namespace: server, addresses: [10.0.2.2/24]}
          r2: {kind: veth, peer: d0, namespace: gateway, master: br0}
          d0: {kind: veth, peer: r2, namespace: routed, addresses: [10.0.2.3/24]}
          pa: {kind: veth, peer: pb, namespace: pair-a, addresses: [10.9.0.1/24]}
          pb: {kind: veth, peer: pa, namespace: pair-b, addresses: [10.9.0.2/24]}
          x6: {kind: veth, peer: y6, namespace: router6, addresses: ["fd01::1/64"]}
          y6: {kind: veth, peer: x6, addresses: ["fd02::1/64"]}
        """


def test_without_a_host_gateway_a_router_on_the_link_is_named() -> None:
    """No host NIC has a gateway, yet client and server sit on the links of a namespace
    that forwards: without a default route each meets "Network is unreachable" for the
    other's subnet, as with a gateway. The warning names the router's address there. The
    router itself, a namespace with routes of its own, and an isolated pair (nothing beyond
    its link) are left alone."""
    said = {p.path[1]: p.message for p in problems(ROUTED_LAB) if p.code == "no-default-route"}
    assert set(said) == {"client", "server"}, said
    assert said["client"].endswith("add 'routes: [{to: default, via: 10.0.1.1}]' to use"
                                   " namespace gateway, which forwards and is on 10.0.1.0/24")
    assert said["server"].endswith("add 'routes: [{to: default, via: 10.0.2.1}]' to use"
                                   " namespace gateway, which forwards and is on 10.0.2.0/24")


def test_an_ipv6_router_by_sysctl_and_the_forwarding_host_are_routers_too() -> None:
    said = {p.path[1]: p.message for p in problems("""
        host: {forwarding: {ipv4: true}}
        namespaces:
          a: {}
          b: {}
          r6: {sysctls: {net.ipv6.conf.all.forwarding: 1}}
        interfaces:
          br0: {kind: bridge, addresses: [10.0.3.1/24]}
          a0: {kind: veth, peer: a1, namespace: a, addresses: [10.0.3.2/24]}
          a1: {kind: veth, peer: a0, master: br0}
          b0: {kind: veth, peer: b1, namespace: b, addresses: ["fd05::2/64"]}
          b1: {kind: veth, peer: b0, namespace: r6, addresses: ["fd05::1/64"]}
        """) if p.code == "no-default-route"}
    assert set(said) == {"a", "b"}, said
    assert said["a"].endswith("via: 10.0.3.1}]' to use the host, which forwards and is on"
                              " 10.0.3.0/24"), said
    assert said["b"].endswith("via: fd05::1}]' to use r6, which forwards and is on"
                              " fd05::/64"), said


def test_a_gateway_out_of_reach_gives_way_to_a_router_on_the_link() -> None:
    body = """
        host: {nics: {wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}}}""" \
        + ROUTED_LAB
    said = {p.path[1]: p.message for p in problems(body) if p.code == "no-default-route"}
    assert said["client"].endswith("to use namespace gateway, which forwards and is on"
                                   " 10.0.1.0/24"), said
    # with a host gateway known, every namespace out of its reach is told, as before; a
    # router is not told to default via another router (two would loop)
    assert said["gateway"].endswith("(no host NIC's gateway is on them)"), said
    assert said["pair-a"].endswith("(no host NIC's gateway is on them)"), said


def test_no_default_route_names_only_a_gateway_the_namespace_can_reach() -> None:
    """A namespace on none of the host NICs' subnets is not told to use their gateway
    (the kernel would refuse it: "Nexthop has invalid gateway")."""
    found = [p for p in problems("""
        host:
          nics:
            wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}
            enp3s0: {addresses: [10.0.0.2/24], gateway: 10.0.0.1}
        namespaces: {r: {}, n: {}}
        interfaces:
          a: {kind: veth, peer: b, namespace: r, addresses: [10.8.0.1/24]}
          b: {kind: veth, peer: a}
          c: {kind: veth, peer: d, namespace: n, addresses: [10.0.0.7/24]}
          d: {kind: veth, peer: c}
        """) if p.code == "no-default-route"]
    said = {p.path[1]: p.message for p in found}
    assert said["r"].endswith("add a default route via a router on one of its subnets (no"
                              " host NIC's gateway is on them)"), said
    assert said["n"].endswith("add 'routes: [{to: default, via: 10.0.0.1}]' to use enp3s0's"
                              " gateway"), said


@pytest.mark.parametrize("to", ["0.0.0.0/0", "::/0"])
def test_a_default_route_written_as_a_network_counts_as_one(to: str) -> None:
    """``0.0.0.0/0`` and ``::/0`` are the kernel's default route as much as ``default``."""
    via = "192.168.31.1" if ":" not in to else "fd31::1"
    found = problems(f"""
        host:
          nics:
            wlp2s0: {{addresses: [192.168.31.240/24, "fd31::240/64"], gateway: 192.168.31.1}}
        namespaces:
          net1:
            routes:
              - {{to: "{to}", via: "{via}"}}
        interfaces:
          mv1: {{kind: macvlan, parent: wlp2s0, mode: bridge, namespace: net1,
                addresses: [192.168.31.5/24, "fd31::5/64"]}}
        """)
    assert "no-default-route" not in [p.code for p in found], found


def test_default_and_its_network_are_one_route() -> None:
    found = problems("""
        namespaces:
          n1:
            routes:
              - {to: default, via: 10.0.0.1}
              - {to: 0.0.0.0/0, via: 10.0.0.2}
        interfaces:
          br0: {kind: bridge, namespace: n1, addresses: [10.0.0.5/24]}
        """)
    assert [(p.code, ".".join(map(str, p.path))) for p in found] == [
        ("duplicate-route", "namespaces.n1.routes.1")], found
