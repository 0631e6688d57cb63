"""IPv6 duplicate address detection in the file format and validation: ``nodad`` per
address, and a duplicate IPv6 address on one segment as a warning saying what DAD will do."""

from __future__ import annotations

import ipaddress

from netwright.backend.topology.document import parse_topology
from netwright.backend.topology.model import StaticAddress, static_addresses, static_entries
from tests.topology.rule_cases import HEAD, check_case, only, problems

SEGMENT = """
    namespaces: {a: {}, b: {}}
    interfaces:
      br0: {kind: bridge}
      va: {kind: veth, peer: ea, master: br0}
      ea: {kind: veth, peer: va, namespace: a, addresses: [%s]}
      vb: {kind: veth, peer: eb, master: br0}
      eb: {kind: veth, peer: vb, namespace: b, addresses: [%s]}
    """


def test_nodad_is_read_per_address_and_normalised() -> None:
    topology = parse_topology(HEAD + """
interfaces:
  x: {kind: bridge, addresses: ["fd00::1/64   nodad", fd00::2/64, 10.0.0.1/24]}
""")
    link = topology.interfaces["x"]
    assert link.addresses[0] == "fd00::1/64 nodad"
    assert static_entries(link) == [
        StaticAddress(ipaddress.ip_interface("fd00::1/64"), nodad=True),
        StaticAddress(ipaddress.ip_interface("fd00::2/64")),
        StaticAddress(ipaddress.ip_interface("10.0.0.1/24"))]
    # every other consumer sees the plain addresses
    assert [str(a) for a in static_addresses(link)] == ["fd00::1/64", "fd00::2/64",
                                                         "10.0.0.1/24"]


def test_nodad_on_ipv4_and_unknown_flags_are_refused_with_a_sentence() -> None:
    check_case("""
        interfaces:
          x: {kind: bridge, addresses: [10.0.0.1/24 nodad]}
        """, "invalid-address", "error", "interfaces.x.addresses[0]", 4, 33)
    assert "IPv6 addresses only" in only("""
        interfaces:
          x: {kind: bridge, addresses: [10.0.0.1/24 nodad]}
        """, "invalid-address").message
    assert "not an address flag" in only("""
        interfaces:
          x: {kind: bridge, addresses: [fd00::1/64 noda]}
        """, "invalid-address").message


def test_duplicate_ipv6_on_one_segment_is_a_warning_naming_the_race() -> None:
    problem = only(SEGMENT % ("fd00::1/64", "fd00::1/64"), "duplicate-address-dad")
    assert problem.severity == "warning"
    assert problem.path_text == "interfaces.eb.addresses[0]"
    assert "fails on one of them" in problem.message
    assert not [p for p in problems(SEGMENT % ("fd00::1/64", "fd00::1/64"))
                if p.severity == "error"]


def test_duplicate_ipv6_with_nodad_says_who_fails_or_that_both_keep_it() -> None:
    one = only(SEGMENT % ("fd00::1/64 nodad", "fd00::1/64"), "duplicate-address-dad")
    assert "fails on eb" in one.message
    both = only(SEGMENT % ("fd00::1/64 nodad", "fd00::1/64 nodad"), "duplicate-address-dad")
    assert "both keep it" in both.message


def test_ipv4_duplicates_and_ipv6_duplicates_in_one_namespace_stay_errors() -> None:
    assert only(SEGMENT % ("10.0.0.1/24", "10.0.0.1/24"),
                "duplicate-address").severity == "error"
    same_namespace = """
        namespaces: {a: {}}
        interfaces:
          x: {kind: bridge, namespace: a, addresses: [fd00::1/64]}
          y: {kind: bridge, namespace: a, addresses: [fd00::1/64]}
        """
    assert only(same_namespace, "duplicate-address").severity == "error"
    assert not [p for p in problems(SEGMENT % ("fd00::1/64", "fd00::2/64"))
                if "duplicate" in p.code]


def test_the_exported_ip_commands_carry_nodad() -> None:
    from netwright.backend.export.ip_commands import shell_script

    script = shell_script(parse_topology(HEAD + """
interfaces:
  x: {kind: bridge, addresses: ["fd00::1/64 nodad", fd00::2/64]}
"""))
    assert "addr add fd00::1/64 dev x nodad" in script
    assert "addr add fd00::2/64 dev x\n" in script


def test_nodad_on_a_persistent_interface_says_networkmanager_cannot_keep_it() -> None:
    problem = only("""
        interfaces:
          br0: {kind: bridge, persist: true, addresses: ["fd00::1/64 nodad"]}
        """, "nodad-not-persisted")
    assert problem.severity == "warning" and "after a reboot" in problem.message
    assert not [p for p in problems("""
        interfaces:
          br0: {kind: bridge, addresses: ["fd00::1/64 nodad"]}
        """) if p.code == "nodad-not-persisted"]
