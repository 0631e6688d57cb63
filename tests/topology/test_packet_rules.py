"""Every forwarding, NAT and firewall rule (validate_packets.py), each triggered by a small
file, asserting code, severity, model path as written, line and column."""

from __future__ import annotations

import pytest

from netwright.backend.topology import validate_packets
from tests.topology.rule_cases import check_case, emitted_codes, problems

BRIDGE = """
    namespaces:
      c1: {routes: [{to: default, via: 172.17.0.1}]}
    interfaces:
      docker0: {kind: bridge, addresses: [172.17.0.1/16]}
      veth-c1: {kind: veth, peer: c1-eth0, master: docker0}
      c1-eth0: {kind: veth, name: eth0, namespace: c1, peer: veth-c1, addresses: [172.17.0.2/16]}
    """



# (id, body, code, severity, path, line, column) — lines count the two header lines.
CASES = [
    ("port-without-proto", """
        namespaces:
          n1:
            firewall:
              input: {rules: [{action: accept, dport: 22}]}
        """, "rule-port-without-protocol", "error",
     "namespaces.n1.firewall.input.rules[0].dport", 6, 47),
    ("mixed-families", """
        namespaces:
          n1:
            firewall:
              forward: {rules: [{action: drop, from: 10.0.0.0/8, to: "fd00::/8"}]}
        """, "rule-mixed-families", "error", "namespaces.n1.firewall.forward.rules[0].to", 6, 62),
    ("unknown-interface-in-rule", """
        namespaces:
          n1:
            firewall:
              input: {rules: [{action: drop, in: eth9}]}
        """, "unknown-reference", "error", "namespaces.n1.firewall.input.rules[0].in", 6, 42),
    ("unreachable-rule", """
        namespaces:
          n1:
            firewall:
              input:
                policy: drop
                rules:
                  - {action: accept, proto: tcp}
                  - {action: drop, proto: tcp, dport: 22, from: 10.0.0.0/8}
        """, "rule-unreachable", "warning", "namespaces.n1.firewall.input.rules[1]", 10, 13),
    ("masquerade-out-without-address", """
        host:
          forwarding: {ipv4: true}
          nat: [{masquerade: {from: 10.0.0.0/24, out: br0}}]
        interfaces:
          br0: {kind: bridge}
        """, "nat-out-no-address", "warning", "host.nat[0].masquerade.out", 5, 47),
    ("snat-to-a-foreign-address", """
        host:
          forwarding: {ipv4: true}
          nat: [{snat: {from: 10.0.0.0/24, out: br0, to: 192.0.2.9}}]
        interfaces:
          br0: {kind: bridge, addresses: [192.0.2.1/24]}
        """, "snat-foreign-address", "warning", "host.nat[0].snat.to", 5, 50),
    ("publish-to-nobody", BRIDGE + """
    host:
      forwarding: {ipv4: true}
      nat: [{publish: {port: 8080, to: 172.17.0.9, to-port: 80}}]
    """, "publish-no-such-address", "error", "host.nat[0].publish.to", 12, 36),
    ("publish-on-a-foreign-address", BRIDGE + """
    host:
      forwarding: {ipv4: true}
      nat: [{publish: {port: 8080, address: 192.0.2.7, to: 172.17.0.2}}]
    """, "publish-foreign-address", "error", "host.nat[0].publish.address", 12, 41),
    ("nat-without-forwarding", """
        namespaces:
          r1:
            nat: [{masquerade: {from: 10.0.0.0/24, out: up0}}]
        interfaces:
          up0: {kind: veth, namespace: r1, peer: up1, addresses: [192.0.2.2/24]}
          up1: {kind: veth, peer: up0, addresses: [192.0.2.1/24]}
        """, "nat-without-forwarding", "warning", "namespaces.r1.nat", 5, 5),
    ("forwarding-conflict", """
        namespaces:
          r1:
            forwarding: {ipv4: true}
            sysctls: {net.ipv4.ip_forward: 0}
        """, "forwarding-conflict", "error", "namespaces.r1.forwarding.ipv4", 5, 24),
    ("port-firewall-off-a-bridge", """
        namespaces: {c1: {}}
        interfaces:
          a: {kind: veth, peer: b, port-firewall: {to-port: {policy: drop}}}
          b: {kind: veth, peer: a, namespace: c1}
        """, "port-firewall-not-a-port", "error", "interfaces.a.port-firewall", 5, 28),
    ("anti-spoofing-without-own-address", BRIDGE.replace(
        "master: docker0}", "master: docker0,\n                port-firewall: "
        "{anti-spoofing: {ips: [172.17.0.5]}}}"), "anti-spoofing-cuts-own-address", "warning",
     "interfaces.veth-c1.port-firewall.anti-spoofing.ips", 8, 45),
]


@pytest.mark.parametrize(
    ("body", "code", "severity", "path", "line", "column"),
    [case[1:] for case in CASES], ids=[case[0] for case in CASES],
)
def test_rule(  # noqa: PLR0917 - one parameter per column of CASES
    body: str, code: str, severity: str, path: str, line: int, column: int
) -> None:
    check_case(body, code, severity, path, line, column)


def test_every_code_is_exercised() -> None:
    codes = emitted_codes(validate_packets)
    assert codes - {case[2] for case in CASES} == set()


def test_anti_spoofing_names_the_device_by_its_key() -> None:
    """"eth0 holds 172.17.0.2": every container's end is eth0, so the sentence did not say
    which; it names the key, as the canvas and the file do, with the kernel name."""
    body = BRIDGE.replace("master: docker0}", "master: docker0,\n                port-firewall: "
                          "{anti-spoofing: {ips: [172.17.0.5]}}}")
    found = [p for p in problems(body) if p.code == "anti-spoofing-cuts-own-address"]
    assert [p.message.split(",")[0] for p in found] == ["c1-eth0 (eth0) holds 172.17.0.2"]


def test_docker_and_security_groups_validate_cleanly() -> None:
    body = BRIDGE + """
    host:
      forwarding: {ipv4: true}
      nat:
        - {masquerade: {from: 172.17.0.0/16, out: docker0}}
        - {publish: {proto: tcp, port: 8080, to: 172.17.0.2, to-port: 80}}
      firewall:
        forward:
          policy: drop
          stateful: true
          rules:
            - {action: accept, in: docker0, proto: tcp, dport: 80}
            - {action: accept, in: docker0, proto: udp, dport: "5000-5010", from: 172.17.0.0/16}
            - {action: reject, proto: icmp, to: 172.17.0.3}
    """
    assert [p.render() for p in problems(body) if p.severity == "error"] == []
    assert not [p for p in problems(body) if p.code.startswith(("rule-", "nat-", "publish"))]


@pytest.mark.parametrize("bad", ["0", "70000", "20-10", "a-b", "true"])
def test_bad_ports_are_refused_by_the_model(bad: str) -> None:
    found = problems(f"""
        namespaces:
          n1:
            firewall:
              input: {{rules: [{{action: accept, proto: tcp, dport: {bad}}}]}}
        """)
    assert [p.code for p in found if p.severity == "error"] == ["invalid-port"], found


@pytest.mark.parametrize(("entry", "path", "words"), [
    ("{masquerade: {out: eth0}}", "host.nat[0].masquerade.from",
     "masquerade needs 'from': the source prefix to masquerade"),
    ("{snat: {from: 10.0.0.0/8, out: eth0}}", "host.nat[0].snat.to",
     "snat needs 'to': the source address packets get"),
    ("{publish: {to: 10.0.0.2}}", "host.nat[0].publish.port",
     "publish needs 'port': the port to publish"),
    ("{masquerade: {from: 10.0.0.0/8, out: eth0, extra: 1}}", "host.nat[0].masquerade.extra",
     "unknown key 'extra'"),
    ("{bogus: 1}", "host.nat[0]", "a nat entry is one of: masquerade, snat or publish"),
])
def test_an_incomplete_nat_entry_is_one_sentence(entry: str, path: str, words: str) -> None:
    """pydantic tried all three members and failed each ("'Masquerade' is required here",
    three times): the entry's own key says which it is, and the sentence what it lacks."""
    found = [p for p in problems(f"host:\n  nat:\n    - {entry}\n") if p.severity == "error"]
    assert [(p.path_text, p.message) for p in found] == [(path, words)]
